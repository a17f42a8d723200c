/**
 * @module store/postgres/postgres-job-queue
 * The embedded queue over the store's `jobs` table on Postgres, with the SQLite queue's
 * semantics (queue/sqlite/sqlite-job-queue.ts): leases are visibility timeouts (a reserved job's
 * `run_at` moves to the end of its lease), `attempts` tells a stale acknowledgement from a
 * current one, and a job reserved again after its lease ran out comes back flagged as unsettled.
 *
 * Several replicas share the table: a reservation locks the rows it takes with
 * `FOR UPDATE SKIP LOCKED`, so concurrent reservations of one partition take different jobs
 * instead of waiting. Reservations, acknowledgements and reschedules join the storage's write
 * batcher (a lease must be committed before its job is handed out, but needs no commit of its
 * own). `expireLeases` treats every lease as orphaned: only for a store one process owns.
 */
import type pg from 'pg';
import type { DeadJob, Job, JobQueue, JobSpec, QueueCounts, ReserveOptions, RetryOptions } from '../../queue/job-queue.js';
import { bigintIds, loadPgSql, run, toNumber } from './pg-sql.js';
import type { PgWriteBatcher } from './pg-write-batcher.js';

interface ReservedRow {
  id: string;
  queue: string;
  partition_key: string;
  ref: string;
  attempts: number;
  was_leased: number;
  uncertain_since: string | null;
  last_error: string | null;
  created_at: string;
  due_at: string;
  [column: string]: unknown;
}

type CountsRow = Omit<QueueCounts, 'dead' | 'oldestReadyAt'> & { oldestReadyAt: string | null } & Record<string, unknown>;
type DeadRow = Omit<DeadJob, 'createdAt' | 'deadAt'> & { createdAt: string; deadAt: string } & Record<string, unknown>;

export class PostgresJobQueue implements JobQueue {
  readonly #pool: pg.Pool;
  readonly #writes: PgWriteBatcher;
  readonly #sql = {
    enqueue: loadPgSql('insert-jobs'),
    reserve: loadPgSql('reserve'),
    ack: loadPgSql('ack'),
    retryAt: loadPgSql('retry-at'),
    deadLetter: loadPgSql('dead-letter'),
    expireLeases: loadPgSql('expire-leases'),
    counts: loadPgSql('counts'),
    deadCounts: loadPgSql('dead-counts'),
    listDead: loadPgSql('list-dead'),
    revive: loadPgSql('revive-dead'),
    pruneDead: loadPgSql('prune-dead'),
  };

  constructor(pool: pg.Pool, writes: PgWriteBatcher) {
    this.#pool = pool;
    this.#writes = writes;
  }

  async enqueue(jobs: readonly JobSpec[]): Promise<void> {
    if (jobs.length === 0) return;
    const now = Date.now();
    const columns = [jobs.map((job) => job.queue), jobs.map((job) => job.partitionKey), jobs.map((job) => job.ref), jobs.map((job) => job.runAt ?? now), now];
    await this.#writes.write((client) => run(client, this.#sql.enqueue, columns));
  }

  reserve(queue: string, options: ReserveOptions): Promise<Job[]> {
    const now = options.now ?? Date.now();
    const values = [queue, options.partitionKey, now, options.limit, now + options.leaseMs];
    return this.#writes.write(async (client) => {
      const { rows } = await run<ReservedRow>(client, this.#sql.reserve, values);
      // RETURNING keeps no order: hand jobs out by due time, then in the order they were enqueued.
      rows.sort((a, b) => compareBigint(a.due_at, b.due_at) || compareBigint(a.id, b.id));
      return rows.map(toJob);
    });
  }

  async ack(job: Job): Promise<boolean> {
    if (bigintIds([job.id]).length === 0) return false;
    const { rowCount } = await this.#writes.write((client) => run(client, this.#sql.ack, [job.id, job.attempts]));
    return rowCount === 1;
  }

  async retryAt(job: Job, runAt: number, options: RetryOptions = {}): Promise<void> {
    const values = [job.id, job.attempts, runAt, options.error ?? null, options.uncertainSince ?? null];
    await this.#writes.write((client) => run(client, this.#sql.retryAt, values));
  }

  async deadLetter(job: Job, reason: string): Promise<void> {
    const values = [job.id, reason, Date.now()];
    await this.#writes.write((client) => run(client, this.#sql.deadLetter, values));
  }

  async expireLeases(now = Date.now()): Promise<number> {
    return (await run(this.#pool, this.#sql.expireLeases, [now])).rowCount;
  }

  async counts(now = Date.now()): Promise<QueueCounts[]> {
    const [live, dead] = await Promise.all([
      run<CountsRow>(this.#pool, this.#sql.counts, [now]),
      run<{ queue: string; partitionKey: string; dead: number }>(this.#pool, this.#sql.deadCounts, []),
    ]);
    const byKey = new Map<string, QueueCounts>();
    for (const row of live.rows) {
      byKey.set(`${row.queue}\u0000${row.partitionKey}`, { queue: row.queue, partitionKey: row.partitionKey, ready: toNumber(row.ready), scheduled: toNumber(row.scheduled), leased: toNumber(row.leased), dead: 0, oldestReadyAt: row.oldestReadyAt === null ? null : toNumber(row.oldestReadyAt) });
    }
    for (const row of dead.rows) {
      const key = `${row.queue}\u0000${row.partitionKey}`;
      const entry = byKey.get(key) ?? { queue: row.queue, partitionKey: row.partitionKey, ready: 0, scheduled: 0, leased: 0, dead: 0, oldestReadyAt: null };
      entry.dead = toNumber(row.dead);
      byKey.set(key, entry);
    }
    return [...byKey.values()];
  }

  async listDead(queue: string, limit: number): Promise<DeadJob[]> {
    const { rows } = await run<DeadRow>(this.#pool, this.#sql.listDead, [queue, limit]);
    return rows.map((row) => ({
      id: row.id,
      queue: row.queue,
      partitionKey: row.partitionKey,
      ref: row.ref,
      attempts: toNumber(row.attempts),
      reason: row.reason,
      createdAt: toNumber(row.createdAt),
      deadAt: toNumber(row.deadAt),
    }));
  }

  async revive(deadJobIds: readonly string[]): Promise<number> {
    const ids = bigintIds(deadJobIds);
    if (ids.length === 0) return 0;
    const now = Date.now();
    const { rows } = await this.#writes.write((client) => run<{ found: number }>(client, this.#sql.revive, [ids, now]));
    return toNumber(rows[0]?.found ?? 0);
  }

  async pruneDead(olderThan: number, limit: number): Promise<number> {
    return (await run(this.#pool, this.#sql.pruneDead, [olderThan, limit])).rowCount;
  }
}

function compareBigint(a: string, b: string): number {
  // Decimal strings without leading zeros: the longer is the larger, else compare as text.
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function toJob(row: ReservedRow): Job {
  const job: Job = {
    id: row.id,
    queue: row.queue,
    partitionKey: row.partition_key,
    ref: row.ref,
    attempts: toNumber(row.attempts),
    createdAt: toNumber(row.created_at),
    previousAttemptUnsettled: toNumber(row.was_leased) === 1,
  };
  if (row.uncertain_since !== null) job.uncertainSince = toNumber(row.uncertain_since);
  if (row.last_error !== null) job.lastError = row.last_error;
  return job;
}
