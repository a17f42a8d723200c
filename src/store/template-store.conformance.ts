/**
 * @module store/template-store.conformance
 * The one suite every TemplateStore adapter passes, run from `test/conformance/storages.test.ts`
 * on every storage of `test/support/storages.ts`; one test restarts the storage.
 */
import { beforeEach, expect } from 'vitest';
import { conformanceSuite, storageFor, type StorageFixture } from './storage.conformance.js';
import type { StoredTemplate, TemplateRecord, TemplateStore } from './template-store.js';

/** A template as a sync hands it over, with `raw` shaped like one item of Meta's listing. */
export function sampleTemplate(id: string, overrides: Partial<TemplateRecord> = {}): TemplateRecord {
  const name = overrides.name ?? `order_ready_${id}`;
  const language = overrides.language ?? 'en_US';
  const status = overrides.status ?? 'APPROVED';
  const category = overrides.category ?? 'UTILITY';
  return {
    id,
    name,
    language,
    status,
    category,
    raw: {
      name,
      parameter_format: 'POSITIONAL',
      components: [
        { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['https://scontent.example/h.jpg'] } },
        { type: 'BODY', text: 'Olá {{1}}, your order №{{2}} is ready 🎉\n"quoted" \\ back\\slash', example: { body_text: [['Ana', '42']] } },
        { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Track', url: 'https://shop.example/t/{{1}}', example: ['https://shop.example/t/1'] }] },
      ],
      language,
      status,
      category,
      sub_category: null,
      quality_score: { score: 'GREEN', date: 1_700_000_000 },
      previous_category: 'MARKETING',
      id,
    },
    ...overrides,
  };
}

function stored(accountId: string, template: TemplateRecord): StoredTemplate {
  return { accountId, ...template };
}

export function runTemplateStoreConformance(fixture: StorageFixture): void {
  conformanceSuite('TemplateStore', fixture, (test) => {
    const under = storageFor(fixture);
    /** This test's template store (a new one after a restart). */
    let store: TemplateStore;
    beforeEach(() => {
      store = under.storage.templates;
    });
    const reopen = async () => (await under.restart()).templates;

    test('knows nothing of an account that was never synced', async () => {
      expect(await store.list('acme')).toEqual([]);
      expect(await store.syncState('acme')).toBeUndefined();
      expect(await store.setStatus('acme', '1', 'PAUSED')).toBe(false);
    });

    test('stores a full sync and reads it back intact, ordered by id as plain strings', async () => {
      const templates = ['9', '100', '10', '1234567890123456', '1'].map((id) => sampleTemplate(id));
      await store.replaceAll('acme', templates, 1_700_000_000_000);
      const listed = await store.list('acme');
      expect(listed.map((t) => t.id)).toEqual(['1', '10', '100', '1234567890123456', '9']);
      expect(listed).toEqual(['1', '10', '100', '1234567890123456', '9'].map((id) => stored('acme', sampleTemplate(id))));
      expect(await store.syncState('acme')).toEqual({
        accountId: 'acme',
        lastAttemptAt: 1_700_000_000_000,
        lastSuccessAt: 1_700_000_000_000,
        templateCount: 5,
      });
    });

    test('keeps what it stored even when the caller mutates its objects afterwards', async () => {
      const template = sampleTemplate('1');
      await store.replaceAll('acme', [template], 1);
      (template.raw as { status: string }).status = 'REJECTED';
      template.name = 'changed';
      expect(await store.list('acme')).toEqual([stored('acme', sampleTemplate('1'))]);
    });

    test('replaces the catalogue: templates no longer listed go, changed ones are updated', async () => {
      await store.replaceAll('acme', [sampleTemplate('1'), sampleTemplate('2'), sampleTemplate('3')], 1000);
      const changed = sampleTemplate('2', { status: 'PAUSED', category: 'MARKETING' });
      await store.replaceAll('acme', [changed, sampleTemplate('4')], 2000);
      expect(await store.list('acme')).toEqual([stored('acme', changed), stored('acme', sampleTemplate('4'))]);
      expect(await store.syncState('acme')).toMatchObject({ lastSuccessAt: 2000, templateCount: 2 });
    });

    test('an empty sync empties the catalogue', async () => {
      await store.replaceAll('acme', [sampleTemplate('1')], 1000);
      await store.replaceAll('acme', [], 2000);
      expect(await store.list('acme')).toEqual([]);
      expect(await store.syncState('acme')).toEqual({ accountId: 'acme', lastAttemptAt: 2000, lastSuccessAt: 2000, templateCount: 0 });
    });

    test('a sync of one account leaves the others alone, even with the same template ids', async () => {
      await store.replaceAll('other', [sampleTemplate('1', { name: 'theirs' }), sampleTemplate('2')], 500);
      await store.replaceAll('acme', [sampleTemplate('1')], 1000);
      await store.replaceAll('acme', [sampleTemplate('3')], 2000);
      expect(await store.list('other')).toEqual([stored('other', sampleTemplate('1', { name: 'theirs' })), stored('other', sampleTemplate('2'))]);
      expect(await store.syncState('other')).toEqual({ accountId: 'other', lastAttemptAt: 500, lastSuccessAt: 500, templateCount: 2 });
      expect(await store.list('acme')).toEqual([stored('acme', sampleTemplate('3'))]);
    });

    test('concurrent syncs of different accounts both land', async () => {
      await Promise.all([
        store.replaceAll('acme', [sampleTemplate('1'), sampleTemplate('2')], 1000),
        store.replaceAll('other', [sampleTemplate('3')], 1000),
        store.recordSyncFailure('third', 1000, 'boom'),
      ]);
      expect((await store.list('acme')).map((t) => t.id)).toEqual(['1', '2']);
      expect((await store.list('other')).map((t) => t.id)).toEqual(['3']);
      expect(await store.syncState('third')).toMatchObject({ lastError: 'boom' });
    });

    test('an id listed twice in one sync is stored once, the later copy winning', async () => {
      await store.replaceAll('acme', [sampleTemplate('1'), sampleTemplate('2'), sampleTemplate('1', { status: 'PAUSED' })], 1000);
      expect(await store.list('acme')).toEqual([stored('acme', sampleTemplate('1', { status: 'PAUSED' })), stored('acme', sampleTemplate('2'))]);
      expect(await store.syncState('acme')).toMatchObject({ templateCount: 2 });
    });

    test('rejects items of another account and changes nothing', async () => {
      await store.replaceAll('acme', [sampleTemplate('1')], 1000);
      const foreign = stored('other', sampleTemplate('2'));
      await expect(store.replaceAll('acme', [sampleTemplate('3'), foreign], 2000)).rejects.toThrow(/other/);
      expect(await store.list('acme')).toEqual([stored('acme', sampleTemplate('1'))]);
      expect(await store.list('other')).toEqual([]);
      expect(await store.syncState('acme')).toMatchObject({ lastSuccessAt: 1000, templateCount: 1 });
      // Items that carry the right account are fine.
      await store.replaceAll('acme', [stored('acme', sampleTemplate('4'))], 3000);
      expect(await store.list('acme')).toEqual([stored('acme', sampleTemplate('4'))]);
    });

    test('a status webhook moves status and raw.status together, and nothing else', async () => {
      await store.replaceAll('acme', [sampleTemplate('1'), sampleTemplate('2')], 1000);
      expect(await store.setStatus('acme', '1', 'PAUSED')).toBe(true);
      const [first, second] = await store.list('acme');
      // sampleTemplate puts the status in raw too: exactly what a sync of the paused template would store.
      expect(first).toEqual(stored('acme', sampleTemplate('1', { status: 'PAUSED' })));
      expect(second).toEqual(stored('acme', sampleTemplate('2')));
      // Setting the status it already has still finds the template.
      expect(await store.setStatus('acme', '1', 'PAUSED')).toBe(true);
      // Not a sync: the bookkeeping is untouched.
      expect(await store.syncState('acme')).toEqual({ accountId: 'acme', lastAttemptAt: 1000, lastSuccessAt: 1000, templateCount: 2 });
    });

    test('a status webhook adds raw.status when Meta\'s JSON lacked it', async () => {
      await store.replaceAll('acme', [sampleTemplate('1', { raw: { id: '1', name: 'bare' } })], 1000);
      expect(await store.setStatus('acme', '1', 'APPROVED')).toBe(true);
      expect((await store.list('acme'))[0]).toMatchObject({ status: 'APPROVED', raw: { id: '1', name: 'bare', status: 'APPROVED' } });
    });

    test('a status webhook for an unknown template, or another account\'s, finds nothing', async () => {
      await store.replaceAll('acme', [sampleTemplate('1')], 1000);
      await store.replaceAll('other', [sampleTemplate('2')], 1000);
      expect(await store.setStatus('acme', '3', 'REJECTED')).toBe(false);
      expect(await store.setStatus('acme', '2', 'REJECTED')).toBe(false);
      expect(await store.list('other')).toEqual([stored('other', sampleTemplate('2'))]);
    });

    test('a failed first sync is recorded with nothing stored', async () => {
      await store.recordSyncFailure('acme', 1000, 'Graph 190: token expired');
      expect(await store.list('acme')).toEqual([]);
      expect(await store.syncState('acme')).toEqual({ accountId: 'acme', lastAttemptAt: 1000, lastError: 'Graph 190: token expired', templateCount: 0 });
    });

    test('a failed sync keeps the last good copy; the next success clears the error', async () => {
      await store.replaceAll('acme', [sampleTemplate('1'), sampleTemplate('2')], 1000);
      await store.recordSyncFailure('acme', 2000, 'timeout');
      await store.recordSyncFailure('acme', 3000, 'Graph 4: rate limited');
      expect(await store.list('acme')).toEqual([stored('acme', sampleTemplate('1')), stored('acme', sampleTemplate('2'))]);
      expect(await store.syncState('acme')).toEqual({
        accountId: 'acme',
        lastAttemptAt: 3000,
        lastSuccessAt: 1000,
        lastError: 'Graph 4: rate limited',
        templateCount: 2,
      });
      await store.replaceAll('acme', [sampleTemplate('3')], 4000);
      expect(await store.syncState('acme')).toEqual({ accountId: 'acme', lastAttemptAt: 4000, lastSuccessAt: 4000, templateCount: 1 });
    });

    test('everything survives a restart', async () => {
      await store.replaceAll('acme', [sampleTemplate('2'), sampleTemplate('1')], 1000);
      await store.setStatus('acme', '2', 'DISABLED');
      await store.recordSyncFailure('acme', 2000, 'timeout');
      await store.recordSyncFailure('other', 2500, 'no access');
      const before = { acme: await store.list('acme'), acmeState: await store.syncState('acme'), otherState: await store.syncState('other') };
      store = await reopen();
      expect(await store.list('acme')).toEqual(before.acme);
      expect(before.acme[1]).toMatchObject({ id: '2', status: 'DISABLED', raw: { status: 'DISABLED' } });
      expect(await store.syncState('acme')).toEqual(before.acmeState);
      expect(await store.syncState('other')).toEqual(before.otherState);
    });
  });
}
