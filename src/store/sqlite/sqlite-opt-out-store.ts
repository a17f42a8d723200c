/**
 * @module store/sqlite/sqlite-opt-out-store
 * Opt-outs in the embedded database (written as effects of the inbound message that asked).
 */
import type { OptOut, OptOutStore } from '../opt-out-store.js';
import type { SqliteDatabase } from './open-sqlite.js';
import { loadSql } from './sql-loader.js';

export class SqliteOptOutStore implements OptOutStore {
  readonly #list;

  constructor(db: SqliteDatabase) {
    this.#list = db.prepare(loadSql(import.meta.url, 'list-opt-outs'));
  }

  async all(): Promise<OptOut[]> {
    return (this.#list.all() as OptOut[]).map((row) => ({ ...row, optedOutAt: Number(row.optedOutAt) }));
  }
}
