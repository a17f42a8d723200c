/**
 * @module store/sqlite/write-health
 * Whether the store can write right now, for `/readyz`. A full disk, a file turned read-only or a
 * lock held elsewhere does not stop the process: reads, `/healthz` and requests that need no
 * commit still work, and new messages are refused with a 5xx. A load balancer should send
 * CleverTap to another replica meanwhile, so readiness follows the store's last write.
 *
 * Every transaction on the connection reports a storage fault here (`watchTransactions`). Only a
 * probe write clears it: a transaction that merely read would succeed on a full disk and make
 * readiness flap. While a fault stands the probe runs on a timer, so a gateway taken out of
 * rotation, and so receiving no traffic, still notices by itself when space returns.
 */
import { describeStorageFault, isStorageFault } from '../store-unavailable.js';
import type { SqliteDatabase } from './open-sqlite.js';

export interface StoreFault {
  /** One line for an operator: the cause and SQLite's own code and message. */
  reason: string;
  since: number;
}

export interface StoreWriteHealthOptions {
  /** Writes something small; throws if the store cannot write. */
  probe(): void;
  /** How often to probe while a fault stands. Default 1 s. */
  probeEveryMs?: number;
  /** Told when the store stops and starts writing again (to log it once, not per request). */
  onChange?(fault: StoreFault | undefined): void;
}

export class StoreWriteHealth {
  readonly #options: StoreWriteHealthOptions;
  #fault: StoreFault | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: StoreWriteHealthOptions) {
    this.#options = options;
  }

  /** The standing fault, or undefined while the store writes. */
  get fault(): StoreFault | undefined {
    return this.#fault;
  }

  /** Records `error` if it is a storage fault; returns whether it was one. */
  failed(error: unknown): boolean {
    if (!isStorageFault(error)) return false;
    const first = this.#fault === undefined;
    this.#fault = { reason: describeStorageFault(error), since: this.#fault?.since ?? Date.now() };
    if (first) {
      this.#options.onChange?.(this.#fault);
      this.#scheduleProbe();
    }
    return true;
  }

  /** Probes now; clears the fault if the write succeeds. */
  probe(): boolean {
    try {
      this.#options.probe();
    } catch (error) {
      if (!this.failed(error)) throw error;
      return false;
    }
    if (this.#fault) {
      this.#fault = undefined;
      this.#options.onChange?.(undefined);
    }
    return true;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #scheduleProbe(): void {
    if (this.#closed || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.probe()) this.#scheduleProbe();
    }, this.#options.probeEveryMs ?? 1000);
    this.#timer.unref();
  }
}

/** The smallest real write: the header's user_version rewritten with its own value (one WAL frame). */
export function probeWrite(db: SqliteDatabase): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  db.pragma(`user_version = ${version}`);
}

type TransactionFn = ((...args: unknown[]) => unknown) & Record<'deferred' | 'immediate' | 'exclusive', (...args: unknown[]) => unknown>;

/**
 * Reports every storage fault thrown by a transaction of `db` (and its `.immediate()` etc.
 * variants) to `health`. Transactions made before this call are not watched.
 */
export function watchTransactions(db: SqliteDatabase, health: StoreWriteHealth): void {
  const make = db.transaction.bind(db) as unknown as (fn: (...args: unknown[]) => unknown) => TransactionFn;
  const watched = (run: (...args: unknown[]) => unknown) =>
    function (this: unknown, ...args: unknown[]) {
      try {
        return run.apply(this, args);
      } catch (error) {
        health.failed(error);
        throw error;
      }
    };
  (db as { transaction: unknown }).transaction = (fn: (...args: unknown[]) => unknown) => {
    const transaction = make(fn);
    const wrapped = watched(transaction) as TransactionFn;
    for (const variant of ['deferred', 'immediate', 'exclusive'] as const) wrapped[variant] = watched(transaction[variant]);
    return wrapped;
  };
}
