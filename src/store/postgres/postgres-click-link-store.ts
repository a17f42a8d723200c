/**
 * @module store/postgres/postgres-click-link-store
 * Click-tracked links on Postgres (written as effects of a message's acceptance).
 */
import type pg from 'pg';
import type { ClickLink, ClickLinkStore } from '../click-links.js';
import { loadPgSql, run, toNumber } from './pg-sql.js';

export class PostgresClickLinkStore implements ClickLinkStore {
  readonly #pool: pg.Pool;
  readonly #get = loadPgSql('get-click-link');

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async get(code: string): Promise<ClickLink | undefined> {
    const { rows } = await run<ClickLink & Record<string, unknown>>(this.#pool, this.#get, [code]);
    const row = rows[0];
    return row && { code: row.code, accountId: row.accountId, messageId: row.messageId, msgId: row.msgId, url: row.url, createdAt: toNumber(row.createdAt) };
  }
}
