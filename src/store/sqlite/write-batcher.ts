/**
 * @module store/sqlite/write-batcher
 * Group commit for small writes. Every SQLite commit costs a lock, WAL frames and a wal-index
 * update whatever it contains, so thousands of one-row updates a second (sends recorded,
 * statuses applied, jobs acknowledged) are queued here and run together in one transaction per
 * event-loop turn. Callers still get their own result, after the commit.
 *
 * One batcher per connection, shared by the store and the queue, so a message's update and its
 * job's acknowledgement usually land in the same commit.
 */
import type { SqliteDatabase } from './open-sqlite.js';

interface PendingWrite {
  run(): unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export class WriteBatcher {
  readonly #db: SqliteDatabase;
  #pending: PendingWrite[] = [];
  #scheduled = false;
  readonly #runAll;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#runAll = db.transaction((writes: PendingWrite[]) => writes.map((write) => write.run()));
  }

  /** Runs `write` inside the next batch's transaction and resolves with its result. */
  write<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ run: write, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const writes = this.#pending;
    this.#pending = [];
    if (writes.length === 0) return;
    let results: unknown[];
    try {
      results = this.#runAll.immediate(writes);
    } catch {
      // One failing write must not take the others down with it: retry each on its own.
      for (const write of writes) {
        try {
          write.resolve(this.#db.transaction(() => write.run()).immediate());
        } catch (error) {
          write.reject(error);
        }
      }
      return;
    }
    writes.forEach((write, index) => write.resolve(results[index]));
  }
}

const batchers = new WeakMap<SqliteDatabase, WriteBatcher>();

/** The connection's batcher (created on first use). */
export function writeBatcherFor(db: SqliteDatabase): WriteBatcher {
  let batcher = batchers.get(db);
  if (!batcher) {
    batcher = new WriteBatcher(db);
    batchers.set(db, batcher);
  }
  return batcher;
}
