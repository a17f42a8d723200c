/**
 * Accounts changed at runtime, end to end: an account written to the store is served by its
 * CleverTap endpoint within a second and its messages reach the Meta simulator; a deleted
 * account's endpoint answers 404 while what it accepted before still reaches Meta and CleverTap
 * still hears of it; a file account wins over a stored one with its id; and a second replica on
 * the same Postgres (with the BullMQ queue) follows a change within about two seconds.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { storedAccountSandboxIds } from '../src/config/accounts.js';
import { startClevertapSimulator, type ClevertapSimulator } from '../src/sim/clevertap/index.js';
import type { AuditDraft } from '../src/store/account-store.js';
import { eventually, fixture, startTestGateway, type TestGateway } from './support/gateway.js';

const POSTGRES_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = 'redis://127.0.0.1:6379';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gateway(raw: Record<string, unknown> = {}, options: { dataDir?: string } = {}): Promise<TestGateway> {
  const started = await startTestGateway({ callbacks: { retryScheduleMs: [0, 200, 400, 800] }, ...raw }, options);
  cleanups.push(() => started.stop());
  return started;
}

async function clevertapSimulator(): Promise<ClevertapSimulator> {
  const simulator = await startClevertapSimulator();
  cleanups.push(() => simulator.close());
  return simulator;
}

function audit(subject: string, action: string): AuditDraft {
  return { at: Date.now(), actor: 'test', action, subject, details: {} };
}

/** An account as the admin API stores it: the config file's shape. */
function storedDocument(id: string, wabaNumber: string, extra: { deliveryReportUrl?: string; messagesPerSecond?: number; token?: string } = {}) {
  return {
    id,
    wabaNumber,
    clevertap: { auth: { kind: 'bearer', token: extra.token ?? `ct-${id}-token` }, ...(extra.deliveryReportUrl ? { deliveryReportUrl: extra.deliveryReportUrl } : {}) },
    whatsapp: { ...(extra.messagesPerSecond ? { messagesPerSecond: extra.messagesPerSecond } : {}) },
  };
}

async function createStored(gw: TestGateway, document: ReturnType<typeof storedDocument>): Promise<void> {
  const written = await gw.storage.accounts.create({ id: document.id, wabaNumber: document.wabaNumber, document }, audit(document.id, 'account.create'));
  expect(written.ok).toBe(true);
}

function send(gw: TestGateway, accountId: string, token: string, msgId: string, to: string, wabaNumber: string) {
  const body = { ...fixture('clevertap/requests/freeform-text.json'), msgId, to, wabaNumber };
  return gw.post(`/v1/clevertap/${accountId}/messages`, body, { authorization: `Bearer ${token}` });
}

describe('accounts changed at runtime', () => {
  it('serves an account written to the store within a second, and its messages reach Meta and their reports CleverTap', async () => {
    const clevertap = await clevertapSimulator();
    const gw = await gateway();
    const startedAt = Date.now();
    await createStored(gw, storedDocument('globex', '919822222222', { deliveryReportUrl: clevertap.deliveryReportUrl('globex') }));
    await gw.registry.refresh();
    const answer = await send(gw, 'globex', 'ct-globex-token', '1|7001|20261208|1', '919955500101', '919822222222');
    expect(answer.json).toEqual({ status: 'success' });
    expect(Date.now() - startedAt).toBeLessThan(1000);

    const sent = await eventually(() => gw.simulator!.accepted().find((candidate) => candidate.waId === '919955500101'), 'the message to reach the Meta simulator');
    expect(sent.phoneNumberId).toBe(storedAccountSandboxIds('globex').phoneNumberId);
    await eventually(() => clevertap.statusesOf('1|7001|20261208|1').includes('read'), 'CleverTap to hear the message was read', 15_000);
    // The file's account is served as before.
    expect(gw.registry.directory.all.map((account) => account.id)).toEqual(['sandbox', 'globex']);
  }, 30_000);

  it('answers 404 for a deleted account, and still sends what it accepted before and reports it to CleverTap', async () => {
    const clevertap = await clevertapSimulator();
    const gw = await gateway();
    // One message a second: the later ones are still queued when the account is deleted.
    await createStored(gw, storedDocument('globex', '919822222222', { deliveryReportUrl: clevertap.deliveryReportUrl('globex'), messagesPerSecond: 1 }));
    await gw.registry.refresh();
    const recipients = ['919955500201', '919955500202', '919955500203'];
    for (const [index, to] of recipients.entries()) {
      expect((await send(gw, 'globex', 'ct-globex-token', `${index}|7002|20261208|${index}`, to, '919822222222')).json).toEqual({ status: 'success' });
    }

    expect((await gw.storage.accounts.markDeleted('globex', audit('globex', 'account.delete'))).ok).toBe(true);
    await gw.registry.refresh();
    const sentBeforeDelete = gw.simulator!.accepted().filter((candidate) => recipients.includes(candidate.waId)).length;
    expect(sentBeforeDelete).toBeLessThan(recipients.length);
    const refused = await send(gw, 'globex', 'ct-globex-token', '9|7002|20261208|9', '919955500209', '919822222222');
    expect(refused.status).toBe(404);
    expect((await gw.post('/v1/clevertap/globex/templates', {}, { authorization: 'Bearer ct-globex-token' })).status).toBe(404);

    await eventually(() => recipients.every((to) => gw.simulator!.accepted().some((candidate) => candidate.waId === to)), 'every accepted message to reach Meta', 15_000);
    await eventually(
      () => recipients.every((_, index) => clevertap.statusesOf(`${index}|7002|20261208|${index}`).includes('read')),
      'CleverTap to hear every accepted message was read',
      20_000,
    );
    expect(clevertap.orderViolations()).toEqual([]);
    expect(gw.simulator!.accepted().some((candidate) => candidate.waId === '919955500209')).toBe(false);
  }, 40_000);

  it('lets the configuration file\'s account win over a stored account with its id', async () => {
    const gw = await gateway({ accounts: [{ id: 'acme', wabaNumber: '919811111111', clevertap: { auth: { kind: 'bearer', token: 'file-token' } } }] });
    await createStored(gw, storedDocument('acme', '919833333333', { token: 'stored-token' }));
    await gw.registry.refresh();
    expect(gw.registry.directory.byId('acme')?.wabaNumber).toBe('919811111111');
    // CleverTap's contract answers bad credentials with 200 and code 2000.
    expect((await send(gw, 'acme', 'stored-token', '1|7003|20261208|1', '919955500301', '919811111111')).json).toMatchObject({ status: 'failure', error: { code: 2000 } });
    expect((await send(gw, 'acme', 'file-token', '2|7003|20261208|2', '919955500302', '919811111111')).json).toEqual({ status: 'success' });
  }, 30_000);
});

describe('two replicas on one Postgres and Redis', () => {
  it('the other replica serves a new account within about two seconds, told by a signal or finding it by its poll', async () => {
    const database = await throwawayDatabase();
    const prefix = `wabridge-live-${process.pid}-${Date.now()}`;
    cleanups.push(() => dropRedisPrefix(prefix));
    const replica = async () => {
      // Sandbox secrets are kept beside store.path: each replica its own directory.
      const dataDir = mkdtempSync(path.join(tmpdir(), 'wabridge-live-'));
      return gateway({ store: { kind: 'postgres', url: database, path: path.join(dataDir, 'unused.db') }, queue: { kind: 'bullmq', redisUrl: REDIS_URL, prefix } }, { dataDir });
    };
    const a = await replica();
    const b = await replica();

    // Created on A, which refreshes and signals.
    await createStored(a, storedDocument('globex', '919822222222'));
    const signalledAt = Date.now();
    await a.registry.refresh();
    await eventually(async () => (await send(b, 'globex', 'ct-globex-token', '1|7004|20261208|1', '919955500401', '919822222222')).json?.status === 'success', 'replica B to serve the new account', 5_000);
    expect(Date.now() - signalledAt).toBeLessThan(2_000);
    await eventually(
      () => [a, b].some((gw) => gw.simulator!.accepted().some((candidate) => candidate.waId === '919955500401')),
      'the message accepted by B to reach Meta from whichever replica sends for the number',
      15_000,
    );

    // Written with no signal at all (a command-line tool on the store): the poll finds it.
    await createStored(a, storedDocument('initech', '919844444444'));
    const writtenAt = Date.now();
    await eventually(() => b.registry.directory.byId('initech'), 'replica B to find the account by polling', 5_000);
    expect(Date.now() - writtenAt).toBeLessThan(3_000);

    // A delete reaches B the same way.
    await a.storage.accounts.markDeleted('globex', audit('globex', 'account.delete'));
    await a.registry.refresh();
    await eventually(async () => (await send(b, 'globex', 'ct-globex-token', '2|7004|20261208|2', '919955500402', '919822222222')).status === 404, 'replica B to stop serving the deleted account', 5_000);
  }, 60_000);
});

async function throwawayDatabase(): Promise<string> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  const database = `wabridge_live_${process.pid}_${Date.now()}`;
  await admin.query(`CREATE DATABASE ${database}`);
  cleanups.push(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });
  return `postgres://postgres@127.0.0.1:5432/${database}`;
}

async function dropRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
