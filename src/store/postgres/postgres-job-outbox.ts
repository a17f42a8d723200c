/**
 * @module store/postgres/postgres-job-outbox
 * The job outbox on Postgres, for a store paired with an external queue (BullMQ). Relays on
 * several replicas may take the same rows: the queue ignores a job id it has already seen, so
 * that costs a duplicate enqueue, never a duplicate job.
 */
import type pg from 'pg';
import type { JobOutbox, OutboxJob } from '../job-outbox.js';
import { bigintIds, loadPgSql, run, toNumber } from './pg-sql.js';
import type { PgWriteBatcher } from './pg-write-batcher.js';

interface OutboxRow {
  id: string;
  queue: string;
  partition_key: string;
  ref: string;
  run_at: string;
  created_at: string;
  [column: string]: unknown;
}

export class PostgresJobOutbox implements JobOutbox {
  readonly #pool: pg.Pool;
  readonly #writes: PgWriteBatcher;
  readonly #take = loadPgSql('take-outbox-jobs');
  readonly #remove = loadPgSql('remove-outbox-jobs');

  constructor(pool: pg.Pool, writes: PgWriteBatcher) {
    this.#pool = pool;
    this.#writes = writes;
  }

  async take(limit: number): Promise<OutboxJob[]> {
    const { rows } = await run<OutboxRow>(this.#pool, this.#take, [limit]);
    return rows.map((row) => ({
      id: row.id,
      queue: row.queue,
      partitionKey: row.partition_key,
      ref: row.ref,
      runAt: toNumber(row.run_at),
      createdAt: toNumber(row.created_at),
    }));
  }

  async remove(ids: readonly string[]): Promise<void> {
    const wanted = bigintIds(ids);
    if (wanted.length > 0) await this.#writes.write((client) => run(client, this.#remove, [wanted]));
  }
}
