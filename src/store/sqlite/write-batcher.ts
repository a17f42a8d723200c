/**
 * @module store/sqlite/write-batcher
 * Group commit for small writes. Every SQLite commit costs a lock, WAL frames and a wal-index
 * update whatever it contains, so thousands of one-row updates a second (sends recorded,
 * statuses applied, jobs reserved and acknowledged) are queued here and run together in one
 * transaction. Callers still get their own result, after the commit.
 *
 * When writes are rare a batch commits at the end of the event-loop turn that queued it
 * (`setImmediate`), so a lone write waits for nothing. Under load, when turns are short and
 * each would bring only a write or two, commits are spaced at least `minIntervalMs` apart:
 * sending 1,000 messages/s means ~5,000 small writes a second (reservations, sends recorded
 * and acknowledged, three statuses per message), and each commit costs far more than the
 * rows in it (WAL frames, checksums, locks, page-cache upkeep). At 4 ms they take at most 250
 * commits a second, for a wait of at most 4 ms; the CPU per message sent, statuses included,
 * fell by about a fifth against one commit per turn (docs/benchmarks.md).
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

/** Told how long each group commit took, in seconds (the gateway's metrics). */
export type CommitObserver = (seconds: number) => void;

/** Default spacing of commits under load (see the module comment). */
export const DEFAULT_MIN_COMMIT_INTERVAL_MS = 4;

export class WriteBatcher {
  readonly #db: SqliteDatabase;
  readonly #minIntervalMs: number;
  #pending: PendingWrite[] = [];
  #scheduled = false;
  #lastCommitAt = -Infinity;
  readonly #runAll;
  readonly #flushNow = () => this.#flush();
  #observe: CommitObserver | undefined;

  constructor(db: SqliteDatabase, minIntervalMs = DEFAULT_MIN_COMMIT_INTERVAL_MS) {
    this.#db = db;
    this.#minIntervalMs = minIntervalMs;
    this.#runAll = db.transaction((writes: PendingWrite[]) => {
      const results = new Array<unknown>(writes.length);
      for (let index = 0; index < writes.length; index++) results[index] = writes[index]!.run();
      return results;
    });
  }

  /** Reports each commit's duration from now on (one observer per connection: the gateway's). */
  observeCommits(observer: CommitObserver | undefined): void {
    this.#observe = observer;
  }

  /** Runs `write` inside the next batch's transaction and resolves with its result. */
  write<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ run: write, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#scheduled) this.#schedule();
    });
  }

  #schedule(): void {
    this.#scheduled = true;
    const wait = this.#lastCommitAt + this.#minIntervalMs - performance.now();
    if (wait >= 1) setTimeout(this.#flushNow, wait);
    else setImmediate(this.#flushNow);
  }

  #flush(): void {
    this.#scheduled = false;
    const writes = this.#pending;
    this.#pending = [];
    if (writes.length === 0) return;
    let results: unknown[];
    const startedAt = performance.now();
    try {
      results = this.#runAll.immediate(writes);
      this.#observe?.((performance.now() - startedAt) / 1000);
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
    } finally {
      this.#lastCommitAt = performance.now();
    }
    for (let index = 0; index < writes.length; index++) writes[index]!.resolve(results[index]);
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
