/**
 * @module store/webhook-rejects.conformance
 * The one suite every WebhookRejectLog adapter passes, run from `test/conformance/storages.test.ts`
 * on every storage of `test/support/storages.ts`, with the cap a storage gives its log
 * ({@link DEFAULT_MAX_KEPT_REJECTS}). Smaller caps are adapter options, tested with the adapter.
 */
import { expect } from 'vitest';
import { conformanceSuite, storageFor, type StorageFixture } from './storage.conformance.js';
import { DEFAULT_MAX_KEPT_REJECTS, MAX_REJECT_ITEM_CHARS, type RejectedWebhookItem } from './webhook-rejects.js';

const T0 = 1_700_000_000_000;

function reject(n: number, overrides: Partial<RejectedWebhookItem> = {}): RejectedWebhookItem {
  return { receivedAt: T0 + n, kind: 'status', where: `entry[0].changes[0].statuses[${n}]`, reason: 'no id', item: `{"n":${n}}`, ...overrides };
}

const numbered = (from: number, count: number) => Array.from({ length: count }, (_, index) => reject(from + index));

export function runWebhookRejectLogConformance(fixture: StorageFixture): void {
  conformanceSuite('WebhookRejectLog', fixture, (test) => {
    const under = storageFor(fixture);

    test('keeps what it is given, newest first, with or without an account, across a restart', async () => {
      let log = under.storage.webhookRejects;
      expect(await log.count()).toBe(0);
      expect(await log.list(10)).toEqual([]);
      await log.record([reject(1, { accountId: 'acme' }), reject(2, { kind: 'delivery', where: '', reason: 'no entry[] in the webhook body', item: '[]' })]);
      await log.record([]);
      log = (await under.restart()).webhookRejects;
      expect(await log.count()).toBe(2);
      const [newest, oldest] = await log.list(10);
      expect(newest).toMatchObject({ receivedAt: T0 + 2, kind: 'delivery', where: '', reason: 'no entry[] in the webhook body', item: '[]' });
      expect(newest).not.toHaveProperty('accountId');
      expect(oldest).toMatchObject({ receivedAt: T0 + 1, accountId: 'acme', kind: 'status', where: 'entry[0].changes[0].statuses[1]', item: '{"n":1}' });
      expect(newest!.id).toBeGreaterThan(oldest!.id);
    });

    test('keeps only the newest rows beyond its cap, within one record and across several', async () => {
      const log = under.storage.webhookRejects;
      const cap = DEFAULT_MAX_KEPT_REJECTS;
      await log.record(numbered(0, cap + 3));
      expect(await log.count()).toBe(cap);
      await log.record(numbered(cap + 3, 4));
      expect(await log.count()).toBe(cap);
      // The newest are all there and the count is at the cap: the oldest went.
      expect((await log.list(5)).map((row) => row.receivedAt - T0)).toEqual([cap + 6, cap + 5, cap + 4, cap + 3, cap + 2]);
    });

    test('cuts an item at the size limit and lists at most what was asked, and never more than 1,000', async () => {
      const log = under.storage.webhookRejects;
      await log.record([reject(1, { item: 'x'.repeat(MAX_REJECT_ITEM_CHARS * 3) })]);
      const [kept] = await log.list(1);
      expect(kept!.item.length).toBeLessThanOrEqual(MAX_REJECT_ITEM_CHARS);
      expect(kept!.item).toBe('x'.repeat(kept!.item.length));
      expect(await log.list(0)).toEqual([]);
      expect(await log.list(-3)).toEqual([]);
      await log.record(numbered(2, 1_100));
      expect(await log.list(5_000)).toHaveLength(1_000);
    });
  });
}
