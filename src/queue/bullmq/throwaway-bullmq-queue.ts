/**
 * @module queue/bullmq/throwaway-bullmq-queue
 * For tests: a BullMQ queue under a key prefix of its own on a real Redis, whose `close()` also
 * deletes every key under that prefix.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createBullmqQueue, type CreateBullmqQueueOptions } from './create-bullmq-queue.js';
import type { BullmqJobQueue } from './bullmq-job-queue.js';

export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function throwawayBullmqQueue(
  options: Omit<CreateBullmqQueueOptions, 'redisUrl' | 'prefix'> = {},
): Promise<{ queue: BullmqJobQueue; prefix: string; close(): Promise<void> }> {
  const prefix = `wabridge-test-${randomBytes(6).toString('hex')}`;
  const queue = await createBullmqQueue({ redisUrl: TEST_REDIS_URL, prefix, recoverEveryMs: 0, ...options });
  return {
    queue,
    prefix,
    async close() {
      await queue.close();
      await deleteKeys(prefix);
    },
  };
}

/** Deletes every key under `prefix:`. */
export async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
