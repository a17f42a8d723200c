/**
 * @module queue/job-queue.conformance
 * The one suite every JobQueue adapter passes, run from `test/conformance/storages.test.ts` on
 * every queue of `test/support/storages.ts`. Time is passed explicitly (`now`) so leases and
 * schedules are tested without sleeping. Jobs that commit with a change are the store's to test
 * (the message store's and job outbox's suites); this one knows no store.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import { conformanceSuite, type QueueFixture } from '../store/storage.conformance.js';
import type { JobQueue } from './job-queue.js';

const Q = 'send';
const T0 = 1_800_000_000_000;
/** Dead letters are stamped with the real clock. */
const MINUTE = 60_000;

export function runJobQueueConformance(fixture: QueueFixture): void {
  conformanceSuite('JobQueue', fixture, (test) => {
    let queue: JobQueue;
    let close: () => Promise<void>;
    beforeEach(async () => ({ queue, close } = await fixture.create()));
    afterEach(async () => close());

    const reserveOne = async (partitionKey: string, now: number) => {
      const [job] = await queue.reserve(Q, { partitionKey, limit: 1, leaseMs: 1000, now });
      if (!job) throw new Error(`no job due in ${partitionKey} at ${now}`);
      return job;
    };

    test('reserves due jobs of one partition, oldest first, up to the limit', async () => {
      await queue.enqueue([
        { queue: Q, partitionKey: 'a', ref: 'm1', runAt: T0 },
        { queue: Q, partitionKey: 'a', ref: 'm2', runAt: T0 + 1 },
        { queue: Q, partitionKey: 'b', ref: 'm3', runAt: T0 },
        { queue: Q, partitionKey: 'a', ref: 'later', runAt: T0 + 60_000 },
        { queue: 'other', partitionKey: 'a', ref: 'elsewhere', runAt: T0 },
      ]);
      const jobs = await queue.reserve(Q, { partitionKey: 'a', limit: 10, leaseMs: 1000, now: T0 + 10 });
      expect(jobs.map((job) => job.ref)).toEqual(['m1', 'm2']);
      expect(jobs[0]).toMatchObject({ queue: Q, attempts: 1, previousAttemptUnsettled: false, partitionKey: 'a' });
      expect(await queue.reserve(Q, { partitionKey: 'a', limit: 10, leaseMs: 1000, now: T0 + 20 })).toEqual([]);
      expect((await queue.reserve(Q, { partitionKey: 'b', limit: 1, leaseMs: 1000, now: T0 + 20 })).map((job) => job.ref)).toEqual(['m3']);
      for (const job of jobs) expect(await queue.ack(job)).toBe(true);
      expect((await queue.reserve(Q, { partitionKey: 'a', limit: 10, leaseMs: 1000, now: T0 + 60_000 })).map((job) => job.ref)).toEqual(['later']);
    });

    test('gives jobs string ids, unique and stable across attempts', async () => {
      await queue.enqueue([
        { queue: Q, partitionKey: 'a', ref: 'm1', runAt: T0 },
        { queue: Q, partitionKey: 'a', ref: 'm2', runAt: T0 },
      ]);
      const [first, second] = await queue.reserve(Q, { partitionKey: 'a', limit: 2, leaseMs: 1000, now: T0 });
      expect(typeof first!.id).toBe('string');
      expect(first!.id).not.toBe(second!.id);
      const again = await reserveOne('a', T0 + 1001);
      expect(again.id).toBe(first!.id);
      expect(typeof again.createdAt).toBe('number');
      expect(again.createdAt).toBe(first!.createdAt);
    });

    test('hands out jobs due at the same time in the order they were enqueued', async () => {
      await queue.enqueue([
        { queue: Q, partitionKey: 'a', ref: 'j1', runAt: T0 },
        { queue: Q, partitionKey: 'a', ref: 'j2', runAt: T0 },
      ]);
      await queue.enqueue([{ queue: Q, partitionKey: 'a', ref: 'j3', runAt: T0 }]);
      await queue.enqueue([
        { queue: Q, partitionKey: 'a', ref: 'j4', runAt: T0 },
        { queue: Q, partitionKey: 'a', ref: 'j0', runAt: T0 - 1 },
      ]);
      const jobs = await queue.reserve(Q, { partitionKey: 'a', limit: 10, leaseMs: 1000, now: T0 });
      expect(jobs.map((job) => job.ref)).toEqual(['j0', 'j1', 'j2', 'j3', 'j4']);
    });

    test('retryAt(job, job.createdAt) puts a job back ahead of jobs enqueued after it', async () => {
      // The callback dispatcher keeps a URL's reports in order this way after a failed attempt.
      await queue.enqueue([{ queue: Q, partitionKey: 'a', ref: 'first' }]);
      const first = await reserveOne('a', Date.now());
      await queue.enqueue([{ queue: Q, partitionKey: 'a', ref: 'second' }]);
      await queue.enqueue([{ queue: Q, partitionKey: 'a', ref: 'third' }]);
      await queue.retryAt(first, first.createdAt, { error: 'HTTP 503' });
      const jobs = await queue.reserve(Q, { partitionKey: 'a', limit: 10, leaseMs: 1000, now: Date.now() + 1000 });
      expect(jobs.map((job) => job.ref)).toEqual(['first', 'second', 'third']);
      expect(jobs[0]).toMatchObject({ attempts: 2, previousAttemptUnsettled: false, lastError: 'HTTP 503' });
    });

    test('hands a job out again when its lease runs out, flagged as unsettled', async () => {
      await queue.enqueue([{ queue: Q, partitionKey: 'a', ref: 'm1', runAt: T0 }]);
      const first = await reserveOne('a', T0);
      expect(await queue.reserve(Q, { partitionKey: 'a', limit: 1, leaseMs: 1000, now: T0 + 999 })).toEqual([]);
      const second = await reserveOne('a', T0 + 1001);
      expect(second).toMatchObject({ ref: 'm1', attempts: 2, previousAttemptUnsettled: true });
      expect(await queue.ack(first)).toBe(false);
      expect(await queue.ack(second)).toBe(true);
      expect(await queue.ack(second)).toBe(false);
      expect(await queue.reserve(Q, { partitionKey: 'a', limit: 1, leaseMs: 1000, now: T0 + 5000 })).toEqual([]);
    });

    test('reschedules with retryAt, remembering the error and when uncertainty began', async () => {
      await queue.enqueue([{ queue: Q, partitionKey: 'a', ref: 'm1', runAt: T0 }]);
      const job = await reserveOne('a', T0);
      await queue.retryAt(job, T0 + 5000, { error: '130429 throttled', uncertainSince: T0 });
      expect(await queue.reserve(Q, { partitionKey: 'a', limit: 1, leaseMs: 1000, now: T0 + 4999 })).toEqual([]);
      const again = await reserveOne('a', T0 + 5000);
      expect(again).toMatchObject({ attempts: 2, previousAttemptUnsettled: false, lastError: '130429 throttled', uncertainSince: T0 });
      // Uncertainty, once known, keeps its first time.
      await queue.retryAt(again, T0 + 6000, { uncertainSince: T0 + 5000 });
      expect(await reserveOne('a', T0 + 6000)).toMatchObject({ attempts: 3, uncertainSince: T0 });
    });

    test('counts jobs per queue and partition: ready, scheduled, leased and dead', async () => {
      await queue.enqueue([
        { queue: Q, partitionKey: 'a', ref: 'leased', runAt: T0 - 2 },
        { queue: Q, partitionKey: 'a', ref: 'dead', runAt: T0 - 1 },
        { queue: Q, partitionKey: 'a', ref: 'ready', runAt: T0 },
        { queue: Q, partitionKey: 'a', ref: 'scheduled', runAt: T0 + 60_000 },
        { queue: Q, partitionKey: 'b', ref: 'ready', runAt: T0 },
        { queue: 'other', partitionKey: 'a', ref: 'scheduled', runAt: T0 + 1 },
      ]);
      const [leased, dead] = await queue.reserve(Q, { partitionKey: 'a', limit: 2, leaseMs: 30_000, now: T0 });
      expect([leased!.ref, dead!.ref]).toEqual(['leased', 'dead']);
      await queue.deadLetter(dead!, 'gave up');
      // Enqueued together, so enqueued at the same time.
      const enqueuedAt = leased!.createdAt;
      const sorted = async (now: number) => (await queue.counts(now)).sort((x, y) => `${x.queue}/${x.partitionKey}`.localeCompare(`${y.queue}/${y.partitionKey}`));
      expect(await sorted(T0)).toEqual([
        { queue: 'other', partitionKey: 'a', ready: 0, scheduled: 1, leased: 0, dead: 0, oldestReadyAt: null },
        { queue: Q, partitionKey: 'a', ready: 1, scheduled: 1, leased: 1, dead: 1, oldestReadyAt: enqueuedAt },
        { queue: Q, partitionKey: 'b', ready: 1, scheduled: 0, leased: 0, dead: 0, oldestReadyAt: enqueuedAt },
      ]);
      // A lease that ran out makes its job ready again.
      expect((await sorted(T0 + 30_001)).find((row) => row.queue === Q && row.partitionKey === 'a')).toEqual({
        queue: Q,
        partitionKey: 'a',
        ready: 2,
        scheduled: 1,
        leased: 0,
        dead: 1,
        oldestReadyAt: enqueuedAt,
      });
    });

    test('counts() tells when the oldest ready job was enqueued, ignoring leased and scheduled jobs', async () => {
      expect(await queue.counts()).toEqual([]);
      const beforeOld = Date.now();
      await queue.enqueue([{ queue: Q, partitionKey: 'a', ref: 'old' }]);
      const afterOld = Date.now();
      const [old] = await queue.reserve(Q, { partitionKey: 'a', limit: 1, leaseMs: 60_000, now: Date.now() });
      expect(old!.ref).toBe('old');
      // The only job is leased: nothing is owed yet.
      expect(await queue.counts()).toEqual([{ queue: Q, partitionKey: 'a', ready: 0, scheduled: 0, leased: 1, dead: 0, oldestReadyAt: null }]);
      await queue.enqueue([{ queue: Q, partitionKey: 'a', ref: 'later', runAt: Date.now() + 3_600_000 }]);
      expect((await queue.counts())[0]).toMatchObject({ scheduled: 1, leased: 1, ready: 0, oldestReadyAt: null });
      // The next enqueue is stamped strictly after the leased one's: the field must not take the leased job.
      while (Date.now() <= afterOld) await new Promise((resolve) => setImmediate(resolve));
      const beforeReady = Date.now();
      await queue.enqueue([{ queue: Q, partitionKey: 'a', ref: 'first-ready' }]);
      const afterReady = Date.now();
      await queue.enqueue([{ queue: Q, partitionKey: 'b', ref: 'elsewhere' }]);
      const rows = await queue.counts(Date.now() + 1);
      const a = rows.find((row) => row.partitionKey === 'a')!;
      expect(a).toMatchObject({ ready: 1, scheduled: 1, leased: 1 });
      expect(a.oldestReadyAt).toBeGreaterThanOrEqual(beforeReady);
      expect(a.oldestReadyAt).toBeLessThanOrEqual(afterReady);
      expect(old!.createdAt).toBeGreaterThanOrEqual(beforeOld);
      expect(old!.createdAt).toBeLessThan(a.oldestReadyAt!);
      expect(rows.find((row) => row.partitionKey === 'b')!.oldestReadyAt).toBeGreaterThanOrEqual(afterReady);
    });

    test('moves a job to the dead letters with its reason', async () => {
      await queue.enqueue([{ queue: Q, partitionKey: 'a', ref: 'm1', runAt: T0 }]);
      const job = await reserveOne('a', T0);
      await queue.deadLetter(job, 'gave up');
      expect(await queue.reserve(Q, { partitionKey: 'a', limit: 1, leaseMs: 1000, now: T0 + 10_000 })).toEqual([]);
      expect(await queue.counts(T0)).toEqual([{ queue: Q, partitionKey: 'a', ready: 0, scheduled: 0, leased: 0, dead: 1, oldestReadyAt: null }]);
    });

    test('lists dead letters newest first and revives them as fresh jobs', async () => {
      await queue.enqueue([
        { queue: Q, partitionKey: 'a', ref: 'm1', runAt: T0 },
        { queue: Q, partitionKey: 'a', ref: 'm2', runAt: T0 + 1 },
        { queue: 'other', partitionKey: 'a', ref: 'x', runAt: T0 },
      ]);
      await queue.deadLetter(await reserveOne('a', T0), 'HTTP 400: bad body');
      await queue.deadLetter(await reserveOne('a', T0 + 1), 'HTTP 410: gone');
      const listed = await queue.listDead(Q, 10);
      expect(listed).toMatchObject([
        { queue: Q, partitionKey: 'a', ref: 'm2', attempts: 1, reason: 'HTTP 410: gone' },
        { queue: Q, partitionKey: 'a', ref: 'm1', attempts: 1, reason: 'HTTP 400: bad body' },
      ]);
      const [, dead] = listed;
      expect(typeof dead!.id).toBe('string');
      expect(typeof dead!.deadAt).toBe('number');
      expect(await queue.listDead(Q, 1)).toHaveLength(1);
      expect(await queue.listDead('other', 10)).toEqual([]);
      expect(await queue.revive([dead!.id, '999999999'])).toBe(1);
      expect(await queue.listDead(Q, 10)).toMatchObject([{ ref: 'm2' }]);
      const [again] = await queue.reserve(Q, { partitionKey: 'a', limit: 1, leaseMs: 1000 });
      expect(again).toMatchObject({ ref: 'm1', attempts: 1, previousAttemptUnsettled: false });
      expect(await queue.revive([])).toBe(0);
    });

    test('forgets dead letters older than the cutoff, at most `limit` per call', async () => {
      await queue.enqueue(['m1', 'm2', 'm3'].map((ref) => ({ queue: Q, partitionKey: 'a', ref, runAt: T0 })));
      for (let index = 0; index < 3; index++) await queue.deadLetter(await reserveOne('a', T0), 'refused');
      await queue.enqueue([{ queue: Q, partitionKey: 'a', ref: 'alive', runAt: T0 }]);
      expect(await queue.pruneDead(Date.now() - MINUTE, 10)).toBe(0);
      expect(await queue.pruneDead(Date.now() + MINUTE, 2)).toBe(2);
      expect(await queue.listDead(Q, 10)).toHaveLength(1);
      expect(await queue.pruneDead(Date.now() + MINUTE, 2)).toBe(1);
      expect(await queue.pruneDead(Date.now() + MINUTE, 2)).toBe(0);
      expect(await queue.listDead(Q, 10)).toEqual([]);
      // Live jobs are not dead letters.
      expect((await queue.reserve(Q, { partitionKey: 'a', limit: 5, leaseMs: 1000, now: T0 })).map((job) => job.ref)).toEqual(['alive']);
    });

    test('puts expired leases back ahead of work that arrived while they were leased', async () => {
      await queue.enqueue([{ queue: Q, partitionKey: 'a', ref: 'first', runAt: T0 }]);
      await queue.reserve(Q, { partitionKey: 'a', limit: 1, leaseMs: 60_000, now: T0 });
      await queue.enqueue([{ queue: Q, partitionKey: 'a', ref: 'second', runAt: T0 + 10 }]);
      await queue.expireLeases(T0 + 20);
      const jobs = await queue.reserve(Q, { partitionKey: 'a', limit: 5, leaseMs: 1000, now: T0 + 30 });
      expect(jobs.map((job) => job.ref)).toEqual(['first', 'second']);
    });

    test('expires leases at once (a restart after a crash)', async () => {
      await queue.enqueue([
        { queue: Q, partitionKey: 'a', ref: 'm1', runAt: T0 },
        { queue: Q, partitionKey: 'a', ref: 'm2', runAt: T0 },
      ]);
      await queue.reserve(Q, { partitionKey: 'a', limit: 2, leaseMs: 60_000, now: T0 });
      expect(await queue.expireLeases(T0 + 1)).toBe(2);
      const jobs = await queue.reserve(Q, { partitionKey: 'a', limit: 5, leaseMs: 1000, now: T0 + 2 });
      expect(jobs.map((job) => [job.ref, job.previousAttemptUnsettled])).toEqual([
        ['m1', true],
        ['m2', true],
      ]);
    });
  });
}
