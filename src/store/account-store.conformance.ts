/**
 * @module store/account-store.conformance
 * The one suite every AccountStore adapter passes, run from `test/conformance/storages.test.ts`
 * on every storage of `test/support/storages.ts`: the live-id and live-number rules, versions,
 * soft delete and revival, one audit entry per write (none per refusal), the revision a replica
 * polls, and concurrent writes that race for one number or one version.
 */
import { expect } from 'vitest';
import type { AccountRecord, AccountStore, AuditDraft, AuditEntry } from './account-store.js';
import { conformanceSuite, storageFor, type StorageFixture } from './storage.conformance.js';

const T0 = 1_700_000_000_000;

/** An account document shaped like the config file's, as the admin API saves it. */
export function sampleDocument(id: string, wabaNumber: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    wabaNumber,
    whatsapp: { phoneNumberId: `10${wabaNumber}`, accessToken: `EAAG-${id}-secret`, graphBaseUrl: 'https://graph.facebook.com/v21.0' },
    clevertap: { auth: { kind: 'bearer', token: `ct-${id}` }, deliveryReportUrl: `https://ct.example/${id}/dr`, inboundUrl: `https://ct.example/${id}/in` },
    ...overrides,
  };
}

function account(id: string, wabaNumber: string, overrides: Record<string, unknown> = {}) {
  return { id, wabaNumber, document: sampleDocument(id, wabaNumber, overrides) };
}

function draft(action: string, subject: string, at: number, details: Record<string, unknown> = {}): AuditDraft {
  return { at, actor: 'ops-token', action, subject, details };
}

/** What an entry holds besides its id. */
const withoutId = ({ id: _id, ...entry }: AuditEntry): AuditDraft => entry;

/** The account a successful write returned (fails the test on a refusal). */
function written(result: Awaited<ReturnType<AccountStore['create']>>): AccountRecord {
  if (!result.ok) throw new Error(`the write was refused: ${result.reason}`);
  return result.account;
}

export function runAccountStoreConformance(fixture: StorageFixture): void {
  conformanceSuite('AccountStore', fixture, (test) => {
    const under = storageFor(fixture);
    const store = () => under.storage.accounts;
    const auditTrail = async () => (await under.storage.audit.list({ limit: 500 })).map(withoutId);

    test('knows no account at first', async () => {
      expect(await store().list()).toEqual([]);
      expect(await store().get('acme')).toBeUndefined();
      expect(typeof (await store().revision())).toBe('string');
    });

    test('creates accounts at version 1, stamped with the audit time, listed by id as plain strings', async () => {
      for (const [index, id] of ['b', 'a', '9', '10', 'A'].entries()) {
        written(await store().create(account(id, `91980000000${index}`), draft('account.create', id, T0 + index)));
      }
      const listed = await store().list();
      expect(listed.map((record) => record.id)).toEqual(['10', '9', 'A', 'a', 'b']);
      const acme = await store().get('b');
      expect(acme).toEqual({ id: 'b', wabaNumber: '919800000000', document: sampleDocument('b', '919800000000'), version: 1, createdAt: T0, updatedAt: T0 });
      expect(acme).not.toHaveProperty('deletedAt');
      expect(listed.find((record) => record.id === 'b')).toEqual(acme);
    });

    test('a create answers the stored account, and later changes to the caller\'s objects change nothing', async () => {
      const input = account('acme', '919888888888');
      const created = written(await store().create(input, draft('account.create', 'acme', T0)));
      expect(created).toEqual({ ...input, version: 1, createdAt: T0, updatedAt: T0 });
      (input.document.whatsapp as { accessToken: string }).accessToken = 'changed';
      input.wabaNumber = '910000000000';
      expect(await store().get('acme')).toEqual(created);
      expect((created.document.whatsapp as { accessToken: string }).accessToken).toBe('EAAG-acme-secret');
    });

    test('refuses a second live account with an id in use, whatever its number', async () => {
      const first = written(await store().create(account('acme', '919888888888'), draft('account.create', 'acme', T0)));
      expect(await store().create(account('acme', '919777777777'), draft('account.create', 'acme', T0 + 1))).toEqual({ ok: false, reason: 'exists' });
      // The id is checked first: the same id with its own number is `exists`, not `number-taken`.
      expect(await store().create(account('acme', '919888888888'), draft('account.create', 'acme', T0 + 1))).toEqual({ ok: false, reason: 'exists' });
      expect(await store().list()).toEqual([first]);
    });

    test('refuses a WABA number another live account serves, naming that account', async () => {
      written(await store().create(account('acme', '919888888888'), draft('account.create', 'acme', T0)));
      expect(await store().create(account('globex', '919888888888'), draft('account.create', 'globex', T0 + 1))).toEqual({ ok: false, reason: 'number-taken', by: 'acme' });
      expect(await store().get('globex')).toBeUndefined();
    });

    test('an update replaces document and number, one version on, keeping when it was created', async () => {
      written(await store().create(account('acme', '919888888888'), draft('account.create', 'acme', T0)));
      const changed = account('acme', '919777777777', { clevertap: { auth: { kind: 'basic', username: 'u', password: 'p' } } });
      const updated = written(await store().update(changed, draft('account.update', 'acme', T0 + 60_000)));
      expect(updated).toEqual({ ...changed, version: 2, createdAt: T0, updatedAt: T0 + 60_000 });
      expect(await store().get('acme')).toEqual(updated);
      expect(written(await store().update(changed, draft('account.update', 'acme', T0 + 120_000))).version).toBe(3);
      // Its old number is free now.
      written(await store().create(account('globex', '919888888888'), draft('account.create', 'globex', T0 + 180_000)));
    });

    test('an update naming a version applies only at that version', async () => {
      written(await store().create(account('acme', '919888888888'), draft('account.create', 'acme', T0)));
      written(await store().update(account('acme', '919888888888', { note: 'one' }), draft('account.update', 'acme', T0 + 1)));
      expect(await store().update(account('acme', '919888888888', { note: 'stale' }), draft('account.update', 'acme', T0 + 2), 1)).toEqual({ ok: false, reason: 'version-conflict' });
      expect((await store().get('acme'))?.document.note).toBe('one');
      const applied = written(await store().update(account('acme', '919888888888', { note: 'two' }), draft('account.update', 'acme', T0 + 3), 2));
      expect(applied).toMatchObject({ version: 3, document: { note: 'two' } });
    });

    test('an update of an account that is not live is `missing`, whatever the version it names', async () => {
      expect(await store().update(account('acme', '919888888888'), draft('account.update', 'acme', T0))).toEqual({ ok: false, reason: 'missing' });
      expect(await store().update(account('acme', '919888888888'), draft('account.update', 'acme', T0), 1)).toEqual({ ok: false, reason: 'missing' });
      written(await store().create(account('acme', '919888888888'), draft('account.create', 'acme', T0)));
      written(await store().markDeleted('acme', draft('account.delete', 'acme', T0 + 1)));
      expect(await store().update(account('acme', '919888888888'), draft('account.update', 'acme', T0 + 2), 1)).toEqual({ ok: false, reason: 'missing' });
      expect(await store().get('acme')).toMatchObject({ deletedAt: T0 + 1, version: 1 });
    });

    test('an update may keep its own number but not take one another live account serves', async () => {
      written(await store().create(account('acme', '919888888888'), draft('account.create', 'acme', T0)));
      written(await store().create(account('globex', '919777777777'), draft('account.create', 'globex', T0)));
      expect(await store().update(account('globex', '919888888888'), draft('account.update', 'globex', T0 + 1))).toEqual({ ok: false, reason: 'number-taken', by: 'acme' });
      expect(await store().get('globex')).toMatchObject({ wabaNumber: '919777777777', version: 1 });
      expect(written(await store().update(account('globex', '919777777777', { note: 'same number' }), draft('account.update', 'globex', T0 + 2))).version).toBe(2);
    });

    test('a deleted account stays listed with when it was deleted, and frees its number', async () => {
      written(await store().create(account('acme', '919888888888'), draft('account.create', 'acme', T0)));
      const deleted = written(await store().markDeleted('acme', draft('account.delete', 'acme', T0 + 5_000)));
      expect(deleted).toEqual({ ...account('acme', '919888888888'), version: 1, createdAt: T0, updatedAt: T0 + 5_000, deletedAt: T0 + 5_000 });
      expect(await store().get('acme')).toEqual(deleted);
      expect(await store().list()).toEqual([deleted]);
      expect(await store().markDeleted('acme', draft('account.delete', 'acme', T0 + 6_000))).toEqual({ ok: false, reason: 'missing' });
      expect(await store().markDeleted('nobody', draft('account.delete', 'nobody', T0 + 6_000))).toEqual({ ok: false, reason: 'missing' });
      const globex = written(await store().create(account('globex', '919888888888'), draft('account.create', 'globex', T0 + 7_000)));
      expect((await store().list()).map((record) => [record.id, record.wabaNumber, record.deletedAt])).toEqual([
        ['acme', '919888888888', T0 + 5_000],
        ['globex', '919888888888', undefined],
      ]);
      expect(globex.version).toBe(1);
    });

    test('creating a deleted account\'s id revives its row: the new document, version 1, live again', async () => {
      written(await store().create(account('acme', '919888888888'), draft('account.create', 'acme', T0)));
      written(await store().update(account('acme', '919888888888', { note: 'v2' }), draft('account.update', 'acme', T0 + 1)));
      written(await store().markDeleted('acme', draft('account.delete', 'acme', T0 + 2)));
      written(await store().create(account('globex', '919888888888'), draft('account.create', 'globex', T0 + 3)));
      // Its old number now belongs to globex: reviving with it is refused, with another it is not.
      expect(await store().create(account('acme', '919888888888'), draft('account.create', 'acme', T0 + 4))).toEqual({ ok: false, reason: 'number-taken', by: 'globex' });
      const revived = written(await store().create(account('acme', '919666666666', { note: 'back' }), draft('account.create', 'acme', T0 + 5)));
      expect(revived).toEqual({ ...account('acme', '919666666666', { note: 'back' }), version: 1, createdAt: T0 + 5, updatedAt: T0 + 5 });
      expect(revived).not.toHaveProperty('deletedAt');
      expect(await store().get('acme')).toEqual(revived);
      expect(await store().list()).toHaveLength(2);
    });

    test('every write leaves exactly one audit entry, the draft as given; a refused write leaves none', async () => {
      const drafts = [
        draft('account.create', 'acme', T0, { fields: ['id', 'wabaNumber', 'whatsapp.accessToken'], secrets: { 'whatsapp.accessToken': 'changed' } }),
        draft('account.update', 'acme', T0 + 1, { changed: { 'clevertap.deliveryReportUrl': { from: 'https://a.example', to: 'https://b.example' } } }),
        draft('account.delete', 'acme', T0 + 2),
        { ...draft('account.create', 'acme', T0 + 3, { revived: true }), actor: 'loopback' },
      ];
      written(await store().create(account('acme', '919888888888'), drafts[0]!));
      written(await store().update(account('acme', '919888888888', { note: 'x' }), drafts[1]!));
      written(await store().markDeleted('acme', drafts[2]!));
      written(await store().create(account('acme', '919888888888'), drafts[3]!));
      expect(await auditTrail()).toEqual([...drafts].reverse());

      // Each refusal, none of which may leave a trace.
      written(await store().create(account('globex', '919777777777'), draft('account.create', 'globex', T0 + 4)));
      const before = await auditTrail();
      expect((await store().create(account('acme', '919000000000'), draft('refused.exists', 'acme', T0 + 5))).ok).toBe(false);
      expect((await store().create(account('initech', '919777777777'), draft('refused.number', 'initech', T0 + 5))).ok).toBe(false);
      expect((await store().update(account('nobody', '919000000000'), draft('refused.missing', 'nobody', T0 + 5))).ok).toBe(false);
      expect((await store().update(account('acme', '919888888888'), draft('refused.version', 'acme', T0 + 5), 7)).ok).toBe(false);
      expect((await store().update(account('acme', '919777777777'), draft('refused.update-number', 'acme', T0 + 5))).ok).toBe(false);
      expect((await store().markDeleted('nobody', draft('refused.delete', 'nobody', T0 + 5))).ok).toBe(false);
      expect(await auditTrail()).toEqual(before);
      expect(before).toHaveLength(5);
    });

    test('the revision moves with every write and holds still otherwise', async () => {
      const seen = new Set<string>();
      const revision = async () => {
        const value = await store().revision();
        expect(await store().revision()).toBe(value);
        return value;
      };
      const moved = async () => {
        const value = await revision();
        expect(seen.has(value)).toBe(false);
        seen.add(value);
      };
      await moved();
      // The same time on every write: the revision cannot lean on the writers' clocks.
      written(await store().create(account('acme', '919888888888'), draft('account.create', 'acme', T0)));
      await moved();
      written(await store().update(account('acme', '919888888888'), draft('account.update', 'acme', T0)));
      await moved();
      written(await store().create(account('globex', '919777777777'), draft('account.create', 'globex', T0)));
      await moved();
      written(await store().markDeleted('acme', draft('account.delete', 'acme', T0)));
      await moved();
      written(await store().create(account('acme', '919888888888'), draft('account.create', 'acme', T0)));
      await moved();
      const settled = await revision();
      // Reads, refusals and audit entries of other changes leave it.
      await store().list();
      await store().get('acme');
      expect((await store().create(account('acme', '919000000000'), draft('account.create', 'acme', T0))).ok).toBe(false);
      expect((await store().update(account('globex', '919777777777'), draft('account.update', 'globex', T0), 9)).ok).toBe(false);
      expect((await store().markDeleted('nobody', draft('account.delete', 'nobody', T0))).ok).toBe(false);
      await under.storage.audit.record(draft('callbacks.replay', 'acme', T0));
      expect(await revision()).toBe(settled);
    });

    test('concurrent creates for one number: exactly one wins, the others are told who', async () => {
      const ids = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'];
      const results = await Promise.all(ids.map((id, index) => store().create(account(id, '919888888888'), draft('account.create', id, T0 + index))));
      const winners = results.flatMap((result) => (result.ok ? [result.account.id] : []));
      expect(winners).toHaveLength(1);
      for (const result of results) if (!result.ok) expect(result).toEqual({ ok: false, reason: 'number-taken', by: winners[0] });
      expect((await store().list()).map((record) => record.id)).toEqual(winners);
      expect((await under.storage.audit.list({ limit: 50 })).map((entry) => entry.subject)).toEqual(winners);
    });

    test('concurrent creates of one id, and concurrent updates from one version: exactly one of each wins', async () => {
      const creates = await Promise.all([1, 2, 3, 4, 5].map((n) => store().create(account('acme', `91988888888${n}`), draft('account.create', 'acme', T0 + n))));
      expect(creates.filter((result) => result.ok)).toHaveLength(1);
      expect(creates.filter((result) => !result.ok)).toEqual(Array(4).fill({ ok: false, reason: 'exists' }));
      const updates = await Promise.all([1, 2, 3, 4, 5].map((n) => store().update(account('acme', '919888888888', { note: n }), draft('account.update', 'acme', T0 + 10 + n), 1)));
      const applied = updates.flatMap((result) => (result.ok ? [result.account] : []));
      expect(applied).toHaveLength(1);
      expect(updates.filter((result) => !result.ok)).toEqual(Array(4).fill({ ok: false, reason: 'version-conflict' }));
      expect(await store().get('acme')).toEqual(applied[0]);
      expect(applied[0]!.version).toBe(2);
      expect(await under.storage.audit.list({ limit: 50 })).toHaveLength(2);
    });

    test('documents come back exactly as saved: nesting, key order, unicode, escapes, numbers', async () => {
      const document = {
        zeta: 'first key, whatever its name',
        id: 'acme',
        nested: { deeper: { deepest: [1, { b: 2, a: 1 }, [], {}, null, true, false] } },
        unicode: 'Olá 世界 👋🏽 ﬁ — "quoted" \\ back\\slash \n\t',
        control: '\u0000\u0001\u001f',
        loneSurrogate: '\ud800',
        numbers: [0, -1, 1.5, 1e21, 2 ** 53, -0.000001],
        empty: '',
      };
      written(await store().create({ id: 'acme', wabaNumber: '919888888888', document }, draft('account.create', 'acme', T0, { document })));
      const stored = (await store().get('acme'))!.document;
      expect(JSON.stringify(stored)).toBe(JSON.stringify(document));
      expect(JSON.stringify((await store().list())[0]!.document)).toBe(JSON.stringify(document));
      expect(JSON.stringify((await under.storage.audit.list({ limit: 1 }))[0]!.details)).toBe(JSON.stringify({ document }));
    });

    test('accounts survive a restart, deleted ones with when they were deleted', async () => {
      written(await store().create(account('acme', '919888888888'), draft('account.create', 'acme', T0)));
      written(await store().create(account('globex', '919777777777'), draft('account.create', 'globex', T0 + 1)));
      written(await store().markDeleted('globex', draft('account.delete', 'globex', T0 + 2)));
      const listed = await store().list();
      const revision = await store().revision();
      const storage = await under.restart();
      expect(await storage.accounts.list()).toEqual(listed);
      expect(await storage.accounts.revision()).toBe(revision);
      expect(await storage.accounts.create(account('initech', '919888888888'), draft('account.create', 'initech', T0 + 3))).toEqual({ ok: false, reason: 'number-taken', by: 'acme' });
    });
  });
}
