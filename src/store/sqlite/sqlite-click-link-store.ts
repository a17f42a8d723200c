/**
 * @module store/sqlite/sqlite-click-link-store
 * Click-tracked links in the embedded database (written as effects of a message's acceptance).
 */
import type { ClickLink, ClickLinkStore } from '../click-links.js';
import type { SqliteDatabase } from './open-sqlite.js';
import { loadSql } from './sql-loader.js';

export class SqliteClickLinkStore implements ClickLinkStore {
  readonly #get;

  constructor(db: SqliteDatabase) {
    this.#get = db.prepare(loadSql(import.meta.url, 'get-click-link'));
  }

  async get(code: string): Promise<ClickLink | undefined> {
    const row = this.#get.get(code) as ClickLink | undefined;
    return row && { ...row, createdAt: Number(row.createdAt) };
  }
}
