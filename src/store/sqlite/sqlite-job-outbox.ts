/**
 * @module store/sqlite/sqlite-job-outbox
 * The job outbox in the embedded database, for a SQLite store paired with an external queue.
 */
import type { JobOutbox, OutboxJob } from '../job-outbox.js';
import type { SqliteDatabase } from './open-sqlite.js';
import { loadSql } from './sql-loader.js';
import { writeBatcherFor, type WriteBatcher } from './write-batcher.js';

type OutboxRow = [number, string, string, string, number, number];

export class SqliteJobOutbox implements JobOutbox {
  readonly #writes: WriteBatcher;
  readonly #take;
  readonly #remove;

  constructor(db: SqliteDatabase) {
    this.#writes = writeBatcherFor(db);
    this.#take = db.prepare(loadSql(import.meta.url, 'take-outbox-jobs')).raw(true);
    this.#remove = db.prepare(loadSql(import.meta.url, 'remove-outbox-jobs'));
  }

  async take(limit: number): Promise<OutboxJob[]> {
    return (this.#take.all(limit) as OutboxRow[]).map(([id, queue, partitionKey, ref, runAt, createdAt]) => ({
      id: String(id),
      queue,
      partitionKey,
      ref,
      runAt: Number(runAt),
      createdAt: Number(createdAt),
    }));
  }

  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.#writes.write(() => this.#remove.run(JSON.stringify(ids.map(Number))));
  }
}
