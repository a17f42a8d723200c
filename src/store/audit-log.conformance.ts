/**
 * @module store/audit-log.conformance
 * The one suite every AuditLog adapter passes, run from `test/conformance/storages.test.ts` on
 * every storage of `test/support/storages.ts`: entries as recorded, newest first, paged back by
 * id, narrowed to a subject, capped at {@link MAX_LISTED_AUDIT_ENTRIES}. Entries written with an
 * account change are the AccountStore suite's.
 */
import { expect } from 'vitest';
import { MAX_LISTED_AUDIT_ENTRIES, type AuditDraft, type AuditEntry } from './account-store.js';
import { conformanceSuite, storageFor, type StorageFixture } from './storage.conformance.js';

const T0 = 1_700_000_000_000;

function draft(n: number, subject = 'acme', details: Record<string, unknown> = { n }): AuditDraft {
  return { at: T0 + n, actor: n % 2 ? 'ops-token' : 'loopback', action: 'callbacks.replay', subject, details };
}

const numbers = (entries: AuditEntry[]) => entries.map((entry) => entry.at - T0);

export function runAuditLogConformance(fixture: StorageFixture): void {
  conformanceSuite('AuditLog', fixture, (test) => {
    const under = storageFor(fixture);
    const log = () => under.storage.audit;

    test('answers each entry as recorded, with an id that grows, and lists newest first across a restart', async () => {
      expect(await log().list({ limit: 10 })).toEqual([]);
      const first = await log().record(draft(1, 'acme', { urls: ['https://ct.example/dr'], count: 3, who: 'José 👋' }));
      const second = await log().record(draft(2, 'globex'));
      expect(first).toEqual({ id: expect.any(String), ...draft(1, 'acme', { urls: ['https://ct.example/dr'], count: 3, who: 'José 👋' }) });
      expect(BigInt(second.id)).toBeGreaterThan(BigInt(first.id));
      const storage = await under.restart();
      expect(await storage.audit.list({ limit: 10 })).toEqual([second, first]);
    });

    test('pages back with `before`, an entry id, until nothing is older', async () => {
      for (let n = 1; n <= 7; n++) await log().record(draft(n));
      const pages: number[][] = [];
      let before: string | undefined;
      for (;;) {
        const page = await log().list({ limit: 3, ...(before === undefined ? {} : { before }) });
        if (page.length === 0) break;
        pages.push(numbers(page));
        before = page.at(-1)!.id;
      }
      expect(pages).toEqual([[7, 6, 5], [4, 3, 2], [1]]);
    });

    test('narrows to one subject, paging within it', async () => {
      for (let n = 1; n <= 8; n++) await log().record(draft(n, n % 3 === 0 ? 'globex' : 'acme'));
      expect(numbers(await log().list({ limit: 10, subject: 'globex' }))).toEqual([6, 3]);
      const page = await log().list({ limit: 2, subject: 'acme' });
      expect(numbers(page)).toEqual([8, 7]);
      expect(numbers(await log().list({ limit: 10, subject: 'acme', before: page[1]!.id }))).toEqual([5, 4, 2, 1]);
      expect(await log().list({ limit: 10, subject: 'nobody' })).toEqual([]);
    });

    test(`lists at most what was asked, never more than ${MAX_LISTED_AUDIT_ENTRIES}, and nothing for a cursor that is not an id`, async () => {
      await Promise.all(Array.from({ length: MAX_LISTED_AUDIT_ENTRIES + 20 }, (_, index) => log().record(draft(index))));
      expect(await log().list({ limit: 0 })).toEqual([]);
      expect(await log().list({ limit: -3 })).toEqual([]);
      expect(await log().list({ limit: 2.7 })).toHaveLength(2);
      expect(await log().list({ limit: 10_000 })).toHaveLength(MAX_LISTED_AUDIT_ENTRIES);
      const all = [...(await log().list({ limit: 10_000 })), ...(await log().list({ limit: 10_000, before: (await log().list({ limit: 10_000 })).at(-1)!.id }))];
      expect(new Set(all.map((entry) => entry.id)).size).toBe(MAX_LISTED_AUDIT_ENTRIES + 20);
      expect(await log().list({ limit: 10, before: 'not-an-id' })).toEqual([]);
      expect(await log().list({ limit: 10, before: '-1' })).toEqual([]);
      expect(await log().list({ limit: 10, before: '0' })).toEqual([]);
      expect(await log().list({ limit: 3, before: '99999999999999999999999' })).toHaveLength(3);
    });
  });
}
