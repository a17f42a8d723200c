/**
 * @module store/sqlite/sqlite-callback-outbox
 * The callback outbox in the embedded database, beside the messages whose events it reports.
 */
import type { CallbackAttempt, CallbackOutbox, CallbackSpec, StoredCallback } from '../callback-outbox.js';
import type { SqliteDatabase } from './open-sqlite.js';
import { sqliteEffectsFor, type SqliteEffects } from './sqlite-effects.js';
import { loadSql } from './sql-loader.js';
import { writeBatcherFor, type WriteBatcher } from './write-batcher.js';

type CallbackRow = Omit<StoredCallback, 'id' | 'msgId' | 'deliveredAt'> & { id: number; msgId: string | null; deliveredAt: number | null };

export class SqliteCallbackOutbox implements CallbackOutbox {
  readonly #writes: WriteBatcher;
  readonly #effects: SqliteEffects;
  readonly #get;
  readonly #delivered;
  readonly #failed;
  readonly #dead;
  readonly #attemptEvents;

  constructor(db: SqliteDatabase) {
    this.#writes = writeBatcherFor(db);
    this.#effects = sqliteEffectsFor(db);
    const sql = (name: string) => db.prepare(loadSql(import.meta.url, name));
    this.#get = sql('get-callbacks');
    this.#delivered = sql('mark-callbacks-delivered');
    this.#failed = sql('mark-callbacks-failed');
    this.#dead = sql('mark-callbacks-dead');
    this.#attemptEvents = sql('callback-attempt-events');
  }

  async owe(callbacks: readonly CallbackSpec[]): Promise<void> {
    if (callbacks.length > 0) await this.#writes.write(() => this.#effects.apply({ callbacks }));
  }

  async get(ids: readonly string[]): Promise<StoredCallback[]> {
    const rows = this.#get.all(idList(ids)) as CallbackRow[];
    return rows.map((row) => {
      const callback: StoredCallback = { id: String(row.id), accountId: row.accountId, kind: row.kind, url: row.url, payload: row.payload, createdAt: Number(row.createdAt) };
      if (row.msgId) callback.msgId = row.msgId;
      if (row.deliveredAt !== null) callback.deliveredAt = Number(row.deliveredAt);
      return callback;
    });
  }

  async markDelivered(ids: readonly string[], at: number, attempt?: CallbackAttempt): Promise<void> {
    await this.#writes.write(() => this.#delivered.run(at, attempt?.httpStatus ?? null, attempt?.latencyMs ?? null, idList(ids)));
  }

  async markFailed(ids: readonly string[], error: string, attempt?: CallbackAttempt & { at: number }): Promise<void> {
    const list = idList(ids);
    await this.#writes.write(() => {
      this.#failed.run(error, attempt?.httpStatus ?? null, attempt?.latencyMs ?? null, list);
      if (attempt) this.#attemptEvents.run(attempt.at, attempt.httpStatus ?? null, error.slice(0, 500), attempt.latencyMs, list);
    });
  }

  async markDead(ids: readonly string[], at: number): Promise<void> {
    await this.#writes.write(() => this.#dead.run(at, idList(ids)));
  }
}

/** A JSON array of integer ids for `json_each` (numbers, so they compare with the integer key). */
function idList(ids: readonly string[]): string {
  return JSON.stringify(ids.map(Number));
}
