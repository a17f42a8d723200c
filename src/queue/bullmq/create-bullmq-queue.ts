/**
 * @module queue/bullmq/create-bullmq-queue
 * `queue.kind: bullmq`: the job queue on Redis through BullMQ 6 (bullmq-job-queue.ts says how
 * the port maps onto it). One connection serves every partition. Refuses to start on a Redis
 * that may evict keys (eviction-policy.ts).
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createRedisBackend, type RedisQueueBackend } from 'bullmq';
import { BullmqJobQueue } from './bullmq-job-queue.js';
import { assertNoEviction } from './eviction-policy.js';

export { BullmqJobQueue };

export interface CreateBullmqQueueOptions {
  redisUrl: string;
  /** Prefix of every key (default `wabridge`); two deployments on one Redis need two prefixes. */
  prefix?: string;
  logger?: Logger;
  /** How long after completion a repeated enqueue under the same id is still ignored (default 15 min). */
  dedupeWindowMs?: number;
  /** How often lapsed leases are looked for (default 5 s; 0: only on `expireLeases`). */
  recoverEveryMs?: number;
}

/** BullMQ fails a job recovered from a lapsed lock more often than this; the dispatchers decide instead. */
const NEVER_FAIL_STALLED = 1_000_000_000;

export async function createBullmqQueue(options: CreateBullmqQueueOptions): Promise<BullmqJobQueue> {
  const prefix = options.prefix ?? 'wabridge';
  // maxRetriesPerRequest: null — BullMQ's requirement: a command waits for a reconnect instead of failing after 20 tries.
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  // ioredis reconnects by itself; without a listener each failed attempt would be an unhandled 'error' event.
  redis.on('error', (error: Error) => options.logger?.warn({ err: error }, 'Redis connection of the job queue failed; reconnecting'));
  try {
    await redis.connect();
    await assertNoEviction(redis);
    const root = createRedisBackend('wabridge', {
      connection: redis,
      prefix,
      maxStalledCount: NEVER_FAIL_STALLED,
      // The stalled-check throttle; expireLeases clears it anyway.
      stalledInterval: 1,
    } as never) as RedisQueueBackend;
    // BullMQ re-emits the connection's errors on the backend that owns it: unheard, a Redis
    // restart (ECONNRESET) would end the process. The connection reconnects by itself.
    root.on('error', (error: Error) => options.logger?.debug({ err: error }, 'BullMQ backend connection error; reconnecting'));
    await root.waitUntilReady();
    return new BullmqJobQueue({
      redis,
      root,
      prefix,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.dedupeWindowMs !== undefined ? { dedupeWindowMs: options.dedupeWindowMs } : {}),
      ...(options.recoverEveryMs !== undefined ? { recoverEveryMs: options.recoverEveryMs } : {}),
      onClose: async () => {
        await root.close();
        await redis.quit();
      },
    });
  } catch (error) {
    redis.disconnect();
    throw error;
  }
}
