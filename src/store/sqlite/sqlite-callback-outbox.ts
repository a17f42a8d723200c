/**
 * @module store/sqlite/sqlite-callback-outbox
 * The callback outbox in the embedded database, beside the messages whose events it reports.
 */
import type { CallbackOutbox, CallbackSpec, StoredCallback } from '../callback-outbox.js';
import type { TransactionHandle } from '../message-store.js';
import type { SqliteDatabase } from './open-sqlite.js';
import { loadSql } from './sql-loader.js';
import type { SqliteTransaction } from './sqlite-message-store.js';
import { writeBatcherFor, type WriteBatcher } from './write-batcher.js';

export class SqliteCallbackOutbox implements CallbackOutbox {
  readonly #db: SqliteDatabase;
  readonly #writes: WriteBatcher;
  readonly #insert;
  readonly #get;
  readonly #delivered;
  readonly #failed;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#writes = writeBatcherFor(db);
    const sql = (name: string) => db.prepare(loadSql(import.meta.url, name));
    this.#insert = sql('insert-callback');
    this.#get = sql('get-callbacks');
    this.#delivered = sql('mark-callbacks-delivered');
    this.#failed = sql('mark-callbacks-failed');
  }

  addWithin(tx: TransactionHandle, callback: CallbackSpec): number {
    const sqlite = tx as SqliteTransaction;
    if (sqlite.kind !== 'sqlite' || sqlite.db !== this.#db || !this.#db.inTransaction) {
      throw new Error('SqliteCallbackOutbox.addWithin needs an open transaction on the same database');
    }
    const { lastInsertRowid } = this.#insert.run(callback.accountId, callback.kind, callback.url, callback.msgId ?? null, callback.payload, Date.now());
    return Number(lastInsertRowid);
  }

  async get(ids: readonly number[]): Promise<StoredCallback[]> {
    const rows = this.#get.all(JSON.stringify(ids)) as Array<StoredCallback & { msgId: string | null }>;
    return rows.map((row) => {
      const callback: StoredCallback = { id: row.id, accountId: row.accountId, kind: row.kind, url: row.url, payload: row.payload, createdAt: Number(row.createdAt) };
      if (row.msgId) callback.msgId = row.msgId;
      return callback;
    });
  }

  async markDelivered(ids: readonly number[], at: number): Promise<void> {
    await this.#writes.write(() => this.#delivered.run(at, JSON.stringify(ids)));
  }

  async markFailed(ids: readonly number[], error: string): Promise<void> {
    await this.#writes.write(() => this.#failed.run(error, JSON.stringify(ids)));
  }
}
