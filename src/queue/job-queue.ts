/**
 * @module queue/job-queue
 * The job-queue port: a few operations, enough for at-least-once work with leases.
 * A reserved job is invisible until it is acknowledged, rescheduled, dead-lettered, or its
 * lease runs out; in the last case the next reservation reports `previousAttemptUnsettled`, so
 * the worker knows an earlier attempt may have had effects nobody recorded.
 *
 * The port exposes no connection or transaction: jobs that must commit with a change are
 * written by the store as effects of that change (store/effects.ts), into the store's job
 * outbox; `enqueue` is for work no change carries.
 *
 * Ordering: within a partition, due jobs are reserved by due time (`runAt`), then in the order
 * they were enqueued. So `retryAt(job, job.createdAt)` puts a job back at its original place,
 * ahead of anything enqueued after it (the callback dispatcher keeps reports in order this way).
 *
 * Adapters: embedded SQLite (its job table is the store's outbox, same database); a Redis
 * adapter for scale-out. Every adapter passes `job-queue.conformance.ts`.
 */
import type { JobSpec } from '../store/effects.js';

export type { JobSpec };

/**
 * A job to enqueue, optionally under an id of the caller's: an adapter that honours ids ignores a
 * second enqueue under an id it still knows (the outbox relay re-enqueues after a crash this way).
 * The embedded queue ignores ids: its jobs never come from a relay.
 */
export interface EnqueueSpec extends JobSpec {
  id?: string;
}

export interface Job {
  /** Opaque to callers (a decimal string on SQL adapters). */
  id: string;
  queue: string;
  partitionKey: string;
  ref: string;
  /** Reservations so far, including this one. */
  attempts: number;
  createdAt: number;
  /** The previous reservation's lease ran out with no outcome recorded (e.g. a crash mid-send). */
  previousAttemptUnsettled: boolean;
  /** When the worker first saw this job's outcome as uncertain (see `retryAt`). */
  uncertainSince?: number;
  lastError?: string;
}

export interface ReserveOptions {
  partitionKey: string;
  limit: number;
  leaseMs: number;
  now?: number;
}

export interface RetryOptions {
  error?: string;
  /** Remember that the outcome of an earlier attempt is unknown, from this time on. */
  uncertainSince?: number;
}

export interface QueueCounts {
  queue: string;
  partitionKey: string;
  ready: number;
  scheduled: number;
  leased: number;
  dead: number;
  /**
   * When the oldest ready job (due, not under a live lease) was enqueued, epoch ms; null when none
   * is ready. How long work has been owed: "oldest owed" per callback URL, the age metric per queue.
   */
  oldestReadyAt: number | null;
}

export interface DeadJob {
  id: string;
  queue: string;
  partitionKey: string;
  ref: string;
  attempts: number;
  reason: string;
  createdAt: number;
  deadAt: number;
}

export interface JobQueue {
  enqueue(jobs: readonly EnqueueSpec[]): Promise<void>;
  reserve(queue: string, options: ReserveOptions): Promise<Job[]>;
  /** Done. False when the job had meanwhile been re-reserved or removed (a stale lease). */
  ack(job: Job): Promise<boolean>;
  retryAt(job: Job, runAt: number, options?: RetryOptions): Promise<void>;
  deadLetter(job: Job, reason: string): Promise<void>;
  /** Makes every leased job immediately reservable again (embedded mode, at startup: the leases belonged to a dead process). */
  expireLeases(now?: number): Promise<number>;
  counts(now?: number): Promise<QueueCounts[]>;
  /** Dead letters of a queue, newest first. */
  listDead(queue: string, limit: number): Promise<DeadJob[]>;
  /** Puts dead letters back in their queue as fresh jobs; returns how many were found. */
  revive(deadJobIds: readonly string[]): Promise<number>;
  /** Forgets at most `limit` dead letters older than `olderThan` (epoch ms); returns how many. */
  pruneDead(olderThan: number, limit: number): Promise<number>;
}
