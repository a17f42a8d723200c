/**
 * The BullMQ queue across a Redis restart (a Redis of the test's own, persistent like a
 * production one): the process survives the dropped connection, and the queue works again once
 * Redis is back, with the jobs it held.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.js';
import { startOwnRedis, type OwnRedis } from '../../../test/support/redis-server.js';
import { createBullmqQueue, type BullmqJobQueue } from './create-bullmq-queue.js';

let redis: OwnRedis | undefined;
let queue: BullmqJobQueue | undefined;
afterEach(async () => {
  await queue?.close();
  await redis?.close();
  queue = redis = undefined;
});

describe('BullMQ queue and a Redis restart', () => {
  it('keeps the process up while Redis is away and serves the jobs it held once it is back', async () => {
    redis = await startOwnRedis();
    queue = await createBullmqQueue({ redisUrl: redis.url, prefix: 'restart-test' });
    await queue.enqueue([
      { queue: 'send', partitionKey: 'acme', ref: 'before-1' },
      { queue: 'send', partitionKey: 'acme', ref: 'before-2' },
    ]);
    const [first] = await queue.reserve('send', { partitionKey: 'acme', limit: 1, leaseMs: 60_000 });
    expect(first?.ref).toBe('before-1');

    // Traffic in flight when Redis dies, so the connection is reset mid-read, as in production.
    let busy = true;
    const traffic = (async () => {
      while (busy) await queue!.counts().catch(() => undefined);
    })();
    await new Promise((resolve) => setImmediate(resolve));
    await redis.restart();
    // Reaching this line at all means the dropped connection did not end the process.
    await eventually(async () => {
      try {
        await queue!.enqueue([{ queue: 'send', partitionKey: 'acme', ref: 'after' }]);
        return true;
      } catch {
        return false;
      }
    }, 'the queue to work again', 30_000);
    busy = false;
    await traffic;
    expect(await queue.ack(first!)).toBe(true);
    const rest = await queue.reserve('send', { partitionKey: 'acme', limit: 10, leaseMs: 60_000 });
    expect(rest.map((job) => job.ref)).toEqual(['before-2', 'after']);
  });
});
