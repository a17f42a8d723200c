/**
 * @module queue/sqlite/sqlite-job-queue
 * The embedded queue: a job table in the same SQLite file as the messages. The store writes the
 * jobs a change creates straight into it, in the change's commit (store/sqlite/sqlite-effects.ts):
 * here the store's job outbox and the queue are one table. Leases are visibility timeouts: a reserved
 * job's `run_at` moves to the end of its lease, so a job whose worker died simply becomes due.
 */
import type { SqliteDatabase } from '../../store/sqlite/open-sqlite.js';
import { loadSql } from '../../store/sqlite/sql-loader.js';
import { writeBatcherFor, type WriteBatcher } from '../../store/sqlite/write-batcher.js';
import type { DeadJob, Job, JobQueue, JobSpec, QueueCounts, ReserveOptions, RetryOptions } from '../job-queue.js';

/** A `select-ready` row, read raw: id, queue, partition_key, ref, attempts, leased, uncertain_since, last_error, created_at. */
type JobRow = [number, string, string, string, number, number, number | null, string | null, number];

export class SqliteJobQueue implements JobQueue {
  readonly #statements;
  readonly #reserve;
  readonly #deadLetter;
  readonly #enqueueMany;
  readonly #revive;
  readonly #writes: WriteBatcher;

  constructor(db: SqliteDatabase) {
    this.#writes = writeBatcherFor(db);
    const sql = (name: string) => db.prepare(loadSql(import.meta.url, name));
    const statements = {
      enqueue: sql('enqueue'),
      selectReady: sql('select-ready').raw(true),
      lease: sql('lease'),
      ack: sql('ack'),
      retryAt: sql('retry-at'),
      deadLetter: sql('dead-letter'),
      deleteJob: sql('delete-job'),
      expireLeases: sql('expire-leases'),
      counts: sql('counts'),
      deadCounts: sql('dead-counts'),
      listDead: sql('list-dead'),
      reviveDead: sql('revive-dead'),
      deleteDead: sql('delete-dead'),
      pruneDead: sql('prune-dead'),
    };
    this.#statements = statements;
    this.#reserve = db.transaction((queue: string, options: ReserveOptions, now: number): Job[] => {
      const rows = statements.selectReady.all(queue, options.partitionKey, now, options.limit) as JobRow[];
      const jobs: Job[] = new Array(rows.length);
      const leaseUntil = now + options.leaseMs;
      for (let index = 0; index < rows.length; index++) {
        const row = rows[index]!;
        statements.lease.run(leaseUntil, row[0]);
        jobs[index] = toJob(row);
      }
      return jobs;
    });
    this.#deadLetter = db.transaction((job: Job, reason: string, now: number) => {
      const id = Number(job.id);
      statements.deadLetter.run({ id, reason, now });
      statements.deleteJob.run({ id });
    });
    this.#revive = db.transaction((ids: readonly string[], now: number) => {
      let found = 0;
      for (const deadId of ids) {
        const id = Number(deadId);
        if (statements.reviveDead.run({ id, now }).changes === 1) {
          statements.deleteDead.run({ id });
          found++;
        }
      }
      return found;
    });
    this.#enqueueMany = db.transaction((jobs: readonly JobSpec[], now: number) => {
      for (const job of jobs) statements.enqueue.run(job.queue, job.partitionKey, job.ref, job.runAt ?? now, now);
    });
  }

  async enqueue(jobs: readonly JobSpec[]): Promise<void> {
    this.#enqueueMany.immediate(jobs, Date.now());
  }

  async reserve(queue: string, options: ReserveOptions): Promise<Job[]> {
    // The lease must be durable before a job is handed out (a crash mid-send must find it
    // leased), but it need not have a commit of its own: it joins the next batch of writes.
    return this.#writes.write(() => this.#reserve(queue, options, options.now ?? Date.now()));
  }

  async ack(job: Job): Promise<boolean> {
    const { changes } = await this.#writes.write(() => this.#statements.ack.run(Number(job.id), job.attempts));
    return changes === 1;
  }

  async retryAt(job: Job, runAt: number, options: RetryOptions = {}): Promise<void> {
    const params = { id: Number(job.id), attempts: job.attempts, runAt, error: options.error ?? null, uncertainSince: options.uncertainSince ?? null };
    await this.#writes.write(() => this.#statements.retryAt.run(params));
  }

  async deadLetter(job: Job, reason: string): Promise<void> {
    this.#deadLetter.immediate(job, reason, Date.now());
  }

  async expireLeases(now = Date.now()): Promise<number> {
    return this.#statements.expireLeases.run({ now }).changes;
  }

  async listDead(queue: string, limit: number): Promise<DeadJob[]> {
    return (this.#statements.listDead.all(queue, limit) as Array<Omit<DeadJob, 'id'> & { id: number }>).map((row) => ({
      ...row,
      id: String(row.id),
      createdAt: Number(row.createdAt),
      deadAt: Number(row.deadAt),
    }));
  }

  async revive(deadJobIds: readonly string[]): Promise<number> {
    return this.#revive.immediate(deadJobIds, Date.now());
  }

  async pruneDead(olderThan: number, limit: number): Promise<number> {
    return this.#statements.pruneDead.run(olderThan, limit).changes;
  }

  async counts(now = Date.now()): Promise<QueueCounts[]> {
    const byKey = new Map<string, QueueCounts>();
    for (const row of this.#statements.counts.all({ now }) as Omit<QueueCounts, 'dead'>[]) {
      byKey.set(`${row.queue}\u0000${row.partitionKey}`, { ...row, dead: 0 });
    }
    for (const row of this.#statements.deadCounts.all() as { queue: string; partitionKey: string; dead: number }[]) {
      const key = `${row.queue}\u0000${row.partitionKey}`;
      const entry = byKey.get(key) ?? { queue: row.queue, partitionKey: row.partitionKey, ready: 0, scheduled: 0, leased: 0, dead: 0, oldestReadyAt: null };
      entry.dead = row.dead;
      byKey.set(key, entry);
    }
    return [...byKey.values()];
  }
}

function toJob(row: JobRow): Job {
  const [id, queue, partitionKey, ref, attempts, leased, uncertainSince, lastError, createdAt] = row;
  const job: Job = { id: String(id), queue, partitionKey, ref, attempts: attempts + 1, createdAt: Number(createdAt), previousAttemptUnsettled: leased === 1 };
  if (uncertainSince !== null) job.uncertainSince = Number(uncertainSince);
  if (lastError !== null) job.lastError = lastError;
  return job;
}
