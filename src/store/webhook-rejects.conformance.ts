/**
 * @module store/webhook-rejects.conformance
 * The one suite every WebhookRejectLog adapter passes. Adapters call
 * `runWebhookRejectLogConformance` from their own test file, with a fixture on real, durable
 * storage and a small cap (`maxKept`) so pruning is exercised.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_REJECT_ITEM_CHARS, type RejectedWebhookItem, type WebhookRejectLog } from './webhook-rejects.js';

export interface WebhookRejectLogFixture {
  name: string;
  /** The log must keep at most `maxKept` rows. */
  create(maxKept: number): Promise<{ log: WebhookRejectLog; reopen(): Promise<WebhookRejectLog>; close(): Promise<void> }>;
}

function reject(n: number, overrides: Partial<RejectedWebhookItem> = {}): RejectedWebhookItem {
  return { receivedAt: 1_700_000_000_000 + n, kind: 'status', where: `entry[0].changes[0].statuses[${n}]`, reason: 'no id', item: `{"n":${n}}`, ...overrides };
}

export function runWebhookRejectLogConformance(fixture: WebhookRejectLogFixture): void {
  describe(`WebhookRejectLog conformance: ${fixture.name}`, () => {
    let log: WebhookRejectLog;
    let reopen: () => Promise<WebhookRejectLog>;
    let close: () => Promise<void>;
    beforeEach(async () => ({ log, reopen, close } = await fixture.create(5)));
    afterEach(async () => close());

    it('keeps what it is given, newest first, with or without an account, across a restart', async () => {
      expect(await log.count()).toBe(0);
      expect(await log.list(10)).toEqual([]);
      await log.record([reject(1, { accountId: 'acme' }), reject(2, { kind: 'delivery', where: '', reason: 'no entry[] in the webhook body', item: '[]' })]);
      await log.record([]);
      log = await reopen();
      expect(await log.count()).toBe(2);
      const [newest, oldest] = await log.list(10);
      expect(newest).toMatchObject({ receivedAt: 1_700_000_000_002, kind: 'delivery', where: '', reason: 'no entry[] in the webhook body', item: '[]' });
      expect(newest).not.toHaveProperty('accountId');
      expect(oldest).toMatchObject({ receivedAt: 1_700_000_000_001, accountId: 'acme', kind: 'status', where: 'entry[0].changes[0].statuses[1]', item: '{"n":1}' });
      expect(newest!.id).toBeGreaterThan(oldest!.id);
    });

    it('keeps only the newest rows beyond its cap, within one record and across several', async () => {
      await log.record([1, 2, 3].map((n) => reject(n)));
      await log.record([4, 5, 6, 7].map((n) => reject(n)));
      expect(await log.count()).toBe(5);
      expect((await log.list(100)).map((row) => row.receivedAt - 1_700_000_000_000)).toEqual([7, 6, 5, 4, 3]);
      await log.record(Array.from({ length: 12 }, (_, n) => reject(100 + n)));
      expect((await log.list(2)).map((row) => row.receivedAt - 1_700_000_000_000)).toEqual([111, 110]);
      expect(await log.count()).toBe(5);
    });

    it('cuts an item at the size limit and lists at most what was asked', async () => {
      await log.record([reject(1, { item: 'x'.repeat(MAX_REJECT_ITEM_CHARS * 3) })]);
      const [kept] = await log.list(1);
      expect(kept!.item.length).toBeLessThanOrEqual(MAX_REJECT_ITEM_CHARS);
      expect(await log.list(0)).toEqual([]);
      expect(await log.list(-3)).toEqual([]);
    });
  });
}
