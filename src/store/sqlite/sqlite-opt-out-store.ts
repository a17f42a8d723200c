/**
 * @module store/sqlite/sqlite-opt-out-store
 * Opt-outs in the embedded database.
 */
import type { TransactionHandle } from '../message-store.js';
import type { OptOut, OptOutStore } from '../opt-out-store.js';
import type { SqliteDatabase } from './open-sqlite.js';
import { loadSql } from './sql-loader.js';

export class SqliteOptOutStore implements OptOutStore {
  readonly #db: SqliteDatabase;
  readonly #list;
  readonly #optOut;
  readonly #optIn;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    const sql = (name: string) => db.prepare(loadSql(import.meta.url, name));
    this.#list = sql('list-opt-outs');
    this.#optOut = sql('opt-out');
    this.#optIn = sql('opt-in');
  }

  async all(): Promise<OptOut[]> {
    return (this.#list.all() as OptOut[]).map((row) => ({ ...row, optedOutAt: Number(row.optedOutAt) }));
  }

  optOutWithin(tx: TransactionHandle, optOut: OptOut): void {
    this.#assertWithin(tx);
    this.#optOut.run(optOut.accountId, optOut.recipient, optOut.keyword, optOut.optedOutAt);
  }

  optInWithin(tx: TransactionHandle, accountId: string, recipient: string): void {
    this.#assertWithin(tx);
    this.#optIn.run(accountId, recipient);
  }

  #assertWithin(tx: TransactionHandle): void {
    const sqlite = tx as TransactionHandle & { db?: SqliteDatabase };
    if (sqlite.kind !== 'sqlite' || sqlite.db !== this.#db || !this.#db.inTransaction) {
      throw new Error('SqliteOptOutStore writes need an open transaction on the same database');
    }
  }
}
