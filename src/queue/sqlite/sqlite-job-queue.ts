/**
 * @module queue/sqlite/sqlite-job-queue
 * The embedded queue: a job table in the same SQLite file as the messages, so accepting a
 * message and enqueueing its send is one commit. Leases are visibility timeouts: a reserved
 * job's `run_at` moves to the end of its lease, so a job whose worker died simply becomes due.
 */
import type { SqliteDatabase } from '../../store/sqlite/open-sqlite.js';
import { loadSql } from '../../store/sqlite/sql-loader.js';
import type { SqliteTransaction } from '../../store/sqlite/sqlite-message-store.js';
import { writeBatcherFor, type WriteBatcher } from '../../store/sqlite/write-batcher.js';
import type { TransactionHandle } from '../../store/message-store.js';
import type { DeadJob, Job, JobQueue, JobSpec, QueueCounts, ReserveOptions, RetryOptions } from '../job-queue.js';

interface JobRow {
  id: number;
  queue: string;
  partition_key: string;
  ref: string;
  attempts: number;
  leased: number;
  uncertain_since: number | null;
  last_error: string | null;
  created_at: number;
}

export class SqliteJobQueue implements JobQueue {
  readonly #db: SqliteDatabase;
  readonly #statements;
  readonly #reserve;
  readonly #deadLetter;
  readonly #enqueueMany;
  readonly #revive;
  readonly #writes: WriteBatcher;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#writes = writeBatcherFor(db);
    const sql = (name: string) => db.prepare(loadSql(import.meta.url, name));
    const statements = {
      enqueue: sql('enqueue'),
      selectReady: sql('select-ready'),
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
    };
    this.#statements = statements;
    this.#reserve = db.transaction((queue: string, options: ReserveOptions, now: number): Job[] => {
      const rows = statements.selectReady.all({ queue, partitionKey: options.partitionKey, now, limit: options.limit }) as JobRow[];
      if (rows.length === 0) return [];
      statements.lease.run({ ids: JSON.stringify(rows.map((row) => row.id)), leaseUntil: now + options.leaseMs });
      return rows.map(toJob);
    });
    this.#deadLetter = db.transaction((job: Job, reason: string, now: number) => {
      statements.deadLetter.run({ id: job.id, reason, now });
      statements.deleteJob.run({ id: job.id });
    });
    this.#revive = db.transaction((ids: readonly number[], now: number) => {
      let found = 0;
      for (const id of ids) {
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

  enqueueWithin(tx: TransactionHandle, job: JobSpec): void {
    const sqlite = tx as SqliteTransaction;
    if (sqlite.kind !== 'sqlite' || sqlite.db !== this.#db || !this.#db.inTransaction) {
      throw new Error('SqliteJobQueue.enqueueWithin needs an open transaction on the same database');
    }
    const now = Date.now();
    this.#statements.enqueue.run(job.queue, job.partitionKey, job.ref, job.runAt ?? now, now);
  }

  async reserve(queue: string, options: ReserveOptions): Promise<Job[]> {
    return this.#reserve.immediate(queue, options, options.now ?? Date.now());
  }

  async ack(job: Job): Promise<boolean> {
    const { changes } = await this.#writes.write(() => this.#statements.ack.run({ id: job.id, attempts: job.attempts }));
    return changes === 1;
  }

  async retryAt(job: Job, runAt: number, options: RetryOptions = {}): Promise<void> {
    const params = { id: job.id, attempts: job.attempts, runAt, error: options.error ?? null, uncertainSince: options.uncertainSince ?? null };
    await this.#writes.write(() => this.#statements.retryAt.run(params));
  }

  async deadLetter(job: Job, reason: string): Promise<void> {
    this.#deadLetter.immediate(job, reason, Date.now());
  }

  async expireLeases(now = Date.now()): Promise<number> {
    return this.#statements.expireLeases.run({ now }).changes;
  }

  async listDead(queue: string, limit: number): Promise<DeadJob[]> {
    return (this.#statements.listDead.all(queue, limit) as DeadJob[]).map((row) => ({ ...row, createdAt: Number(row.createdAt), deadAt: Number(row.deadAt) }));
  }

  async revive(deadJobIds: readonly number[]): Promise<number> {
    return this.#revive.immediate(deadJobIds, Date.now());
  }

  async counts(now = Date.now()): Promise<QueueCounts[]> {
    const byKey = new Map<string, QueueCounts>();
    for (const row of this.#statements.counts.all({ now }) as Omit<QueueCounts, 'dead'>[]) {
      byKey.set(`${row.queue}\u0000${row.partitionKey}`, { ...row, dead: 0 });
    }
    for (const row of this.#statements.deadCounts.all() as { queue: string; partitionKey: string; dead: number }[]) {
      const key = `${row.queue}\u0000${row.partitionKey}`;
      const entry = byKey.get(key) ?? { queue: row.queue, partitionKey: row.partitionKey, ready: 0, scheduled: 0, leased: 0, dead: 0 };
      entry.dead = row.dead;
      byKey.set(key, entry);
    }
    return [...byKey.values()];
  }
}

function toJob(row: JobRow): Job {
  const job: Job = {
    id: row.id,
    queue: row.queue,
    partitionKey: row.partition_key,
    ref: row.ref,
    attempts: row.attempts + 1,
    createdAt: Number(row.created_at),
    previousAttemptUnsettled: row.leased === 1,
  };
  if (row.uncertain_since !== null) job.uncertainSince = Number(row.uncertain_since);
  if (row.last_error !== null) job.lastError = row.last_error;
  return job;
}
