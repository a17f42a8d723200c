/**
 * Meta's webhook under hostile input, over real HTTP with real signatures: JSON 10,000 levels
 * deep, 100,000-item arrays, duplicate and `__proto__` keys, numbers and strings swapped, invalid
 * UTF-8. Meta retries anything but a 200 for 7 days, so an item the gateway cannot understand is
 * kept for inspection and acknowledged, and the good items of its delivery are applied; only a
 * failure of the gateway's own store answers 5xx. And a delivery signed by one account can only
 * ever move that account's messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startClevertapSimulator, type ClevertapSimulator } from '../src/sim/clevertap/index.js';
import { startMetaSimulator, type MetaSimulator } from '../src/sim/meta/index.js';
import { MAX_REJECT_ITEM_CHARS } from '../src/store/webhook-rejects.js';
import { signWebhookBody } from '../src/whatsapp/signature.js';
import { eventually, fixture, startTestGateway, type TestGateway } from './support/gateway.js';
import { freePort } from './support/process.js';
import { messageByWamid } from './support/messages.js';
import { sandboxAdminAuth } from './support/admin-auth.js';

const WEBHOOK = '/v1/whatsapp/webhook';
const DEPTH = 10_000;
/** Stays at `sent` in the simulator (the user blocked the business): our statuses decide the rest. */
const STAYS_SENT = '9995';

const deepArray = '['.repeat(DEPTH) + ']'.repeat(DEPTH);
const deepObject = '{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH);

describe('Meta webhook: items that cannot be understood', () => {
  let gateway: TestGateway;
  let clevertap: ClevertapSimulator;
  let phoneNumberId: string;
  /** wamids of sent messages that stay at `sent` unless a status here moves them. */
  const wamids: string[] = [];
  let nextMessage = 0;

  beforeAll(async () => {
    clevertap = await startClevertapSimulator();
    gateway = await startTestGateway({
      accounts: [{ id: 'sandbox', wabaNumber: '919888888888', clevertap: { auth: { kind: 'bearer', token: 'ct' }, inboundMessageUrl: clevertap.inboundMessageUrl('sandbox') } }],
    });
    phoneNumberId = gateway.accounts[0]!.whatsapp.phoneNumberId;
    for (let i = 0; i < 12; i++) {
      const send = { ...fixture('clevertap/requests/freeform-text.json'), msgId: `hostile|${i}`, to: `${STAYS_SENT}0000${String(i).padStart(2, '0')}` };
      expect((await gateway.post('/v1/clevertap/sandbox/messages', send, { authorization: 'ct' })).json).toEqual({ status: 'success' });
    }
    const accepted = await eventually(() => (gateway.simulator!.accepted().length === 12 ? gateway.simulator!.accepted() : undefined), 'the sends');
    for (const send of accepted) {
      await eventually(async () => (await messageByWamid(gateway, send.wamid))?.state === 'sent', 'the simulator\'s sent status');
      wamids.push(send.wamid);
    }
  }, 30_000);
  afterAll(async () => {
    await gateway?.stop();
    await clevertap?.close();
  });

  const deliver = (raw: string | Buffer) => gateway.post(WEBHOOK, raw, { 'x-hub-signature-256': signWebhookBody(gateway.sandboxSecrets!.appSecret, raw) });
  const envelope = (value: string, field = 'messages') =>
    `{"object":"whatsapp_business_account","entry":[{"id":"${gateway.accounts[0]!.whatsapp.wabaId}","changes":[{"field":"${field}","value":${value}}]}]}`;
  const metadata = () => `"messaging_product":"whatsapp","metadata":{"display_phone_number":"919888888888","phone_number_id":"${phoneNumberId}"}`;
  const goodStatus = (wamid: string) => `{"id":"${wamid}","status":"delivered","timestamp":"1750030073","recipient_id":"919999999999"}`;
  /** A text from a sender of its own, so CleverTap's inbox tells it apart (its body carries no wamid). */
  const goodText = (from: string, body = 'hello') => `{"from":"${from}","id":"wamid.in.${from}","timestamp":"1750030100","type":"text","text":{"body":${JSON.stringify(body)}}}`;
  const stateOf = async (wamid: string) => (await messageByWamid(gateway, wamid))?.state;
  const inboundArrived = (from: string) => eventually(() => clevertap.inboundMessages().find((message) => message.from === from), `the message from ${from} at CleverTap`);

  it.each([
    // A timestamp that is not a time is read as "now", as any other unusable timestamp is.
    ['a status whose timestamp nests 10,000 arrays deep', (good: string) => `[${good},{"id":"wamid.deep","status":"sent","timestamp":${deepArray}}]`, 0, undefined],
    ['a status whose status nests 10,000 objects deep', (good: string) => `[{"id":"wamid.deep","status":${deepObject}},${good}]`, 1, 'statuses[0]'],
    ['a status whose id nests 10,000 arrays deep', (good: string) => `[{"id":${deepArray},"status":"read"},${good}]`, 1, 'statuses[0]'],
    ['a status with an unknown field 10,000 objects deep', (good: string) => `[{"id":"wamid.nobody","status":"read","foo":${deepObject}},${good}]`, 0, undefined],
  ] as const)('acknowledges %s and applies the good status beside it', async (_label, statuses, rejected, where) => {
    const wamid = wamids[nextMessage++]!;
    const before = await gateway.webhookRejects.count();
    const response = await deliver(envelope(`{${metadata()},"statuses":${statuses(goodStatus(wamid))}}`));
    expect(response.status).toBe(200);
    expect(await stateOf(wamid)).toBe('delivered');
    expect(await gateway.webhookRejects.count()).toBe(before + rejected);
    if (where) {
      const [kept] = await gateway.webhookRejects.list(1);
      expect(kept).toMatchObject({ kind: 'status', accountId: 'sandbox', where: `entry[0].changes[0].${where}` });
      expect(kept!.item.length).toBeLessThanOrEqual(MAX_REJECT_ITEM_CHARS);
    }
  });

  it.each([
    ['a message whose text nests 10,000 objects deep (passed on as unsupported)', `{"from":"919900000002","id":"wamid.in.deeptext","type":"text","text":${deepObject}}`, 0],
    ['a message whose sender nests 10,000 arrays deep', `{"from":${deepArray},"id":"wamid.in.deepfrom","type":"text","text":{"body":"x"}}`, 1],
    ['a message whose timestamp nests 10,000 arrays deep', `{"from":"919900000003","id":"wamid.in.deepts","timestamp":${deepArray},"type":"text","text":{"body":"x"}}`, 0],
    ['a flow reply whose response_json nests 10,000 objects deep', `{"from":"919900000004","id":"wamid.in.deepflow","type":"interactive","interactive":{"type":"nfm_reply","nfm_reply":{"name":"flow","body":"Sent","response_json":${deepObject}}}}`, 0],
  ] as const)('acknowledges %s and forwards the good message beside it', async (_label, poison, rejected) => {
    const good = `9199001000${String(nextMessage++).padStart(2, '0')}`;
    const before = await gateway.webhookRejects.count();
    const response = await deliver(envelope(`{${metadata()},"messages":[${poison},${goodText(good)}]}`));
    expect(response.status).toBe(200);
    await inboundArrived(good);
    expect(await gateway.webhookRejects.count()).toBe(before + rejected);
  });

  it('acknowledges a value with an unknown field 10,000 levels deep, and a template update with a deep id', async () => {
    const wamid = wamids[nextMessage++]!;
    expect((await deliver(envelope(`{${metadata()},"foo":${deepObject},"bar":${deepArray},"statuses":[${goodStatus(wamid)}]}`))).status).toBe(200);
    expect(await stateOf(wamid)).toBe('delivered');
    const before = await gateway.webhookRejects.count();
    const template = envelope(`{"event":"APPROVED","message_template_id":${deepArray},"message_template_name":"x","message_template_language":"en"}`, 'message_template_status_update');
    expect((await deliver(template)).status).toBe(200);
    expect(await gateway.webhookRejects.count()).toBe(before + 1);
    expect((await gateway.webhookRejects.list(1))[0]).toMatchObject({ kind: 'template_update', accountId: 'sandbox', where: 'entry[0].changes[0]' });
  });

  it('acknowledges 100,000 broken statuses quickly, keeping a bounded sample, and applies the good one among them', async () => {
    const wamid = wamids[nextMessage++]!;
    const before = await gateway.webhookRejects.count();
    const junk = new Array(100_000).fill('0').join(',');
    const raw = envelope(`{${metadata()},"statuses":[${junk},${goodStatus(wamid)}]}`);
    expect(raw.length).toBeLessThan(256 * 1024);
    const response = await deliver(raw);
    expect(response.status).toBe(200);
    expect(await stateOf(wamid)).toBe('delivered');
    const kept = (await gateway.webhookRejects.count()) - before;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(100);
  });

  it('is not fooled by __proto__, constructor and duplicate keys', async () => {
    const wamid = wamids[nextMessage++]!;
    const before = await gateway.webhookRejects.count();
    const value = `{"__proto__":{"statuses":[]},"constructor":{"prototype":1},${metadata()},"statuses":[`
      + `{"id":"wamid.proto1","status":"constructor"},{"id":"wamid.proto2","status":"__proto__"},{"id":"wamid.proto3","status":"toString"},`
      + `{"__proto__":{"id":"x"},"id":"${wamid}","status":"read","status":"delivered"}]}`;
    const raw = `{"__proto__":{"entry":[]},"entry":[],"entry":[{"id":"1","changes":[{"field":"messages","value":${value}}]}]}`;
    expect((await deliver(raw)).status).toBe(200);
    // Duplicate keys: the last one counts, as in JSON.parse.
    expect(await stateOf(wamid)).toBe('delivered');
    expect(await gateway.webhookRejects.count()).toBe(before + 3);
    expect((await gateway.webhookRejects.list(3)).map((row) => row.reason).sort()).toEqual([
      'unknown status "__proto__"',
      'unknown status "constructor"',
      'unknown status "toString"',
    ]);
    expect(({} as Record<string, unknown>)['statuses']).toBeUndefined();
  });

  it('takes numbers where Meta sends strings, and keeps a string where it needs a number or a known word', async () => {
    const wamid = wamids[nextMessage++]!;
    const before = await gateway.webhookRejects.count();
    const value = `{"messaging_product":"whatsapp","metadata":{"phone_number_id":${phoneNumberId}},"statuses":[`
      + `{"id":"${wamid}","status":"delivered","timestamp":1750030073},{"id":12345,"status":7},{"id":"wamid.x","status":"read","timestamp":"soon","errors":"none"}]}`;
    expect((await deliver(envelope(value))).status).toBe(200);
    expect(await stateOf(wamid)).toBe('delivered');
    expect(await gateway.webhookRejects.count()).toBe(before + 1);
    expect((await gateway.webhookRejects.list(1))[0]).toMatchObject({ reason: 'unknown status 7', item: '{"id":12345,"status":7}' });
  });

  it('forwards a message with invalid UTF-8 and lone surrogates, and keeps a body without entry[]', async () => {
    const good = '919900200001';
    const [head, tail] = envelope(`{${metadata()},"messages":[${goodText(good, 'PLACE')}]}`).split('"PLACE"') as [string, string];
    const body = Buffer.concat([Buffer.from(`${head}"bad \\ud800 bytes: `), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(`"${tail}`)]);
    expect(() => JSON.parse(body.toString('utf8'))).not.toThrow();
    expect((await deliver(body)).status).toBe(200);
    await inboundArrived(good);

    const before = await gateway.webhookRejects.count();
    for (const junk of ['[]', '"x"', '{"entry":{}}', '{}', 'null', '12']) expect((await deliver(junk)).status).toBe(200);
    expect(await gateway.webhookRejects.count()).toBe(before + 6);
    expect((await gateway.webhookRejects.list(1))[0]).toMatchObject({ kind: 'delivery', accountId: 'sandbox', reason: 'no entry[] in the webhook body', item: '12' });
  });

  it('counts what it kept in the admin stats', async () => {
    const response = await request(`${gateway.url}/v1/admin/stats`, { headers: sandboxAdminAuth(gateway) });
    const stats = (await response.body.json()) as { rejectedWebhookItems: number };
    expect(response.statusCode).toBe(200);
    expect(stats.rejectedWebhookItems).toBe(await gateway.webhookRejects.count());
    expect(stats.rejectedWebhookItems).toBeGreaterThan(0);
  });

  it('lists what it kept through the admin API, newest first, without the rest of the delivery', async () => {
    const response = await request(`${gateway.url}/v1/admin/webhook-rejects?limit=2`, { headers: sandboxAdminAuth(gateway) });
    const { data } = (await response.body.json()) as { data: Array<{ kind: string; reason: string; item: string }> };
    expect(response.statusCode).toBe(200);
    expect(data).toHaveLength(2);
    expect(data).toEqual((await gateway.webhookRejects.list(2)).map((row) => JSON.parse(JSON.stringify(row))));
    const refused = await request(`${gateway.url}/v1/admin/webhook-rejects?limit=lots`, { headers: sandboxAdminAuth(gateway) });
    expect(refused.statusCode).toBe(400);
    expect(await refused.body.json()).toEqual({ message: 'the query string is not valid: limit must be integer', errors: [{ field: 'limit', message: 'must be integer' }] });
  });

  it('answers 5xx only when its own store fails, so Meta sends the delivery again', async () => {
    const wamid = wamids[nextMessage++]!;
    await gateway.storage.close(); // the database goes away under a running gateway
    const good = await deliver(envelope(`{${metadata()},"statuses":[${goodStatus(wamid)}]}`));
    expect(good.status).toBe(500);
    const poison = await deliver(envelope(`{${metadata()},"statuses":[{"id":"wamid.deep","status":"sent","timestamp":${deepArray}}]}`));
    expect(poison.status).toBe(500);
  });
});

describe('Meta webhook: one account cannot move another\'s messages', () => {
  const A = { id: 'alpha', wabaNumber: '919811100001', phoneNumberId: '107100000000001', wabaId: '207100000000001', appSecret: 'alpha-app-secret', token: 'alpha-token' };
  const B = { id: 'beta', wabaNumber: '919811100002', phoneNumberId: '107200000000002', wabaId: '207200000000002', appSecret: 'beta-app-secret', token: 'beta-token' };
  let gateway: TestGateway;
  const simulators: MetaSimulator[] = [];

  beforeAll(async () => {
    const port = await freePort();
    for (const account of [A, B]) {
      simulators.push(
        await startMetaSimulator({
          accessToken: account.token,
          appSecret: account.appSecret,
          phoneNumbers: [{ phoneNumberId: account.phoneNumberId, displayPhoneNumber: account.wabaNumber, wabaId: account.wabaId }],
          webhookUrl: `http://127.0.0.1:${port}${WEBHOOK}`,
          statusDelays: { sentMs: 10, deliveredMs: 20, readMs: null },
        }),
      );
    }
    gateway = await startTestGateway({
      server: { host: '127.0.0.1', port },
      accounts: [A, B].map((account, index) => ({
        id: account.id,
        wabaNumber: account.wabaNumber,
        clevertap: { auth: { kind: 'bearer', token: `ct-${account.id}` } },
        whatsapp: { graphBaseUrl: simulators[index]!.graphBaseUrl, phoneNumberId: account.phoneNumberId, wabaId: account.wabaId, accessToken: account.token, appSecret: account.appSecret, webhookVerifyToken: 'v' },
      })),
    });
  }, 30_000);
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all(simulators.map((simulator) => simulator.close()));
  });

  const statusBody = (phoneNumberId: string, status: Record<string, unknown>) =>
    JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: 'x', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '919888888888', phone_number_id: phoneNumberId }, statuses: [status] } }] }],
    });
  const signedBy = (secret: string, raw: string) => gateway.post(WEBHOOK, raw, { 'x-hub-signature-256': signWebhookBody(secret, raw) });

  it('applies a status signed with A\'s secret to A\'s messages only, whatever wamid or id it names', async () => {
    const send = { ...fixture('clevertap/requests/freeform-text.json'), msgId: 'beta|1', to: '919900000042', wabaNumber: B.wabaNumber };
    expect((await gateway.post('/v1/clevertap/beta/messages', send, { authorization: 'ct-beta' })).json).toEqual({ status: 'success' });
    const sent = await eventually(() => simulators[1]!.accepted()[0], 'B\'s send');
    await eventually(async () => (await messageByWamid(gateway, sent.wamid))?.state === 'delivered', 'B\'s message delivered');
    const failed = { id: sent.wamid, status: 'failed', timestamp: '1750030073', recipient_id: sent.waId, errors: [{ code: 131049, title: 'healthy ecosystem' }] };

    // A's own number, A's signature, B's wamid (and then B's id as biz_opaque_callback_data).
    expect((await signedBy(A.appSecret, statusBody(A.phoneNumberId, failed))).status).toBe(200);
    expect((await signedBy(A.appSecret, statusBody(A.phoneNumberId, { ...failed, biz_opaque_callback_data: sent.bizOpaqueCallbackData })))).toMatchObject({ status: 200 });
    // B's number under A's signature: not A's to apply, and kept as a reject.
    const before = await gateway.webhookRejects.count();
    expect((await signedBy(A.appSecret, statusBody(B.phoneNumberId, failed))).status).toBe(200);
    expect(await gateway.webhookRejects.count()).toBe(before + 1);
    expect((await gateway.webhookRejects.list(1))[0]).toMatchObject({ kind: 'status', accountId: 'beta' });
    expect(await messageByWamid(gateway, sent.wamid)).toMatchObject({ accountId: 'beta', state: 'delivered' });
    expect((await messageByWamid(gateway, sent.wamid))?.failure).toBeUndefined();

    // B's own signature still moves it.
    expect((await signedBy(B.appSecret, statusBody(B.phoneNumberId, failed))).status).toBe(200);
    expect(await messageByWamid(gateway, sent.wamid)).toMatchObject({ state: 'failed', failure: { metaCode: 131049 } });
  }, 20_000);
});
