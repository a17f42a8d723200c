/**
 * What the conformance suite cannot show on BullMQ: leases are locks that lapse on Redis's real
 * clock, so these tests take short real leases and wait for them to lapse (conditions, not sleeps).
 */
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.js';
import type { Job } from '../job-queue.js';
import type { BullmqJobQueue } from './bullmq-job-queue.js';
import { createBullmqQueue } from './create-bullmq-queue.js';
import { assertNoEviction, evictionRefusal, readEvictionPolicy } from './eviction-policy.js';
import { TEST_REDIS_URL, throwawayBullmqQueue } from './throwaway-bullmq-queue.js';

const Q = 'callbacks';
const URL_A = 'https://ct.example/a';
const SHORT_LEASE_MS = 150;

describe('BullMQ job queue', () => {
  let queue: BullmqJobQueue;
  let prefix: string;
  let close: () => Promise<void>;
  beforeEach(async () => ({ queue, prefix, close } = await throwawayBullmqQueue()));
  afterEach(async () => close());

  const reserve = (limit = 10, leaseMs = 10_000) => queue.reserve(Q, { partitionKey: URL_A, limit, leaseMs });
  const refs = (jobs: Job[]) => jobs.map((job) => job.ref);
  /** Waits until the stall check has moved `count` jobs whose short leases lapsed. */
  const recoverLapsed = async (count: number) => {
    let recovered = 0;
    await eventually(async () => (recovered += await queue.expireLeases()) >= count, `${count} lapsed lease(s) to be recovered`);
    expect(recovered).toBe(count);
  };

  it('hands a job out again when its lease lapsed, flagged unsettled; the stale lease cannot ack', async () => {
    await queue.enqueue([{ queue: Q, partitionKey: URL_A, ref: 'c1' }]);
    const [first] = await reserve(1, SHORT_LEASE_MS);
    expect(first).toMatchObject({ ref: 'c1', attempts: 1, previousAttemptUnsettled: false });
    expect(await queue.expireLeases()).toBe(0); // a live lease is left alone
    await recoverLapsed(1);
    const [second] = await reserve();
    expect(second).toMatchObject({ ref: 'c1', attempts: 2, previousAttemptUnsettled: true, id: first!.id, createdAt: first!.createdAt });
    expect(await queue.ack(first!)).toBe(false);
    expect(await queue.ack(second!)).toBe(true);
    expect(await queue.ack(second!)).toBe(false);
    expect(await queue.counts()).toEqual([]);
  });

  it('forgets the unsettled flag once an attempt is settled, and raises it again on the next lapse', async () => {
    await queue.enqueue([{ queue: Q, partitionKey: URL_A, ref: 'c1' }]);
    await reserve(1, SHORT_LEASE_MS);
    await recoverLapsed(1);
    const [unsettled] = await reserve();
    expect(unsettled!.previousAttemptUnsettled).toBe(true);
    await queue.retryAt(unsettled!, unsettled!.createdAt, { error: 'HTTP 503' });
    const [settled] = await reserve(1, SHORT_LEASE_MS);
    expect(settled).toMatchObject({ attempts: 3, previousAttemptUnsettled: false, lastError: 'HTTP 503' });
    await recoverLapsed(1);
    expect((await reserve())[0]).toMatchObject({ attempts: 4, previousAttemptUnsettled: true });
  });

  it('settles a lapsed lease nobody took over (as the SQL queue does)', async () => {
    await queue.enqueue([{ queue: Q, partitionKey: URL_A, ref: 'c1' }]);
    const [job] = await reserve(1, SHORT_LEASE_MS);
    const lock = new Redis(TEST_REDIS_URL);
    try {
      await eventually(async () => (await lock.exists(`${prefix}:${job!.id.replace('/', ':')}:lock`)) === 0, 'the lock to lapse');
    } finally {
      lock.disconnect();
    }
    expect(await queue.ack(job!)).toBe(true);
    expect(await queue.expireLeases()).toBe(0);
    expect(await queue.counts()).toEqual([]);
  });

  it('counts a lapsed lease as leased until recovered, then as ready, ahead of newer work', async () => {
    await queue.enqueue([
      { queue: Q, partitionKey: URL_A, ref: 'c1' },
      { queue: Q, partitionKey: URL_A, ref: 'c2' },
    ]);
    const [leased] = await reserve(2, SHORT_LEASE_MS);
    // Enqueued strictly later, so the oldest ready job is told apart by its time.
    await eventually(async () => Date.now() > leased!.createdAt, 'the clock to move past the first enqueue');
    await queue.enqueue([{ queue: Q, partitionKey: URL_A, ref: 'c3' }]);
    const whileLeased = await queue.counts();
    expect(whileLeased).toEqual([{ queue: Q, partitionKey: URL_A, ready: 1, scheduled: 0, leased: 2, dead: 0, oldestReadyAt: expect.any(Number) }]);
    await recoverLapsed(2);
    // The recovered jobs wait in BullMQ's wait list, c3 in the prioritized set: the oldest is found among both.
    expect(await queue.counts()).toEqual([{ queue: Q, partitionKey: URL_A, ready: 3, scheduled: 0, leased: 0, dead: 0, oldestReadyAt: leased!.createdAt }]);
    const jobs = await reserve();
    expect(jobs.map((job) => [job.ref, job.previousAttemptUnsettled])).toEqual([
      ['c1', true],
      ['c2', true],
      ['c3', false],
    ]);
    expect(whileLeased[0]!.oldestReadyAt).toBe(jobs[2]!.createdAt);
    expect(jobs[2]!.createdAt).toBeGreaterThan(leased!.createdAt);
  });

  it('recovers lapsed leases by itself every recoverEveryMs', async () => {
    const own = await throwawayBullmqQueue({ recoverEveryMs: 50 });
    try {
      await own.queue.enqueue([{ queue: Q, partitionKey: URL_A, ref: 'c1' }]);
      await own.queue.reserve(Q, { partitionKey: URL_A, limit: 1, leaseMs: SHORT_LEASE_MS });
      await eventually(async () => (await own.queue.counts())[0]?.ready === 1, 'the lapsed lease to be recovered without being asked');
    } finally {
      await own.close();
    }
  });

  it('puts a batch back at its place whatever order retryAt is called in', async () => {
    const ids = Array.from({ length: 12 }, (_, index) => String(index + 1));
    // Relay-style ids, across a decimal digit (o…9 before o…10).
    await queue.enqueue(ids.map((id) => ({ queue: Q, partitionKey: URL_A, ref: `c${id}`, id: `o${id.padStart(20, '0')}` })));
    const batch = await reserve(5);
    expect(refs(batch)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    await queue.enqueue([{ queue: Q, partitionKey: URL_A, ref: 'newer' }]);
    await Promise.all([...batch].reverse().map((job) => queue.retryAt(job, job.createdAt, { error: 'HTTP 503' })));
    expect(refs(await reserve(100))).toEqual([...ids.map((id) => `c${id}`), 'newer']);
  });

  it('ignores a second enqueue under an id it knows: waiting, leased, dead, or completed within the dedupe window', async () => {
    const spec = { queue: Q, partitionKey: URL_A, ref: 'c1', id: 'o00000000000000000001' };
    await queue.enqueue([spec]);
    await queue.enqueue([spec]);
    const [job] = await reserve();
    await queue.enqueue([spec]);
    expect(await reserve()).toEqual([]);
    expect(await queue.ack(job!)).toBe(true);
    await queue.enqueue([spec]);
    expect(await queue.counts()).toEqual([]);
    const dead = { ...spec, ref: 'c2', id: 'o00000000000000000002' };
    await queue.enqueue([dead]);
    await queue.deadLetter((await reserve())[0]!, 'refused');
    await queue.enqueue([dead]);
    expect(await queue.counts()).toEqual([{ queue: Q, partitionKey: URL_A, ready: 0, scheduled: 0, leased: 0, dead: 1, oldestReadyAt: null }]);
  });

  it('keeps each partition apart, under a hashed name, and lists them in counts', async () => {
    const urls = ['https://ct.example/a', 'https://ct.example/b?x=1:2', `https://ct.example/${'long/'.repeat(100)}`];
    await queue.enqueue(urls.map((url, index) => ({ queue: Q, partitionKey: url, ref: `c${index}` })));
    for (const [index, url] of urls.entries()) {
      expect(refs(await queue.reserve(Q, { partitionKey: url, limit: 10, leaseMs: 1000 }))).toEqual([`c${index}`]);
    }
    expect((await queue.counts()).map((row) => row.partitionKey).sort()).toEqual([...urls].sort());
  });
});

describe('Redis eviction policy', () => {
  it('reads the policy of the test Redis (noeviction) and starts on it', async () => {
    const redis = new Redis(TEST_REDIS_URL);
    try {
      expect(await readEvictionPolicy(redis)).toBe('noeviction');
    } finally {
      redis.disconnect();
    }
  });

  it('refuses a Redis that may evict, saying why and how to fix it (INFO answer, CONFIG disabled)', async () => {
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const info = await redis.info('memory');
      expect(info).toContain('maxmemory_policy:noeviction');
      // As a managed Redis answers: CONFIG refused, INFO saying allkeys-lru.
      const managed = {
        config: async () => {
          throw new Error("ERR unknown command 'CONFIG'");
        },
        info: async () => info.replace('maxmemory_policy:noeviction', 'maxmemory_policy:allkeys-lru'),
      };
      expect(await readEvictionPolicy(managed)).toBe('allkeys-lru');
      await expect(assertNoEviction(managed)).rejects.toThrow(/"allkeys-lru".*evicted job is a lost message.*noeviction/s);
    } finally {
      redis.disconnect();
    }
    expect(evictionRefusal('noeviction')).toBeUndefined();
    expect(evictionRefusal('volatile-lru')).toMatch(/CONFIG SET maxmemory-policy noeviction/);
  });

  it('createBullmqQueue fails when Redis cannot be reached, closing what it opened', async () => {
    await expect(createBullmqQueue({ redisUrl: 'redis://127.0.0.1:1', prefix: 'never' })).rejects.toThrow();
  });
});

describe('BullMQ job queue: idle partitions', () => {
  it('forgets a partition once it holds no job in any state, and takes it up again on the next enqueue', async () => {
    const { queue, prefix, close } = await throwawayBullmqQueue();
    const redis = new Redis(TEST_REDIS_URL);
    try {
      await queue.enqueue([
        { queue: Q, partitionKey: 'https://ct.example/idle', ref: 'c1' },
        { queue: Q, partitionKey: 'https://ct.example/dead', ref: 'c2' },
      ]);
      expect(await queue.prunePartitions()).toBe(0);
      const [idle] = await queue.reserve(Q, { partitionKey: 'https://ct.example/idle', limit: 1, leaseMs: 10_000 });
      await queue.deadLetter((await queue.reserve(Q, { partitionKey: 'https://ct.example/dead', limit: 1, leaseMs: 10_000 }))[0]!, 'refused');
      expect(await queue.prunePartitions()).toBe(0); // one leased, one dead letter
      await queue.ack(idle!);
      expect(await queue.prunePartitions()).toBe(1);
      expect((await queue.counts()).map((row) => row.partitionKey)).toEqual(['https://ct.example/dead']);
      // No key of the forgotten partition is left behind.
      const idleName = idle!.id.split('/')[0]!;
      expect((await redis.keys(`${prefix}:*`)).filter((key) => key.includes(idleName))).toEqual([]);
      expect((await redis.keys(`${prefix}:*`)).length).toBeGreaterThan(1);
      await queue.enqueue([{ queue: Q, partitionKey: 'https://ct.example/idle', ref: 'c3' }]);
      expect((await queue.counts()).map((row) => row.partitionKey).sort()).toEqual(['https://ct.example/dead', 'https://ct.example/idle']);
    } finally {
      redis.disconnect();
      await close();
    }
  });
});
