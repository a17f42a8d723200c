/**
 * The messaging endpoint end to end: CleverTap request → gateway (real HTTP, real SQLite) →
 * the Meta simulator (real HTTP), for every fixture and every documented answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_MAGIC_PREFIX, ASYNC_MAGIC_PREFIX } from '../src/sim/meta/index.js';
import { eventually, fixture, fixtureNames, startTestGateway, type TestGateway } from './support/gateway.js';
import { sendsFinished } from './support/queues.js';

const ENDPOINT = '/v1/clevertap/sandbox/messages';
let gateway: TestGateway;
let auth: Record<string, string>;

beforeAll(async () => {
  gateway = await startTestGateway();
  auth = { authorization: `Bearer ${gateway.sandboxSecrets!.clevertapToken}` };
});
afterAll(async () => gateway.stop());

function uniqueCopy(name: string, to?: string): any {
  const body = fixture(`clevertap/requests/${name}`);
  const target = body.body ?? body;
  const key = 'msg_id' in target ? 'msg_id' : 'msgId';
  target[key] = `${target[key]}|${Math.random().toString(36).slice(2, 8)}`;
  if (to) target.to = to;
  return body;
}

describe('POST /v1/clevertap/{accountId}/messages', () => {
  const sendable = fixtureNames('clevertap/requests/').filter((name) => !name.startsWith('validation'));

  it.each(sendable)('%s: answers success and reaches Meta as a correct Graph request', async (name) => {
    const body = uniqueCopy(name);
    const response = await gateway.post(ENDPOINT, body, auth);
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ status: 'success' });

    const msgId = body.msgId ?? body.msg_id;
    const waId = String(body.to).replace(/\D/g, '');
    const sent = await eventually(async () => {
      for (const send of gateway.simulator!.accepted().filter((candidate) => candidate.waId === waId)) {
        const stored = await gateway.store.getMessage(send.bizOpaqueCallbackData ?? '');
        if (stored?.msgId === msgId) return send;
      }
      return undefined;
    }, `the simulator to accept ${name}`);
    const graph = sent.body as any;
    expect(graph.messaging_product).toBe('whatsapp');
    expect(graph.to).toBe(`+${String(body.to).replace(/\D/g, '')}`);
    if (body.isTemplate) {
      expect(graph.type).toBe('template');
      expect(graph.template.name).toBe(body.template.namespace);
    } else {
      expect(graph.type).toBe(body.type === 'file' ? 'document' : body.type);
    }
    expect(gateway.simulator!.rejected()).toEqual([]);
    // Meta has answered; the gateway records the wamid as soon as the answer is back.
    const recorded = await eventually(async () => (await gateway.store.getMessage(sent.bizOpaqueCallbackData!))?.wamid, 'the wamid to be recorded');
    expect(recorded).toBe(sent.wamid);
  });

  it.each(['validation-bare.json', 'validation-wrapped.json'])('%s: answers success and sends nothing', async (name) => {
    const before = gateway.simulator!.accepted().length;
    const response = await gateway.post(ENDPOINT, fixture(`clevertap/requests/${name}`), auth);
    expect(response.json).toEqual({ status: 'success' });
    await eventually(() => sendsFinished(gateway), 'every send job to finish');
    expect(gateway.simulator!.accepted().length).toBe(before);
  });

  it('answers a repeated (msgId, to) with success again and sends it once', async () => {
    const body = uniqueCopy('template-text-header.json', '919800000001');
    expect((await gateway.post(ENDPOINT, body, auth)).json).toEqual({ status: 'success' });
    expect((await gateway.post(ENDPOINT, body, auth)).json).toEqual({ status: 'success' });
    await eventually(() => gateway.simulator!.accepted().some((send) => send.waId === '919800000001'), 'the first send');
    await eventually(() => sendsFinished(gateway), 'every send job to finish');
    expect(gateway.simulator!.accepted().filter((send) => send.waId === '919800000001')).toHaveLength(1);
  });

  it('keeps Kaleyra-style callback URL headers with the message', async () => {
    const body = uniqueCopy('freeform-text.json', '919800000002');
    const headers = { ...auth, 'Delivery-Report-Callback-Url': 'https://ct.example/dlr/1', 'inbound-message-callback-url': 'https://ct.example/imo/1' };
    expect((await gateway.post(ENDPOINT, body, headers)).json).toEqual({ status: 'success' });
    const sent = await eventually(() => gateway.simulator!.accepted().find((send) => send.waId === '919800000002'), 'the send');
    const stored = await gateway.store.getMessage(sent.bizOpaqueCallbackData!);
    expect(stored?.callbacks).toEqual({ deliveryReportUrl: 'https://ct.example/dlr/1', inboundMessageUrl: 'https://ct.example/imo/1' });
  });

  it('answers 200 failure 2000 for missing or wrong credentials', async () => {
    const body = uniqueCopy('freeform-text.json');
    for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: 'Basic dXNlcjpwYXNz' }] as Record<string, string>[]) {
      const response = await gateway.post(ENDPOINT, body, headers);
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ status: 'failure', error: { code: 2000, message: 'Invalid Credentials' } });
    }
    expect((await gateway.post(ENDPOINT, body, { authorization: gateway.sandboxSecrets!.clevertapToken })).json).toEqual({ status: 'success' });
  });

  it('answers 2002 for an unusable phone number, 2001 for an unusable payload, 2004 for another account\'s number', async () => {
    const badPhone = uniqueCopy('freeform-text.json', 'call me maybe');
    expect((await gateway.post(ENDPOINT, badPhone, auth)).json).toMatchObject({ status: 'failure', error: { code: 2002 } });
    const noText = uniqueCopy('freeform-text.json');
    delete noText.text;
    expect((await gateway.post(ENDPOINT, noText, auth)).json).toMatchObject({ status: 'failure', error: { code: 2001 } });
    const otherNumber = uniqueCopy('freeform-text.json');
    otherNumber.wabaNumber = '14155550100';
    const response = await gateway.post(ENDPOINT, otherNumber, auth);
    expect(response.json).toMatchObject({ status: 'failure', error: { code: 2004 } });
    expect(response.json.error.message).toContain('14155550100');
  });

  it('gives clear 4xx answers to bodies it cannot read, and keeps serving', async () => {
    const notJson = await gateway.post(ENDPOINT, '{"to": ', auth);
    expect(notJson.status).toBe(400);
    expect(notJson.json).toMatchObject({ message: expect.stringMatching(/not valid JSON/), errors: [] });
    const empty = await gateway.post(ENDPOINT, '', auth);
    expect(empty.status).toBe(400);
    const huge = await gateway.post(ENDPOINT, JSON.stringify({ padding: 'x'.repeat(300 * 1024) }), auth);
    expect(huge.status).toBe(413);
    expect(huge.json.message).toMatch(/larger than/);
    const unknownAccount = await gateway.post('/v1/clevertap/nobody/messages', uniqueCopy('freeform-text.json'), auth);
    expect(unknownAccount.status).toBe(404);
    expect(unknownAccount.json.message).toContain('nobody');
    const plainText = await gateway.post(ENDPOINT, JSON.stringify(uniqueCopy('freeform-text.json')), { ...auth, 'content-type': 'text/plain' });
    expect(plainText.json).toEqual({ status: 'success' });
  });

  it('records a permanent synchronous Meta error as failed with the mapped reason, without retrying', async () => {
    const to = `${SYNC_MAGIC_PREFIX}131030`;
    const body = uniqueCopy('freeform-text.json', to);
    expect((await gateway.post(ENDPOINT, body, auth)).json).toEqual({ status: 'success' });
    const rejected = await eventually(() => gateway.simulator!.rejected().find((send) => send.to?.replace(/\D/g, '') === to), 'the rejection');
    expect(rejected.code).toBe(131030);
    const messageId = (rejected.body as { biz_opaque_callback_data: string }).biz_opaque_callback_data;
    const failed = await eventually(async () => {
      const message = await gateway.store.getMessage(messageId);
      return message?.state === 'failed' ? message : undefined;
    }, 'the message to be recorded failed');
    expect(failed.failure).toMatchObject({ reason: 'invalid_phone', metaCode: 131030 });
    // A retry would still be a scheduled send job.
    await eventually(() => sendsFinished(gateway), 'every send job to finish');
    expect(gateway.simulator!.rejected().filter((send) => send.to?.replace(/\D/g, '') === to)).toHaveLength(1);
  });

  it('applies an asynchronous failure from a signed status webhook', async () => {
    const to = `${ASYNC_MAGIC_PREFIX}131026`;
    const body = uniqueCopy('template-text-header.json', to);
    expect((await gateway.post(ENDPOINT, body, auth)).json).toEqual({ status: 'success' });
    const sent = await eventually(() => gateway.simulator!.accepted().find((send) => send.waId === to), 'the send');
    const failed = await eventually(async () => {
      const message = await gateway.store.getMessage(sent.bizOpaqueCallbackData!);
      return message?.state === 'failed' ? message : undefined;
    }, 'the failed status to arrive');
    expect(failed.failure).toMatchObject({ reason: 'device_incapable', metaCode: 131026 });
  });
});

