/**
 * Inbound messages end to end: a signed Meta webhook carrying a user's reply → gateway → the
 * CleverTap simulator's inbox (which rejects bodies not in CleverTap's IMO format), once per wamid,
 * with `context.id` set to the CleverTap msgId the user replied to.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startClevertapSimulator, type ClevertapSimulator } from '../src/sim/clevertap/index.js';
import { signWebhookBody } from '../src/whatsapp/signature.js';
import { eventually, fixture, fixtureNames, startTestGateway, type TestGateway } from './support/gateway.js';
import { callbacksFinished } from './support/queues.js';

let gateway: TestGateway | undefined;
let clevertap: ClevertapSimulator | undefined;
afterEach(async () => {
  await gateway?.stop();
  await clevertap?.close();
  gateway = clevertap = undefined;
});

async function start() {
  clevertap = await startClevertapSimulator();
  gateway = await startTestGateway({
    accounts: [
      {
        id: 'sandbox',
        wabaNumber: '919888888888',
        clevertap: { auth: { kind: 'bearer', token: 'ct' }, inboundMessageUrl: clevertap.inboundMessageUrl('sandbox'), deliveryReportUrl: clevertap.deliveryReportUrl('sandbox') },
      },
    ],
  });
  return { gw: gateway, ct: clevertap };
}

/** A Meta webhook fixture, addressed to the gateway's account and optionally replying to `contextWamid`. */
function inboundWebhook(gw: TestGateway, name: string, contextWamid?: string): string {
  const body = fixture(`whatsapp/webhooks/${name}`);
  const value = body.entry[0].changes[0].value;
  value.metadata.phone_number_id = gw.accounts[0]!.whatsapp.phoneNumberId;
  for (const message of value.messages) {
    if (contextWamid && message.context) message.context.id = contextWamid;
    if (contextWamid && message.reaction) message.reaction.message_id = contextWamid;
  }
  return JSON.stringify(body);
}

async function deliver(gw: TestGateway, raw: string) {
  const response = await gw.post('/v1/whatsapp/webhook', raw, { 'x-hub-signature-256': signWebhookBody(gw.sandboxSecrets!.appSecret, raw) });
  expect(response.status).toBe(200);
}

describe('inbound messages to CleverTap', () => {
  it('forwards a reply once, with context.id = the campaign msgId it answers', async () => {
    const { gw, ct } = await start();
    const msgId = '7|1731583253|20241114|7';
    const send = { ...fixture('clevertap/requests/template-image-dynamic-url.json'), msgId, to: '919999999999' };
    expect((await gw.post('/v1/clevertap/sandbox/messages', send, { authorization: 'ct' })).json).toEqual({ status: 'success' });
    const sent = await eventually(() => gw.simulator!.accepted()[0], 'the campaign send');
    await eventually(async () => (await gw.store.getMessage(sent.bizOpaqueCallbackData!))?.wamid, 'the wamid to be recorded');

    const raw = inboundWebhook(gw, 'inbound-text-reply.json', sent.wamid);
    await deliver(gw, raw);
    await deliver(gw, raw); // Meta redelivers
    const [received] = await eventually(() => (ct.inboundMessages().length > 0 ? ct.inboundMessages() : undefined), 'the inbound message');
    expect(received!.body).toMatchObject({ from: '919999999999', wabaNumber: '919888888888', type: 'text', text: { body: 'Yes please' }, context: { id: msgId } });
    // Both deliveries were answered, so any callback they caused is a job by now.
    await eventually(() => callbacksFinished(gw), 'every callback to be delivered');
    expect(ct.inboundMessages()).toHaveLength(1);
    expect(ct.funnel('1731583253').replied).toBe(1);
  });

  it.each(fixtureNames('whatsapp/webhooks/').filter((name) => name.startsWith('inbound-') && name !== 'inbound-reaction.json'))(
    '%s reaches CleverTap in a body its inbox accepts',
    async (name) => {
      const { gw, ct } = await start();
      await deliver(gw, inboundWebhook(gw, name));
      await eventually(() => ct.inboundMessages().length === 1, `${name} to arrive`);
      expect(ct.rejectedBodies()).toEqual([]);
    },
  );

  it('fails a free-form reply fast (1008) when the user\'s 24-hour window is known to be closed, and sends it when open', async () => {
    const { gw, ct } = await start();
    const writes = async (from: string, hoursAgo: number, id: string) => {
      const body = fixture('whatsapp/webhooks/inbound-text-reply.json');
      const value = body.entry[0].changes[0].value;
      value.metadata.phone_number_id = gw.accounts[0]!.whatsapp.phoneNumberId;
      Object.assign(value.messages[0], { from, id, timestamp: String(Math.floor(Date.now() / 1000 - hoursAgo * 3600)) });
      delete value.messages[0].context;
      await deliver(gw, JSON.stringify(body));
    };
    await writes('919933300001', 25, 'wamid.old');
    await writes('919933300002', 1, 'wamid.recent');
    const reply = (to: string, i: number) => ({ ...fixture('clevertap/requests/freeform-text.json'), to, msgId: `${i}|55|20241114|${i}` });
    expect((await gw.post('/v1/clevertap/sandbox/messages', reply('919933300001', 1), { authorization: 'ct' })).json).toEqual({ status: 'success' });
    expect((await gw.post('/v1/clevertap/sandbox/messages', reply('919933300002', 2), { authorization: 'ct' })).json).toEqual({ status: 'success' });
    await eventually(() => ct.funnel('55').failed.total === 1 && ct.funnel('55').sent === 1, 'one failure and one send');
    expect(ct.funnel('55').failed.byCode).toEqual({ '1008': 1 });
    expect(gw.simulator!.accepted().map((send) => send.waId)).toEqual(['919933300002']);
  });

  it('gives CleverTap a signed gateway link to inbound media, which streams the file from Meta', async () => {
    const { gw, ct } = await start();
    const bytes = Buffer.from('%PDF-1.4 hello from the user');
    const { mediaId } = await gw.simulator!.injectInbound({ from: '919922200001', type: 'document', media: { bytes, mimeType: 'application/pdf', filename: 'invoice.pdf' } });
    const [received] = await eventually(() => (ct.inboundMessages().length > 0 ? ct.inboundMessages() : undefined), 'the document');
    const body = received!.body as { type: string; file: { mediaURL: string; mimeType: string } };
    expect(body.type).toBe('file');
    expect(body.file.mediaURL).toContain(`/v1/media/${mediaId}?`);
    const response = await fetch(body.file.mediaURL);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
    const tampered = await fetch(body.file.mediaURL.replace(/s=[^&]+/, 's=AAAA'));
    expect(tampered.status).toBe(403);
  });
});
