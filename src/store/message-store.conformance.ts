/**
 * @module store/message-store.conformance
 * The one suite every MessageStore adapter passes (the way hono runs one router suite against
 * every router). Adapters call `runMessageStoreConformance` from their own test file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../domain/message.js';
import { newMessageId } from '../domain/ids.js';
import type { MessageStore } from './message-store.js';

export interface MessageStoreFixture {
  name: string;
  create(): Promise<{ store: MessageStore; close(): Promise<void> }>;
}

export function sampleMessage(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    id: newMessageId(),
    accountId: 'acme',
    msgId: `1|2|3|${Math.random().toString(36).slice(2)}`,
    to: '919999999999',
    wabaNumber: '919888888888',
    content: { kind: 'template', name: 'order_ready', language: 'en', bodyParams: ['Ana'], buttons: [] },
    acceptedAt: 1_700_000_000_000,
    ...overrides,
  };
}

export function runMessageStoreConformance(fixture: MessageStoreFixture): void {
  describe(`MessageStore conformance: ${fixture.name}`, () => {
    let store: MessageStore;
    let close: () => Promise<void>;
    beforeEach(async () => ({ store, close } = await fixture.create()));
    afterEach(async () => close());

    it('stores accepted messages and reads them back intact', async () => {
      const message = sampleMessage({ customProps: { k: 'v' }, callbacks: { deliveryReportUrl: 'https://ct.example/dlr' } });
      const [result] = await store.acceptMessages([message]);
      expect(result).toEqual({ id: message.id, duplicate: false });
      const stored = await store.getMessage(message.id);
      expect(stored).toMatchObject({ ...message, state: 'accepted' });
      expect(stored?.wamid).toBeUndefined();
    });

    it('treats a repeated (account, msgId, to) as a duplicate of the first, within and across batches', async () => {
      const first = sampleMessage();
      const again = { ...first, id: newMessageId() };
      const otherRecipient = { ...first, id: newMessageId(), to: '919999999990' };
      const results = await store.acceptMessages([first, again, otherRecipient]);
      expect(results).toEqual([
        { id: first.id, duplicate: false },
        { id: first.id, duplicate: true },
        { id: otherRecipient.id, duplicate: false },
      ]);
      const later = await store.acceptMessages([{ ...first, id: newMessageId() }]);
      expect(later).toEqual([{ id: first.id, duplicate: true }]);
    });

    it('runs the insert hook once per new message, inside the commit', async () => {
      const seen: string[] = [];
      const a = sampleMessage();
      await store.acceptMessages([a, { ...a, id: newMessageId() }, sampleMessage()], (_tx, message) => seen.push(message.id));
      expect(seen).toHaveLength(2);
      expect(seen[0]).toBe(a.id);
    });

    it('rolls the whole batch back when the hook throws', async () => {
      const a = sampleMessage();
      await expect(store.acceptMessages([a], () => { throw new Error('enqueue failed'); })).rejects.toThrow('enqueue failed');
      expect(await store.getMessage(a.id)).toBeUndefined();
    });

    it('records the wamid and finds the message by it', async () => {
      const message = sampleMessage();
      await store.acceptMessages([message]);
      await store.recordSubmitted(message.id, 'wamid.ABC', 1_700_000_000_500);
      expect(await store.findByWamid('wamid.ABC')).toMatchObject({ id: message.id, state: 'submitted', submittedAt: 1_700_000_000_500 });
      const lifecycle = { id: message.id, accountId: 'acme', msgId: message.msgId, wamid: 'wamid.ABC', state: 'submitted' };
      expect(await store.getLifecycle({ wamid: 'wamid.ABC' })).toEqual(lifecycle);
      expect(await store.getLifecycle({ id: message.id })).toEqual(lifecycle);
      expect(await store.getLifecycle({ id: 'nope' })).toBeUndefined();
    });

    it('only moves states forward, keeping the first timestamp of each', async () => {
      const message = sampleMessage();
      await store.acceptMessages([message]);
      expect(await store.advanceState(message.id, 'delivered', 2000, { wamid: 'wamid.X' })).toBe(true);
      expect(await store.advanceState(message.id, 'sent', 3000)).toBe(false);
      expect(await store.advanceState(message.id, 'read', 4000)).toBe(true);
      expect(await store.advanceState(message.id, 'failed', 5000, { failure: { reason: 'other', title: 'x' } })).toBe(false);
      const stored = await store.getMessage(message.id);
      expect(stored).toMatchObject({ state: 'read', wamid: 'wamid.X', deliveredAt: 2000, readAt: 4000 });
      expect(stored?.sentAt).toBeUndefined();
      expect(stored?.failure).toBeUndefined();
    });

    it('keeps a failure with its reason', async () => {
      const message = sampleMessage();
      await store.acceptMessages([message]);
      const failure = { reason: 'device_incapable' as const, metaCode: 131026, title: 'Message Undeliverable' };
      expect(await store.advanceState(message.id, 'failed', 2000, { failure })).toBe(true);
      expect(await store.getMessage(message.id)).toMatchObject({ state: 'failed', failure, failedAt: 2000 });
    });

    it('counts messages by account and state', async () => {
      const a = sampleMessage();
      const b = sampleMessage();
      await store.acceptMessages([a, b, sampleMessage({ accountId: 'other' })]);
      await store.advanceState(b.id, 'sent', 1);
      const counts = await store.countByState();
      expect(counts).toEqual(
        expect.arrayContaining([
          { accountId: 'acme', state: 'accepted', count: 1 },
          { accountId: 'acme', state: 'sent', count: 1 },
          { accountId: 'other', state: 'accepted', count: 1 },
        ]),
      );
    });
  });
}
