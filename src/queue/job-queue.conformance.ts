/**
 * @module queue/job-queue.conformance
 * The one suite every JobQueue adapter passes. Time is passed explicitly (`now`) so leases and
 * schedules are tested without sleeping.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MessageStore } from '../store/message-store.js';
import { sampleMessage } from '../store/message-store.conformance.js';
import type { JobQueue } from './job-queue.js';

export interface JobQueueFixture {
  name: string;
  /** A queue, and the store whose transactions it can join. */
  create(): Promise<{ queue: JobQueue; store: MessageStore; close(): Promise<void> }>;
}

const Q = 'send';
const T0 = 1_800_000_000_000;

export function runJobQueueConformance(fixture: JobQueueFixture): void {
  describe(`JobQueue conformance: ${fixture.name}`, () => {
    let queue: JobQueue;
    let store: MessageStore;
    let close: () => Promise<void>;
    beforeEach(async () => ({ queue, store, close } = await fixture.create()));
    afterEach(async () => close());

    it('reserves due jobs of one partition, oldest first, up to the limit', async () => {
      await queue.enqueue([
        { queue: Q, partitionKey: 'a', ref: 'm1', runAt: T0 },
        { queue: Q, partitionKey: 'a', ref: 'm2', runAt: T0 + 1 },
        { queue: Q, partitionKey: 'b', ref: 'm3', runAt: T0 },
        { queue: Q, partitionKey: 'a', ref: 'later', runAt: T0 + 60_000 },
      ]);
      const jobs = await queue.reserve(Q, { partitionKey: 'a', limit: 10, leaseMs: 1000, now: T0 + 10 });
      expect(jobs.map((job) => job.ref)).toEqual(['m1', 'm2']);
      expect(jobs[0]).toMatchObject({ attempts: 1, previousAttemptUnsettled: false, partitionKey: 'a' });
      expect(await queue.reserve(Q, { partitionKey: 'a', limit: 10, leaseMs: 1000, now: T0 + 20 })).toEqual([]);
    });

    it('hands a job out again when its lease runs out, flagged as unsettled', async () => {
      await queue.enqueue([{ queue: Q, partitionKey: 'a', ref: 'm1', runAt: T0 }]);
      const [first] = await queue.reserve(Q, { partitionKey: 'a', limit: 1, leaseMs: 1000, now: T0 });
      const [second] = await queue.reserve(Q, { partitionKey: 'a', limit: 1, leaseMs: 1000, now: T0 + 1001 });
      expect(second).toMatchObject({ ref: 'm1', attempts: 2, previousAttemptUnsettled: true });
      expect(await queue.ack(first!)).toBe(false);
      expect(await queue.ack(second!)).toBe(true);
      expect(await queue.reserve(Q, { partitionKey: 'a', limit: 1, leaseMs: 1000, now: T0 + 5000 })).toEqual([]);
    });

    it('reschedules with retryAt, remembering the error and when uncertainty began', async () => {
      await queue.enqueue([{ queue: Q, partitionKey: 'a', ref: 'm1', runAt: T0 }]);
      const [job] = await queue.reserve(Q, { partitionKey: 'a', limit: 1, leaseMs: 1000, now: T0 });
      await queue.retryAt(job!, T0 + 5000, { error: '130429 throttled', uncertainSince: T0 });
      expect(await queue.reserve(Q, { partitionKey: 'a', limit: 1, leaseMs: 1000, now: T0 + 4999 })).toEqual([]);
      const [again] = await queue.reserve(Q, { partitionKey: 'a', limit: 1, leaseMs: 1000, now: T0 + 5000 });
      expect(again).toMatchObject({ attempts: 2, previousAttemptUnsettled: false, lastError: '130429 throttled', uncertainSince: T0 });
    });

    it('moves a job to the dead letters with its reason', async () => {
      await queue.enqueue([{ queue: Q, partitionKey: 'a', ref: 'm1', runAt: T0 }]);
      const [job] = await queue.reserve(Q, { partitionKey: 'a', limit: 1, leaseMs: 1000, now: T0 });
      await queue.deadLetter(job!, 'gave up');
      expect(await queue.reserve(Q, { partitionKey: 'a', limit: 1, leaseMs: 1000, now: T0 + 10_000 })).toEqual([]);
      expect(await queue.counts(T0)).toEqual([{ queue: Q, partitionKey: 'a', ready: 0, scheduled: 0, leased: 0, dead: 1 }]);
    });

    it('lists dead letters and revives them as fresh jobs', async () => {
      await queue.enqueue([{ queue: Q, partitionKey: 'a', ref: 'm1', runAt: T0 }]);
      const [job] = await queue.reserve(Q, { partitionKey: 'a', limit: 1, leaseMs: 1000, now: T0 });
      await queue.deadLetter(job!, 'HTTP 400: bad body');
      const [dead] = await queue.listDead(Q, 10);
      expect(dead).toMatchObject({ queue: Q, partitionKey: 'a', ref: 'm1', attempts: 1, reason: 'HTTP 400: bad body' });
      expect(await queue.revive([dead!.id, 999_999])).toBe(1);
      expect(await queue.listDead(Q, 10)).toEqual([]);
      const [again] = await queue.reserve(Q, { partitionKey: 'a', limit: 1, leaseMs: 1000 });
      expect(again).toMatchObject({ ref: 'm1', attempts: 1, previousAttemptUnsettled: false });
    });

    it('puts expired leases back ahead of work that arrived while they were leased', async () => {
      await queue.enqueue([{ queue: Q, partitionKey: 'a', ref: 'first', runAt: T0 }]);
      await queue.reserve(Q, { partitionKey: 'a', limit: 1, leaseMs: 60_000, now: T0 });
      await queue.enqueue([{ queue: Q, partitionKey: 'a', ref: 'second', runAt: T0 + 10 }]);
      await queue.expireLeases(T0 + 20);
      const jobs = await queue.reserve(Q, { partitionKey: 'a', limit: 5, leaseMs: 1000, now: T0 + 30 });
      expect(jobs.map((job) => job.ref)).toEqual(['first', 'second']);
    });

    it('expires leases at once (a restart after a crash)', async () => {
      await queue.enqueue([
        { queue: Q, partitionKey: 'a', ref: 'm1', runAt: T0 },
        { queue: Q, partitionKey: 'a', ref: 'm2', runAt: T0 },
      ]);
      await queue.reserve(Q, { partitionKey: 'a', limit: 2, leaseMs: 60_000, now: T0 });
      expect(await queue.expireLeases(T0 + 1)).toBe(2);
      const jobs = await queue.reserve(Q, { partitionKey: 'a', limit: 5, leaseMs: 1000, now: T0 + 2 });
      expect(jobs.map((job) => [job.ref, job.previousAttemptUnsettled])).toEqual([['m1', true], ['m2', true]]);
    });

    it('enqueues in the same commit as the message, and not at all when it rolls back', async () => {
      const kept = sampleMessage();
      await store.acceptMessages([kept], (tx, message) => queue.enqueueWithin(tx, { queue: Q, partitionKey: 'a', ref: message.id, runAt: T0 }));
      const lost = sampleMessage();
      await expect(
        store.acceptMessages([lost], (tx, message) => {
          queue.enqueueWithin(tx, { queue: Q, partitionKey: 'a', ref: message.id, runAt: T0 });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      const jobs = await queue.reserve(Q, { partitionKey: 'a', limit: 5, leaseMs: 1000, now: T0 });
      expect(jobs.map((job) => job.ref)).toEqual([kept.id]);
    });
  });
}
