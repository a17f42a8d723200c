/**
 * The template catalogue against the real Meta simulator over HTTP and a real SQLite file: the
 * schedule, retries after a failure, webhook-driven changes and their ordering.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.js';
import type { MetaSimulator } from '../sim/meta/index.js';
import { startTestSim, TOKEN, WABA_ID } from '../sim/meta/test-support.js';
import { openSqlite, type SqliteDatabase } from '../store/sqlite/open-sqlite.js';
import { SqliteTemplateStore } from '../store/sqlite/sqlite-template-store.js';
import { GraphClient } from '../whatsapp/graph-client.js';
import { TemplateCatalog } from './template-catalog.js';

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function setUp(options: { syncEveryMs?: number; graphBaseUrl?: string; sim?: MetaSimulator } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'wabridge-catalog-'));
  const db: SqliteDatabase = await openSqlite({ path: path.join(dir, 'test.db') });
  const graphBaseUrl = options.graphBaseUrl ?? options.sim!.graphBaseUrl;
  const graph = new GraphClient({ graphBaseUrl, accessToken: TOKEN });
  const store = new SqliteTemplateStore(db);
  const catalog = new TemplateCatalog({
    sources: [{ accountId: 'acme', wabaId: WABA_ID, getJson: (graphPath) => graph.getJson(graphPath) }],
    store,
    logger: pino({ level: 'silent' }),
    syncEveryMs: options.syncEveryMs ?? 60_000,
  });
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }), () => { db.close(); }, () => graph.close(), () => catalog.close());
  return { catalog, store, graph };
}

describe('TemplateCatalog', () => {
  it('re-reads Meta on its schedule', async () => {
    const sim = await startTestSim();
    cleanup.push(() => sim.close());
    const { catalog } = await setUp({ sim, syncEveryMs: 150 });
    await catalog.start();
    await catalog.settled();
    expect(catalog.indexFor('acme')!.find('late_arrival', 'en')).toEqual({ missing: 'name' });

    sim.upsertTemplate({ name: 'late_arrival', language: 'en', components: [{ type: 'BODY', text: 'Hi' }] });
    const before = sim.stats().managementCalls;
    // Nothing but the schedule asks Meta again, so the template can only arrive through it.
    await eventually(() => 'definition' in catalog.indexFor('acme')!.find('late_arrival', 'en'), 'the scheduled sync to pick up the new template');
    expect(sim.stats().managementCalls).toBeGreaterThan(before);
  });

  it('without a reachable Meta: nothing to validate against, the failure recorded, a retry scheduled', async () => {
    const { catalog, store } = await setUp({ graphBaseUrl: 'http://127.0.0.1:9/v23.0' });
    const result = await catalog.sync('acme');
    expect(result).toMatchObject({ ok: false, accountId: 'acme', error: expect.stringMatching(/unreachable/) });
    expect(!result.ok && result.retryAt! - Date.now()).toBeGreaterThan(20_000);
    expect(catalog.indexFor('acme')).toBeUndefined();
    expect(catalog.approvedFor('acme')).toEqual([]);
    expect(await store.syncState('acme')).toMatchObject({ templateCount: 0, lastError: expect.stringMatching(/unreachable/) });
    expect((await catalog.status())[0]).toMatchObject({ accountId: 'acme', syncing: false, nextSyncAt: expect.any(Number) });
  });

  it('applies status changes in the order Meta made them, whatever order they arrive in', async () => {
    const sim = await startTestSim();
    cleanup.push(() => sim.close());
    const { catalog, store } = await setUp({ sim });
    await catalog.sync('acme');
    const promo = catalog.approvedFor('acme').find((definition) => definition.name === 'promo_image')!;

    await catalog.applyStatusChange('acme', { templateId: promo.id, status: 'PAUSED', at: 2_000 });
    // Sent before the pause, delivered after it: must not re-approve the template.
    await catalog.applyStatusChange('acme', { templateId: promo.id, status: 'APPROVED', at: 1_000 });
    const found = catalog.indexFor('acme')!.find('promo_image', 'en');
    expect('definition' in found && found.definition.status).toBe('PAUSED');
    expect(catalog.approvedFor('acme').map((definition) => definition.id)).not.toContain(promo.id);
    expect((await store.list('acme')).find((template) => template.id === promo.id)).toMatchObject({ status: 'PAUSED', raw: expect.objectContaining({ status: 'PAUSED' }) });

    await catalog.applyStatusChange('acme', { templateId: promo.id, status: 'APPROVED', at: 3_000 });
    expect(catalog.approvedFor('acme').map((definition) => definition.id)).toContain(promo.id);
  });

  it('syncs when a webhook names a template it does not know, or an event without a status', async () => {
    const sim = await startTestSim();
    cleanup.push(() => sim.close());
    const { catalog } = await setUp({ sim });
    await catalog.sync('acme');
    const { id } = sim.upsertTemplate({ name: 'brand_new', language: 'en', components: [{ type: 'BODY', text: 'Hi' }] });

    const calls = sim.stats().managementCalls;
    await catalog.applyStatusChange('acme', { templateId: id, status: 'APPROVED' });
    await catalog.settled();
    expect(sim.stats().managementCalls).toBe(calls + 1);
    expect(catalog.indexFor('acme')!.find('brand_new', 'en')).toHaveProperty('definition');

    await catalog.applyStatusChange('acme', { templateId: id, status: undefined });
    await catalog.settled();
    expect(sim.stats().managementCalls).toBe(calls + 2);
  });

  it('joins a sync already running and runs once more after it', async () => {
    const sim = await startTestSim();
    cleanup.push(() => sim.close());
    const { catalog } = await setUp({ sim });
    const calls = sim.stats().managementCalls;
    const [first, second] = await Promise.all([catalog.sync('acme'), catalog.sync('acme')]);
    expect(first).toBe(second);
    await catalog.settled();
    expect(sim.stats().managementCalls).toBe(calls + 2);
  });
});


describe('TemplateCatalog replicas', () => {
  it('lets only the leader read Meta, and a follower sees what the leader stored once told', async () => {
    const sim = await startTestSim();
    cleanup.push(() => sim.close());
    const dir = mkdtempSync(path.join(tmpdir(), 'wabridge-catalog-replicas-'));
    const db = await openSqlite({ path: path.join(dir, 'test.db') });
    const graph = new GraphClient({ graphBaseUrl: sim.graphBaseUrl, accessToken: TOKEN });
    const store = new SqliteTemplateStore(db);
    const followerCalls: string[] = [];
    const announced: string[] = [];
    const replica = (leader: boolean) =>
      new TemplateCatalog({
        sources: [
          {
            accountId: 'acme',
            wabaId: WABA_ID,
            getJson: (graphPath) => {
              if (!leader) followerCalls.push(graphPath);
              return graph.getJson(graphPath);
            },
          },
        ],
        store,
        logger: pino({ level: 'silent' }),
        syncEveryMs: 100,
        isLeader: () => leader,
        onChanged: (accountId) => announced.push(`${leader ? 'leader' : 'follower'}:${accountId}`),
      });
    const leader = replica(true);
    const follower = replica(false);
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }), () => { db.close(); }, () => graph.close(), () => leader.close(), () => follower.close());

    await follower.start();
    await leader.start();
    await leader.settled();
    expect(announced).toContain('leader:acme');
    // Told of the change (as a notification would), the follower reads the store, not Meta.
    await follower.reload('acme');
    expect(follower.approvedFor('acme').map((definition) => definition.id)).toEqual(leader.approvedFor('acme').map((definition) => definition.id));

    // A status webhook reaching the follower changes the store and is announced to the others.
    const promo = follower.approvedFor('acme').find((definition) => definition.name === 'promo_image')!;
    // Meta paused it (so the leader's scheduled syncs agree), and told the follower by webhook.
    sim.setTemplateStatus(promo.id, 'PAUSED');
    await follower.applyStatusChange('acme', { templateId: promo.id, status: 'PAUSED', at: Date.now() });
    expect(announced).toContain('follower:acme');
    await leader.reload('acme');
    expect(leader.approvedFor('acme').map((definition) => definition.id)).not.toContain(promo.id);

    // The schedule ran several times on both replicas meanwhile; only the leader read Meta.
    await eventually(() => announced.filter((entry) => entry === 'leader:acme').length >= 3, 'a few scheduled syncs on the leader');
    expect(followerCalls).toEqual([]);
  });

  it('adds an account after it started (its stored copy, then a sync) and forgets a removed one', async () => {
    const sim = await startTestSim();
    cleanup.push(() => sim.close());
    const { catalog, graph } = await setUp({ sim });
    await catalog.start();
    await catalog.settled();
    expect(catalog.hasAccount('globex')).toBe(false);

    const before = sim.stats().managementCalls;
    catalog.setSource({ accountId: 'globex', wabaId: WABA_ID, getJson: (graphPath) => graph.getJson(graphPath) });
    expect(catalog.hasAccount('globex')).toBe(true);
    await eventually(() => catalog.approvedFor('globex').length > 0, 'the added account to sync');
    expect(sim.stats().managementCalls).toBe(before + 1);
    // The same source again (its credentials changed, not its WABA) does not sync again.
    catalog.setSource({ accountId: 'globex', wabaId: WABA_ID, getJson: (graphPath) => graph.getJson(graphPath) });
    expect(catalog.indexFor('globex')).toBeDefined();

    catalog.removeSource('globex');
    expect(catalog.hasAccount('globex')).toBe(false);
    expect(catalog.approvedFor('globex')).toEqual([]);
    expect((await catalog.sync('globex')).ok).toBe(false);
    expect((await catalog.status()).map((entry) => entry.accountId)).toEqual(['acme']);
  });
});
