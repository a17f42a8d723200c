/**
 * @module store/message-store.conformance
 * The one suite every MessageStore adapter passes (the way hono runs one router suite against
 * every router). Adapters call `runMessageStoreConformance` from their own test file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../domain/message.js';
import { newMessageId } from '../domain/ids.js';
import type { MessageStore, StateChange } from './message-store.js';

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

    it('applies a status to the message it names: by our id for the owning account, else by wamid', async () => {
      const message = sampleMessage();
      const other = sampleMessage({ accountId: 'other' });
      await store.acceptMessages([message, other]);
      await store.recordSubmitted(message.id, 'wamid.A', 1000);
      const changes: StateChange[] = [];
      const hook = (_tx: unknown, change: StateChange) => changes.push(change);
      // By our id: the message had no wamid yet, so the status records it (an uncertain send proved).
      expect(await store.applyStatus({ id: other.id, accountId: 'other', wamid: 'wamid.B' }, 'sent', 2000, undefined, hook)).toBe('applied');
      expect(await store.getLifecycle({ wamid: 'wamid.B' })).toMatchObject({ id: other.id, state: 'sent' });
      // Our id for another account's message is not trusted: the wamid decides.
      expect(await store.applyStatus({ id: other.id, accountId: 'acme', wamid: 'wamid.A' }, 'delivered', 3000, undefined, hook)).toBe('applied');
      expect(await store.getMessage(other.id)).toMatchObject({ state: 'sent' });
      expect(await store.getMessage(message.id)).toMatchObject({ state: 'delivered', wamid: 'wamid.A', deliveredAt: 3000, submittedAt: 1000 });
      // Replays and stragglers change nothing; unknown messages are reported as such.
      expect(await store.applyStatus({ accountId: 'acme', wamid: 'wamid.A' }, 'sent', 4000, undefined, hook)).toBe('stale');
      expect(await store.applyStatus({ accountId: 'acme', wamid: 'wamid.A' }, 'delivered', 4000, undefined, hook)).toBe('stale');
      expect(await store.applyStatus({ id: 'nope', accountId: 'acme', wamid: 'wamid.nope' }, 'read', 4000, undefined, hook)).toBe('unknown-message');
      const failure = { reason: 'other' as const, metaCode: 131000, title: 'Something went wrong' };
      expect(await store.applyStatus({ accountId: 'other', wamid: 'wamid.B' }, 'failed', 5000, failure, hook)).toBe('applied');
      expect(await store.getMessage(other.id)).toMatchObject({ state: 'failed', failure, failedAt: 5000, sentAt: 2000 });
      expect(changes).toEqual([
        { id: other.id, accountId: 'other', msgId: other.msgId, previous: 'accepted', state: 'sent', at: 2000 },
        { id: message.id, accountId: 'acme', msgId: message.msgId, previous: 'submitted', state: 'delivered', at: 3000 },
        { id: other.id, accountId: 'other', msgId: other.msgId, previous: 'sent', state: 'failed', at: 5000, failure },
      ]);
    });

    it('moves only a message of the account a status is for, whichever wamid or id it names', async () => {
      const ours = sampleMessage({ accountId: 'acme' });
      const theirs = sampleMessage({ accountId: 'other' });
      await store.acceptMessages([ours, theirs]);
      await store.recordSubmitted(ours.id, 'wamid.OURS', 1000);
      await store.recordSubmitted(theirs.id, 'wamid.THEIRS', 1000);
      const changes: StateChange[] = [];
      const hook = (_tx: unknown, change: StateChange) => changes.push(change);
      const failure = { reason: 'other' as const, metaCode: 131000, title: 'Something went wrong' };
      // acme names other's wamid, then other's id with other's wamid: neither moves other's message.
      expect(await store.applyStatus({ accountId: 'acme', wamid: 'wamid.THEIRS' }, 'failed', 2000, failure, hook)).toBe('unknown-message');
      expect(await store.applyStatus({ accountId: 'acme', id: theirs.id, wamid: 'wamid.THEIRS' }, 'failed', 2000, failure, hook)).toBe('unknown-message');
      // Other's id with acme's own wamid: the id is not trusted, the wamid (acme's) decides.
      expect(await store.applyStatus({ accountId: 'acme', id: theirs.id, wamid: 'wamid.OURS' }, 'delivered', 2500, undefined, hook)).toBe('applied');
      expect(await store.getMessage(theirs.id)).toMatchObject({ state: 'submitted' });
      expect(await store.getMessage(ours.id)).toMatchObject({ state: 'delivered' });
      // The owner's own status still applies.
      expect(await store.applyStatus({ accountId: 'other', wamid: 'wamid.THEIRS' }, 'read', 3000, undefined, hook)).toBe('applied');
      expect(changes.map((change) => [change.accountId, change.state])).toEqual([['acme', 'delivered'], ['other', 'read']]);
    });

    it('applies statuses of one batch in order, each against the state the one before left', async () => {
      const message = sampleMessage({ callbacks: { deliveryReportUrl: 'https://ct.example/dlr' } });
      await store.acceptMessages([message]);
      await store.recordSubmitted(message.id, 'wamid.C', 1000);
      const changes: StateChange[] = [];
      const outcomes = await Promise.all(
        (['read', 'delivered', 'sent'] as const).map((state, index) =>
          store.applyStatus({ accountId: 'acme', wamid: 'wamid.C' }, state, 2000 + index, undefined, (_tx, change) => changes.push(change)),
        ),
      );
      expect(outcomes).toEqual(['applied', 'stale', 'stale']);
      expect(changes).toEqual([
        { id: message.id, accountId: 'acme', msgId: message.msgId, previous: 'submitted', state: 'read', at: 2000, callbacks: { deliveryReportUrl: 'https://ct.example/dlr' } },
      ]);
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
