/**
 * The answers outside the happy path: load shedding (429), genuine internal faults (500), the
 * Meta webhook's handshake and signature check, and recovery when Meta is unreachable.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Client, request } from 'undici';
import { startMetaSimulator, SYNC_MAGIC_PREFIX, type MetaSimulator } from '../src/sim/meta/index.js';
import { signWebhookBody } from '../src/whatsapp/signature.js';
import { eventually, fixture, startTestGateway, type TestGateway } from './support/gateway.js';
import { freePort } from './support/process.js';

const ENDPOINT = '/v1/clevertap/sandbox/messages';
let gateway: TestGateway | undefined;
let simulator: MetaSimulator | undefined;
afterEach(async () => {
  await gateway?.stop();
  await simulator?.close();
  gateway = undefined;
  simulator = undefined;
});

const text = (i: number) => ({ ...fixture('clevertap/requests/freeform-text.json'), msgId: `edge|${i}|${Math.random()}`, to: String(919700000000 + i) });

describe('load shedding and faults', () => {
  /** Keeps the event loop busy in turns of `turnMs` until stopped: an overload, in this process. */
  function hogEventLoop(turnMs: number): () => void {
    let running = true;
    const turn = () => {
      if (!running) return;
      const until = Date.now() + turnMs;
      while (Date.now() < until);
      setTimeout(turn, 0);
    };
    setTimeout(turn, 0);
    return () => {
      running = false;
    };
  }

  it('answers 429 with CleverTap\'s body while the event loop stays late, and accepts again after', async () => {
    gateway = await startTestGateway({ server: { host: '127.0.0.1', port: 0, shedLoadAtLagMs: 150 } });
    const auth = { authorization: `Bearer ${gateway.sandboxSecrets!.clevertapToken}` };
    const stopHogging = hogEventLoop(250);
    let answers;
    try {
      // A share of requests is refused while the lag lasts (here at least 40 %): with 30, the chance
      // that none is refused is below one in a million.
      answers = await Promise.all(Array.from({ length: 30 }, (_, i) => gateway!.post(ENDPOINT, text(i), auth)));
    } finally {
      stopHogging();
    }
    const throttled = answers.filter((answer) => answer.status === 429);
    const accepted = answers.filter((answer) => answer.status === 200);
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled.length + accepted.length).toBe(answers.length);
    expect(throttled[0]!.json).toEqual({ message: 'Too many requests to process' });
    expect(accepted.every((answer) => answer.json.status === 'success')).toBe(true);
    const stored = (await gateway.store.countByState()).reduce((sum, row) => sum + row.count, 0);
    expect(stored).toBe(accepted.length);
    // Once the loop is on time again, requests are accepted.
    await eventually(async () => (await gateway!.post(ENDPOINT, text(100 + Math.floor(Math.random() * 1e6)), auth)).json?.status === 'success', 'an accepted send after the overload');
  });

  it('answers CleverTap 429 and closes on connections beyond server.maxConnections, and serves again when one closes', async () => {
    gateway = await startTestGateway({ server: { host: '127.0.0.1', port: 0, maxConnections: 10 } });
    const auth = { authorization: `Bearer ${gateway.sandboxSecrets!.clevertapToken}`, 'content-type': 'application/json' };
    const clients: Client[] = [];
    const sendOn = async (client: Client, i: number) => {
      const response = await client.request({ method: 'POST', path: ENDPOINT, headers: auth, body: JSON.stringify(text(i)) });
      return { status: response.statusCode, connection: response.headers['connection'], json: (await response.body.json()) as unknown };
    };
    try {
      // Ten kept-alive connections, each opened and used before the next: all within the limit.
      for (let i = 0; i < 10; i++) {
        clients.push(new Client(gateway.url, { pipelining: 1 }));
        expect((await sendOn(clients[i]!, i)).json).toEqual({ status: 'success' });
      }
      const eleventh = new Client(gateway.url, { pipelining: 1 });
      clients.push(eleventh);
      expect(await sendOn(eleventh, 10)).toEqual({ status: 429, connection: 'close', json: { message: 'Too many requests to process' } });
      // The ten keep being served.
      expect((await sendOn(clients[0]!, 11)).json).toEqual({ status: 'success' });
      // One of them goes away: a new connection is within the limit again.
      await clients[1]!.close();
      await eventually(async () => {
        const fresh = new Client(gateway!.url, { pipelining: 1 });
        clients.push(fresh);
        return (await sendOn(fresh, 100 + clients.length)).status === 200;
        // The server learns of the close when it reads the FIN: on a busy machine that takes a while.
      }, 'a new connection to be served once one closed', 30_000);
    } finally {
      await Promise.all(clients.map((client) => client.destroy()));
    }
  });

  it('answers every request after a single long event-loop turn (a burst, not an overload)', async () => {
    gateway = await startTestGateway({ server: { host: '127.0.0.1', port: 0, shedLoadAtLagMs: 150 } });
    const auth = { authorization: `Bearer ${gateway.sandboxSecrets!.clevertapToken}` };
    const pending = Array.from({ length: 5 }, (_, i) => gateway!.post(ENDPOINT, text(i), auth));
    const blockedUntil = Date.now() + 400;
    while (Date.now() < blockedUntil);
    const answers = await Promise.all(pending);
    expect(answers.map((answer) => answer.json)).toEqual(Array.from({ length: 5 }, () => ({ status: 'success' })));
  });

  it('answers 500 with CleverTap\'s body when the store fails, and nothing accepted is harmed', async () => {
    gateway = await startTestGateway();
    const auth = { authorization: `Bearer ${gateway.sandboxSecrets!.clevertapToken}` };
    expect((await gateway.post(ENDPOINT, text(1), auth)).json).toEqual({ status: 'success' });
    await eventually(() => gateway!.simulator!.accepted().length === 1, 'the first send');
    await gateway.storage.close(); // the database goes away under a running gateway
    const response = await gateway.post(ENDPOINT, text(2), auth);
    expect(response.status).toBe(500);
    expect(response.json).toEqual({ status: 'failure', error: { message: 'Unable to process the request' } });
    expect(gateway.simulator!.accepted()).toHaveLength(1);
  });
});

describe('Meta webhook', () => {
  it('answers the verification handshake only for a configured verify token', async () => {
    gateway = await startTestGateway();
    const token = gateway.sandboxSecrets!.webhookVerifyToken;
    const good = await request(`${gateway.url}/v1/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1903260781`);
    expect(good.statusCode).toBe(200);
    expect(await good.body.text()).toBe('1903260781');
    const bad = await request(`${gateway.url}/v1/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`);
    expect(bad.statusCode).toBe(403);
    await bad.body.dump();
  });

  it('refuses unsigned or wrongly signed deliveries with 401 and applies signed ones', async () => {
    gateway = await startTestGateway();
    const auth = { authorization: `Bearer ${gateway.sandboxSecrets!.clevertapToken}` };
    expect((await gateway.post(ENDPOINT, text(3), auth)).json).toEqual({ status: 'success' });
    const sent = await eventually(() => gateway!.simulator!.accepted()[0], 'the send');
    const statusBody = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: 'x', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '919888888888', phone_number_id: gateway.accounts[0]!.whatsapp.phoneNumberId }, statuses: [{ id: sent.wamid, status: 'failed', timestamp: '1750030073', recipient_id: sent.waId, errors: [{ code: 131049, title: 'healthy ecosystem' }] }] } }] }],
    });
    expect((await gateway.post('/v1/whatsapp/webhook', statusBody)).status).toBe(401);
    expect((await gateway.post('/v1/whatsapp/webhook', statusBody, { 'x-hub-signature-256': signWebhookBody('not-the-secret', statusBody) })).status).toBe(401);
    // Signed but not JSON: Meta's own, so acknowledged (a 4xx would be retried for a week) and kept for inspection.
    expect((await gateway.post('/v1/whatsapp/webhook', '{oops', { 'x-hub-signature-256': signWebhookBody(gateway.sandboxSecrets!.appSecret, '{oops') })).status).toBe(200);
    expect((await gateway.webhookRejects.list(1))[0]).toMatchObject({ kind: 'delivery', reason: 'the signed body is not JSON', item: '"{oops"' });
    const signed = await gateway.post('/v1/whatsapp/webhook', statusBody, { 'x-hub-signature-256': signWebhookBody(gateway.sandboxSecrets!.appSecret, statusBody) });
    expect(signed.status).toBe(200);
    const stored = await gateway.store.getMessage(sent.bizOpaqueCallbackData!);
    // Unless the simulator's own `read` got there first, the signed failure is applied.
    if (stored?.state !== 'read') expect(stored).toMatchObject({ state: 'failed', failure: { reason: 'blocked_by_meta', metaCode: 131049 } });
  });
});

describe('retries of rejected sends', () => {
  it.each([
    [130429, 'rate_limited'],
    [131056, 'rate_limited'],
    [131000, 'other'],
  ])('retries Meta error %i, then records the message failed (%s) when attempts run out', async (code, reason) => {
    gateway = await startTestGateway({ dispatcher: { maxAttempts: 2 } });
    const auth = { authorization: `Bearer ${gateway.sandboxSecrets!.clevertapToken}` };
    const to = `${SYNC_MAGIC_PREFIX}${code}`;
    expect((await gateway.post(ENDPOINT, { ...text(5), to }, auth)).json).toEqual({ status: 'success' });
    const failedMessage = await eventually(async () => {
      const rejected = gateway!.simulator!.rejected().filter((send) => send.to?.replace(/\D/g, '') === to);
      if (rejected.length < 2) return undefined;
      const message = await gateway!.store.getMessage((rejected[0]!.body as { biz_opaque_callback_data: string }).biz_opaque_callback_data);
      return message?.state === 'failed' ? message : undefined;
    }, 'two attempts and a failure', 15_000);
    expect(failedMessage.failure).toMatchObject({ reason, metaCode: code });
    expect(gateway.dispatcher.stats.retried).toBe(1);
  }, 20_000);
});

describe('Meta unreachable', () => {
  it('keeps retrying a send while Meta is down, past its attempts, and delivers it once Meta is back', async () => {
    const port = await freePort();
    const graphBaseUrl = `http://127.0.0.1:${port}/v23.0`;
    gateway = await startTestGateway({
      // Attempts that never reached Meta do not use up the message's attempts: only its age ends them.
      dispatcher: { maxAttempts: 1 },
      accounts: [
        {
          id: 'down',
          wabaNumber: '919888888888',
          clevertap: { auth: { kind: 'bearer', token: 't' } },
          whatsapp: { graphBaseUrl, phoneNumberId: '107000000000001', wabaId: '207000000000001', accessToken: 'tok', appSecret: 'sec', webhookVerifyToken: 'v' },
        },
      ],
    });
    expect((await gateway.post('/v1/clevertap/down/messages', text(4), { authorization: 't' })).json).toEqual({ status: 'success' });
    await eventually(async () => gateway!.dispatcher.stats.retried > 1, 'two failed attempts to be scheduled for retry');
    simulator = await startMetaSimulator({
      port,
      accessToken: 'tok',
      appSecret: 'sec',
      phoneNumbers: [{ phoneNumberId: '107000000000001', displayPhoneNumber: '919888888888', wabaId: '207000000000001' }],
    });
    const sent = await eventually(() => simulator!.accepted()[0], 'the retried send to arrive', 15_000);
    expect(sent.waId).toBe('919700000004');
    const [row] = await eventually(async () => {
      const counts = await gateway!.store.countByState();
      return counts[0]?.state === 'submitted' ? counts : undefined;
    }, 'the send to be recorded as submitted');
    expect(row).toEqual({ accountId: 'down', state: 'submitted', count: 1 });
  }, 30_000);
});
