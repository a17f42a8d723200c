/**
 * @module store/postgres/pg-write-batcher
 * Group commit on Postgres, as the SQLite store does it (sqlite/write-batcher.ts): small writes
 * issued in the same event-loop turn (accepts, statuses applied, jobs reserved and acknowledged)
 * run one after another in one transaction on one client, so a commit (a WAL flush and a round
 * trip) is shared by all of them. Callers still get their own result, after the commit.
 *
 * One batch is in flight at a time: writes queued meanwhile form the next batch, so the busier
 * the store, the more each commit carries. Within a batch, writes run in the order they were
 * issued, each seeing what the ones before it wrote (statuses of one webhook apply in order).
 * Row locks taken by a batch (a reserved job, a message moved) are held until its commit, so
 * other replicas skip or wait for exactly those rows.
 *
 * A write that fails aborts a Postgres transaction, and with it every write of the batch; so the
 * batch is rolled back and each write runs again alone, and only the failing one rejects. A write
 * must therefore be safe to run twice when the first run rolled back (effects are pure data).
 * When Postgres itself fails instead (the connection is lost, the disk is full), the batch runs
 * again once if nothing can have committed, and otherwise every write rejects with the fault;
 * a COMMIT that got no answer is never run again, since it may have committed.
 */
import type pg from 'pg';
import { errorCode } from '../store-unavailable.js';
import { isPostgresFault } from './postgres-faults.js';

/** A unit of work on the batch's client, inside its transaction. */
export type PgWrite<T> = (client: pg.PoolClient) => Promise<T>;

interface PendingWrite {
  run: PgWrite<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export interface PgWriteBatcherOptions {
  /** Most writes in one transaction; the rest wait for the next. */
  maxBatch?: number;
  /** Every write's outcome, for the store's health: the error, or undefined after a commit. */
  onOutcome?(error: unknown): void;
  /** Runs last in every transaction, before COMMIT (the effects the writes queued: pg-effects.ts). */
  beforeCommit?(client: pg.PoolClient): Promise<void>;
  /** Told when a transaction on `client` rolled back, so what was queued for it is dropped. */
  afterRollback?(client: pg.PoolClient): void;
}

/** Told how long each committed transaction took, in seconds (the gateway's metrics). */
export type CommitObserver = (seconds: number) => void;

/**
 * The observer of every batcher on a pool. The storage builds its batchers itself; keyed by the
 * pool, two storages in one process (tests) report to their own gateways.
 */
const commitObservers = new WeakMap<pg.Pool, CommitObserver>();

/** Reports the duration of every commit the batchers on `pool` make, from now on. */
export function observePgCommits(pool: pg.Pool, observer: CommitObserver): void {
  commitObservers.set(pool, observer);
}

/** Deadlock and serialization failures: retrying the same transaction is the cure. */
const RETRYABLE = new Set(['40P01', '40001']);
const ALONE_ATTEMPTS = 3;

export class PgWriteBatcher {
  readonly #pool: pg.Pool;
  readonly #maxBatch: number;
  readonly #onOutcome: (error: unknown) => void;
  readonly #beforeCommit: (client: pg.PoolClient) => Promise<void>;
  readonly #afterRollback: (client: pg.PoolClient) => void;
  #pending: PendingWrite[] = [];
  #scheduled = false;
  #flushing: Promise<void> | undefined;
  readonly #flushSoon = () => void this.#flush();

  constructor(pool: pg.Pool, options: PgWriteBatcherOptions = {}) {
    this.#pool = pool;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#onOutcome = options.onOutcome ?? (() => {});
    this.#beforeCommit = options.beforeCommit ?? (async () => {});
    this.#afterRollback = options.afterRollback ?? (() => {});
  }

  /** Runs `write` inside the next batch's transaction and resolves with its result after the commit. */
  write<T>(write: PgWrite<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ run: write as PgWrite<unknown>, resolve: resolve as (value: unknown) => void, reject });
      this.#schedule();
    });
  }

  /** Resolves when every write queued so far has settled. */
  async drain(): Promise<void> {
    while (this.#pending.length > 0 || this.#flushing || this.#scheduled) {
      if (this.#flushing) await this.#flushing;
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  #schedule(): void {
    // The end of this turn: every write issued in it joins the batch. While a batch is in
    // flight, the next one waits for its commit (see #flush).
    if (this.#scheduled || this.#flushing) return;
    this.#scheduled = true;
    setImmediate(this.#flushSoon);
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    const writes = this.#pending.splice(0, this.#maxBatch);
    if (writes.length === 0) return;
    let done!: () => void;
    this.#flushing = new Promise<void>((resolve) => (done = resolve));
    try {
      await this.#runBatch(writes);
    } finally {
      this.#flushing = undefined;
      done();
      if (this.#pending.length > 0) this.#schedule();
    }
  }

  async #runBatch(writes: PendingWrite[]): Promise<void> {
    if (writes.length === 1) return this.#runAlone(writes[0]!);
    let outcome = await this.#attempt(writes);
    // A connection lost before COMMIT (a server restart, a killed backend) committed nothing:
    // the batch runs again, once, on a fresh connection.
    if (!outcome.ok && !outcome.atCommit && isPostgresFault(outcome.error)) outcome = await this.#attempt(writes);
    if (outcome.ok) {
      this.#onOutcome(undefined);
      for (let index = 0; index < writes.length; index++) writes[index]!.resolve(outcome.results[index]);
      return;
    }
    if (outcome.atCommit || isPostgresFault(outcome.error)) {
      // The store is unusable (each write alone would only wait for the same fault), or the
      // COMMIT's outcome is unknown (running the writes again could apply them twice).
      this.#onOutcome(outcome.error);
      for (const write of writes) write.reject(outcome.error);
      return;
    }
    // One failing write must not take the others down with it: retry each on its own.
    for (const write of writes) await this.#runAlone(write);
  }

  async #runAlone(write: PendingWrite): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#attempt([write]);
      if (outcome.ok) {
        this.#onOutcome(undefined);
        write.resolve(outcome.results[0]);
        return;
      }
      if (attempt < ALONE_ATTEMPTS && !outcome.atCommit && RETRYABLE.has(errorCode(outcome.error) ?? '')) continue;
      this.#onOutcome(outcome.error);
      write.reject(outcome.error);
      return;
    }
  }

  /** Runs `writes` in order in one transaction; says whether it committed, and if not, whether COMMIT itself failed. */
  async #attempt(writes: readonly PendingWrite[]): Promise<{ ok: true; results: unknown[] } | { ok: false; error: unknown; atCommit: boolean }> {
    let committing = false;
    const startedAt = performance.now();
    try {
      const results = await this.#transaction(async (client) => {
        const out = new Array<unknown>(writes.length);
        for (let index = 0; index < writes.length; index++) out[index] = await writes[index]!.run(client);
        return out;
      }, () => (committing = true));
      commitObservers.get(this.#pool)?.((performance.now() - startedAt) / 1000);
      return { ok: true, results };
    } catch (error) {
      return { ok: false, error, atCommit: committing };
    }
  }

  async #transaction<T>(body: (client: pg.PoolClient) => Promise<T>, onCommit: () => void): Promise<T> {
    const client = await this.#pool.connect();
    // A connection that dies while checked out emits 'error' after failing its query; unheard,
    // that event would end the process. Heard, it marks the client as not to be reused.
    let broken: Error | undefined;
    const onConnectionError = (error: Error) => (broken ??= error);
    client.on('error', onConnectionError);
    try {
      await client.query('BEGIN');
      try {
        const result = await body(client);
        await this.#beforeCommit(client);
        onCommit();
        await client.query('COMMIT');
        return result;
      } catch (error) {
        this.#afterRollback(client);
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken ??= rollbackError));
        throw error;
      }
    } catch (error) {
      // A fault may have cost the connection; a plain statement error leaves it usable.
      if (!broken && isPostgresFault(error)) broken = error as Error;
      throw error;
    } finally {
      client.removeListener('error', onConnectionError);
      // A connection that failed mid-transaction is not handed to anyone else.
      client.release(broken);
    }
  }
}
