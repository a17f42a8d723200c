/**
 * @module store/sqlite/sqlite-click-link-store
 * Click-tracked links in the embedded database.
 */
import type { ClickLink, ClickLinkStore } from '../click-links.js';
import type { TransactionHandle } from '../message-store.js';
import type { SqliteDatabase } from './open-sqlite.js';
import { loadSql } from './sql-loader.js';
import { writeBatcherFor, type WriteBatcher } from './write-batcher.js';

export class SqliteClickLinkStore implements ClickLinkStore {
  readonly #db: SqliteDatabase;
  readonly #tx: TransactionHandle & { db: SqliteDatabase };
  readonly #writes: WriteBatcher;
  readonly #insert;
  readonly #get;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#tx = { kind: 'sqlite', db };
    this.#writes = writeBatcherFor(db);
    this.#insert = db.prepare(loadSql(import.meta.url, 'insert-click-link'));
    this.#get = db.prepare(loadSql(import.meta.url, 'get-click-link'));
  }

  addWithin(tx: TransactionHandle, link: ClickLink): void {
    const sqlite = tx as TransactionHandle & { db?: SqliteDatabase };
    if (sqlite.kind !== 'sqlite' || sqlite.db !== this.#db || !this.#db.inTransaction) {
      throw new Error('SqliteClickLinkStore.addWithin needs an open transaction on the same database');
    }
    this.#insert.run(link.code, link.accountId, link.messageId, link.msgId, link.url, link.createdAt);
  }

  async get(code: string): Promise<ClickLink | undefined> {
    const row = this.#get.get(code) as ClickLink | undefined;
    return row && { ...row, createdAt: Number(row.createdAt) };
  }

  inTransaction<T>(write: (tx: TransactionHandle) => T): Promise<T> {
    return this.#writes.write(() => write(this.#tx));
  }
}
