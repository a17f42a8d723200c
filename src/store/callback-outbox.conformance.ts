/**
 * @module store/callback-outbox.conformance
 * The one suite every CallbackOutbox adapter passes, run from `test/conformance/storages.test.ts`.
 * What `markDelivered` and `markDead` record shows where the port lets it show: in what
 * retention may forget (store/retention.ts).
 */
import { expect } from 'vitest';
import type { CallbackSpec } from './callback-outbox.js';
import { byNumericId, conformanceSuite, storageFor, takeOwedCallbacks, type StorageFixture } from './storage.conformance.js';

const DLR_URL = 'https://ct.example/dlr';
const IMO_URL = 'https://ct.example/imo';

function report(msgId: string, overrides: Partial<CallbackSpec> = {}): CallbackSpec {
  return { accountId: 'acme', kind: 'dlr', url: DLR_URL, msgId, payload: JSON.stringify({ msgId, status: 'delivered' }), ...overrides };
}

export function runCallbackOutboxConformance(fixture: StorageFixture): void {
  conformanceSuite('CallbackOutbox', fixture, (test) => {
    const under = storageFor(fixture);

    test('owes callbacks, each with a delivery job in the partition of its URL', async () => {
      const storage = under.storage;
      const before = Date.now();
      const imo = { accountId: 'acme', kind: 'imo' as const, url: IMO_URL, payload: '{"from":"919999999999","text":"Olá 🎉 \\"quoted\\""}' };
      await storage.outbox.owe([report('1|a'), imo, report('1|b', { kind: 'profile', accountId: 'other' })]);
      const reports = await takeOwedCallbacks(storage, DLR_URL);
      expect(reports).toEqual([
        { id: expect.any(String), createdAt: expect.any(Number), ...report('1|a') },
        { id: expect.any(String), createdAt: expect.any(Number), ...report('1|b', { kind: 'profile', accountId: 'other' }) },
      ]);
      const [inbound] = await takeOwedCallbacks(storage, IMO_URL);
      // No msgId given, none stored.
      expect(inbound).toEqual({ id: expect.any(String), createdAt: expect.any(Number), ...imo });
      expect(inbound).not.toHaveProperty('msgId');
      for (const callback of [...reports, inbound!]) {
        expect(callback.id).toMatch(/^[1-9][0-9]*$/);
        expect(callback.createdAt).toBeGreaterThanOrEqual(before);
        expect(callback.createdAt).toBeLessThanOrEqual(Date.now());
      }
      expect(new Set([...reports, inbound!].map((callback) => callback.id)).size).toBe(3);
    });

    test('owing nothing commits nothing', async () => {
      const storage = under.storage;
      await storage.outbox.owe([]);
      expect(await takeOwedCallbacks(storage, DLR_URL)).toEqual([]);
    });

    test('gets the callbacks among the ids it is given, in the order they were owed, leaving out missing ones', async () => {
      const storage = under.storage;
      // Twelve, so ids cross a decimal digit: '10' must come after '9'.
      await storage.outbox.owe(Array.from({ length: 12 }, (_, index) => report(`1|${index}`)));
      const owed = await takeOwedCallbacks(storage, DLR_URL);
      expect(owed.map((callback) => callback.msgId)).toEqual(Array.from({ length: 12 }, (_, index) => `1|${index}`));
      expect([...owed].sort(byNumericId)).toEqual(owed);
      const ids = owed.map((callback) => callback.id);
      const got = await storage.outbox.get([...ids].reverse());
      expect(got).toEqual(owed);
      expect(await storage.outbox.get([ids[3]!, '999999999999', ids[1]!])).toEqual([owed[1], owed[3]]);
      expect(await storage.outbox.get(['999999999999'])).toEqual([]);
      expect(await storage.outbox.get([])).toEqual([]);
    });

    test('keeps owing a callback whose delivery failed; forgets a delivered one only through retention', async () => {
      const storage = under.storage;
      await storage.outbox.owe([report('1|failed'), report('1|delivered'), report('1|redelivered')]);
      const [failed, delivered, redelivered] = await takeOwedCallbacks(storage, DLR_URL);
      const deliveredAt = Date.now() + 1_000;
      await storage.outbox.markFailed([failed!.id, redelivered!.id], 'HTTP 503');
      await storage.outbox.markFailed([failed!.id], 'HTTP 502');
      await storage.outbox.markDelivered([delivered!.id, redelivered!.id], deliveredAt);
      // Marking is bookkeeping: the callbacks read back unchanged but for when CleverTap accepted
      // them (a delivery job that outlived its delivery must not post them again).
      expect(await storage.outbox.get([failed!.id, delivered!.id, redelivered!.id])).toEqual([
        failed,
        { ...delivered, deliveredAt },
        { ...redelivered, deliveredAt },
      ]);
      expect(failed!.deliveredAt).toBeUndefined();
      expect(await storage.retention.pruneBatch('deliveredCallbacks', deliveredAt + 1, 100)).toBe(2);
      expect(await storage.outbox.get([failed!.id, delivered!.id, redelivered!.id])).toEqual([failed]);
    });

    test('keeps a dead-lettered callback for replay until retention forgets it', async () => {
      const storage = under.storage;
      await storage.outbox.owe([report('1|dead'), report('1|replayed'), report('1|owed')]);
      const [dead, replayed, owed] = await takeOwedCallbacks(storage, DLR_URL);
      const deadAt = Date.now();
      await storage.outbox.markDead([dead!.id, replayed!.id], deadAt);
      expect(await storage.outbox.get([dead!.id, replayed!.id, owed!.id])).toEqual([dead, replayed, owed]);
      // Replayed and delivered: no longer a dead letter (a delivered callback, by its own age).
      await storage.outbox.markDelivered([replayed!.id], deadAt + 1);
      expect(await storage.retention.pruneBatch('deadLetters', deadAt + 10, 100)).toBe(1);
      expect(await storage.outbox.get([dead!.id, replayed!.id, owed!.id])).toEqual([{ ...replayed, deliveredAt: deadAt + 1 }, owed]);
    });

    test('marks of unknown ids, or of none, change nothing and do not fail', async () => {
      const storage = under.storage;
      await storage.outbox.owe([report('1|a')]);
      const [owed] = await takeOwedCallbacks(storage, DLR_URL);
      await storage.outbox.markDelivered(['999999999999'], Date.now());
      await storage.outbox.markFailed(['999999999999'], 'HTTP 500');
      await storage.outbox.markDead(['999999999999'], Date.now());
      await storage.outbox.markDelivered([], Date.now());
      await storage.outbox.markFailed([], 'HTTP 500');
      await storage.outbox.markDead([], Date.now());
      expect(await storage.retention.pruneBatch('deliveredCallbacks', Date.now() + 60_000, 100)).toBe(0);
      expect(await storage.retention.pruneBatch('deadLetters', Date.now() + 60_000, 100)).toBe(0);
      expect(await storage.outbox.get([owed!.id])).toEqual([owed]);
    });
  });
}
