/**
 * The gateway composed on the scale-out adapters, end to end: a CleverTap send is committed to
 * Postgres, reaches the Meta simulator through the configured queue, and its delivery report
 * comes back from the simulator's webhooks. The same path as the SQLite tests, other adapters.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, fixture, startTestGateway, type TestGateway } from '../../test/support/gateway.js';

const POSTGRES_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = 'redis://127.0.0.1:6379';
const hasBullmqAdapter = ['../queue/bullmq/create-bullmq-queue.ts', '../queue/outbox-relay.ts'].every((file) => existsSync(new URL(file, import.meta.url)));

let gateway: TestGateway | undefined;
let dropDatabase: (() => Promise<void>) | undefined;
let redisPrefix: string | undefined;
afterEach(async () => {
  await gateway?.stop();
  await dropDatabase?.();
  if (redisPrefix) await dropRedisPrefix(redisPrefix);
  gateway = dropDatabase = redisPrefix = undefined;
});

/** Removes every key the test's gateway made under its prefix (the queue's and the cluster's). */
async function dropRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

async function throwawayDatabase(): Promise<string> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  const database = `wabridge_scale_${process.pid}_${Date.now()}`;
  await admin.query(`CREATE DATABASE ${database}`);
  dropDatabase = async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  };
  return `postgres://postgres@127.0.0.1:5432/${database}`;
}

describe.each([
  { queue: 'embedded', run: true },
  { queue: 'bullmq', run: hasBullmqAdapter },
])('Postgres store, $queue queue', ({ queue, run }) => {
  it.skipIf(!run)('sends a CleverTap message to Meta and records its delivery', async () => {
    const url = await throwawayDatabase();
    // Sandbox secrets are kept beside store.path, whatever the store: in the test's own directory.
    const dataDir = mkdtempSync(path.join(tmpdir(), 'wabridge-scale-'));
    gateway = await startTestGateway(
      {
        store: { kind: 'postgres', url, path: path.join(dataDir, 'unused.db') },
        queue: queue === 'bullmq' ? { kind: 'bullmq', redisUrl: REDIS_URL, prefix: (redisPrefix = `wabridge-test-${process.pid}-${Date.now()}`) } : { kind: 'embedded' },
      },
      { dataDir },
    );
    expect(gateway.storage.kind).toBe('postgres');
    const body = { ...fixture('clevertap/requests/freeform-text.json'), msgId: `scale|${queue}`, to: '919955500042' };
    const answer = await gateway.post('/v1/clevertap/sandbox/messages', body, { authorization: `Bearer ${gateway.sandboxSecrets!.clevertapToken}` });
    expect(answer.json).toEqual({ status: 'success' });
    const send = await eventually(() => gateway!.simulator!.accepted().find((candidate) => candidate.waId === '919955500042'), 'the send to reach the simulator');
    await eventually(async () => (await gateway!.store.getMessage(send.bizOpaqueCallbackData!))?.state === 'read', 'the simulator\'s statuses to be applied', 20_000);
  }, 60_000);
});
