/**
 * @module store/retention.conformance
 * The one suite every RetentionStore adapter passes, run from `test/conformance/storages.test.ts`.
 * Records are made the way the gateway makes them, through the other ports of the same storage
 * (messages accepted and moved, callbacks owed as effects or by `owe`, inbound messages recorded,
 * click links as acceptance effects), so the suite checks what retention removes as the rest of
 * the gateway sees it. Dead-lettered jobs are the queue's to forget (`JobQueue.pruneDead`, in the
 * queue suite); here only the store's side of a dead letter, the callback it carried.
 */
import { expect } from 'vitest';
import type { CallbackSpec } from './callback-outbox.js';
import { sampleMessage } from './message-store.conformance.js';
import { PRUNABLE_RECORDS } from './retention.js';
import { conformanceSuite, storageFor, takeOwedCallbacks, type StorageFixture } from './storage.conformance.js';

const T0 = 1_700_000_000_000;
const LONG_AGO = T0 + 1_000;
const CUTOFF = T0 + 10_000;
const RECENTLY = T0 + 20_000;
const DLR_URL = 'https://ct.example/dlr';

const report = (msgId: string): CallbackSpec => ({ accountId: 'acme', kind: 'dlr', url: DLR_URL, msgId, payload: '{}' });

export function runRetentionConformance(fixture: StorageFixture): void {
  conformanceSuite('RetentionStore', fixture, (test) => {
    const under = storageFor(fixture);

    test('forgets messages in a final state untouched since the cutoff, and no others', async () => {
      const { messages, retention } = under.storage;
      const read = sampleMessage({ acceptedAt: T0 });
      const failed = sampleMessage({ acceptedAt: T0 });
      const stillQueued = sampleMessage({ acceptedAt: T0 });
      const submittedLongAgo = sampleMessage({ acceptedAt: T0 });
      const readRecently = sampleMessage({ acceptedAt: T0 });
      await messages.acceptMessages([read, failed, stillQueued, submittedLongAgo, readRecently].map((message) => ({ message })));
      await messages.advanceState(read.id, 'read', LONG_AGO);
      await messages.applyStatus({ id: failed.id, accountId: 'acme', wamid: 'wamid.F' }, 'failed', LONG_AGO, { reason: 'other', metaCode: 131000, title: 'Something went wrong' });
      await messages.recordSubmitted(submittedLongAgo.id, 'wamid.S', LONG_AGO);
      await messages.advanceState(readRecently.id, 'read', RECENTLY);

      expect(await retention.pruneBatch('messages', CUTOFF, 100)).toBe(2);
      expect(await messages.getMessage(read.id)).toBeUndefined();
      expect(await messages.getMessage(failed.id)).toBeUndefined();
      expect(await messages.getLifecycle({ wamid: 'wamid.F' })).toBeUndefined();
      expect(await messages.getMessage(stillQueued.id)).toMatchObject({ state: 'accepted' });
      expect(await messages.getMessage(submittedLongAgo.id)).toMatchObject({ state: 'submitted' });
      expect(await messages.getMessage(readRecently.id)).toMatchObject({ state: 'read' });
      expect(await retention.pruneBatch('messages', CUTOFF, 100)).toBe(0);
    });

    test('removes at most `limit` records per call, oldest first', async () => {
      const { messages, retention } = under.storage;
      const batch = Array.from({ length: 5 }, (_, i) => sampleMessage({ acceptedAt: T0 + i }));
      await messages.acceptMessages(batch.map((message) => ({ message })));
      for (const [i, message] of batch.entries()) await messages.advanceState(message.id, 'delivered', LONG_AGO + i);
      expect(await retention.pruneBatch('messages', CUTOFF, 2)).toBe(2);
      expect(await messages.getMessage(batch[0]!.id)).toBeUndefined();
      expect(await messages.getMessage(batch[1]!.id)).toBeUndefined();
      expect(await messages.getMessage(batch[2]!.id)).toBeDefined();
      expect(await retention.pruneBatch('messages', CUTOFF, 2)).toBe(2);
      expect(await messages.getMessage(batch[4]!.id)).toBeDefined();
      expect(await retention.pruneBatch('messages', CUTOFF, 2)).toBe(1);
      expect(await retention.pruneBatch('messages', CUTOFF, 2)).toBe(0);
    });

    test('forgets delivered callbacks only; callbacks still owed stay', async () => {
      const storage = under.storage;
      // Owed each way the gateway owes one: with a status, with an inbound message, for a click.
      const message = sampleMessage();
      await storage.messages.acceptMessages([{ message }]);
      await storage.messages.applyStatus({ id: message.id, accountId: 'acme', wamid: 'wamid.A' }, 'sent', LONG_AGO, undefined, () => ({ callbacks: [report('a')] }));
      await storage.inbound.record({ wamid: 'wamid.in', accountId: 'acme', sender: '919999999999', receivedAt: LONG_AGO }, { callbacks: [report('b')] });
      await storage.outbox.owe([report('c')]);
      const [delivered, owed, deliveredRecently] = await takeOwedCallbacks(storage, DLR_URL);
      // Callbacks are stamped with the real clock when stored; deliveries come after that.
      const createdAt = Date.now();
      await storage.outbox.markDelivered([delivered!.id], createdAt + 1_000);
      await storage.outbox.markDelivered([deliveredRecently!.id], createdAt + 100_000);
      expect(await storage.retention.pruneBatch('deliveredCallbacks', createdAt + 50_000, 100)).toBe(1);
      expect(await storage.outbox.get([delivered!.id, owed!.id, deliveredRecently!.id])).toEqual([owed, { ...deliveredRecently, deliveredAt: createdAt + 100_000 }]);
      expect(await storage.retention.pruneBatch('deliveredCallbacks', createdAt + 50_000, 100)).toBe(0);
    });

    test('forgets callbacks dead-lettered before the cutoff and not delivered since', async () => {
      const storage = under.storage;
      await storage.outbox.owe(['old', 'young', 'replayed', 'owed', 'older'].map(report));
      const [old, young, replayed, owed, older] = await takeOwedCallbacks(storage, DLR_URL);
      await storage.outbox.markDead([old!.id, replayed!.id], LONG_AGO);
      await storage.outbox.markDead([older!.id], LONG_AGO - 1);
      await storage.outbox.markDead([young!.id], RECENTLY);
      // A dead letter replayed and delivered is a delivered callback now, kept by its own rule.
      await storage.outbox.markDelivered([replayed!.id], RECENTLY);
      expect(await storage.retention.pruneBatch('deadLetters', CUTOFF, 1)).toBe(1);
      expect(await storage.retention.pruneBatch('deadLetters', CUTOFF, 100)).toBe(1);
      expect(await storage.retention.pruneBatch('deadLetters', CUTOFF, 100)).toBe(0);
      expect(await storage.outbox.get([old!.id, young!.id, replayed!.id, owed!.id, older!.id])).toEqual([young, { ...replayed, deliveredAt: RECENTLY }, owed]);
    });

    test('forgets old inbound records, after which the same wamid counts as new', async () => {
      const { inbound, retention } = under.storage;
      expect(await inbound.record({ wamid: 'wamid.old', accountId: 'acme', sender: '919999999999', receivedAt: LONG_AGO })).toBe(true);
      expect(await inbound.record({ wamid: 'wamid.new', accountId: 'acme', sender: '919999999999', receivedAt: RECENTLY })).toBe(true);
      expect(await retention.pruneBatch('inboundMessages', CUTOFF, 100)).toBe(1);
      expect(await inbound.lastInboundAt('acme', '919999999999')).toBe(RECENTLY);
      expect(await inbound.record({ wamid: 'wamid.old', accountId: 'acme', sender: '919999999999', receivedAt: LONG_AGO })).toBe(true);
      expect(await inbound.record({ wamid: 'wamid.new', accountId: 'acme', sender: '919999999999', receivedAt: RECENTLY })).toBe(false);
    });

    test('forgets old click-tracking links', async () => {
      const { messages, clickLinks, retention } = under.storage;
      const [a, b] = [sampleMessage(), sampleMessage()];
      await messages.acceptMessages([
        { message: a, effects: { clickLinks: [{ code: 'oldcode001', accountId: 'acme', messageId: a.id, msgId: a.msgId, url: 'https://shop.example/a', createdAt: LONG_AGO }] } },
        { message: b, effects: { clickLinks: [{ code: 'newcode001', accountId: 'acme', messageId: b.id, msgId: b.msgId, url: 'https://shop.example/b', createdAt: RECENTLY }] } },
      ]);
      expect(await retention.pruneBatch('clickLinks', CUTOFF, 100)).toBe(1);
      expect(await clickLinks.get('oldcode001')).toBeUndefined();
      expect(await clickLinks.get('newcode001')).toMatchObject({ url: 'https://shop.example/b' });
    });

    test('never forgets opt-outs or templates, whatever the cutoff', async () => {
      const storage = under.storage;
      const optOut = { accountId: 'acme', recipient: '919999999999', keyword: 'STOP', optedOutAt: LONG_AGO };
      await storage.inbound.record({ wamid: 'wamid.stop', accountId: 'acme', sender: '919999999999', receivedAt: LONG_AGO }, { optOut });
      await storage.templates.replaceAll('acme', [{ id: '1', name: 'old', language: 'en', status: 'APPROVED', category: 'UTILITY', raw: {} }], LONG_AGO);
      const everything = Date.now() + 365 * 24 * 3600_000;
      for (const records of PRUNABLE_RECORDS) {
        await storage.retention.pruneBatch(records, everything, 1000);
      }
      expect(await storage.optOuts.all()).toEqual([optOut]);
      expect(await storage.templates.list('acme')).toHaveLength(1);
    });
  });
}
