/**
 * @module store/postgres/postgres-opt-out-store
 * Opt-outs on Postgres (written as effects of the inbound message that asked).
 */
import type pg from 'pg';
import type { OptOut, OptOutStore } from '../opt-out-store.js';
import { loadPgSql, run, toNumber } from './pg-sql.js';

export class PostgresOptOutStore implements OptOutStore {
  readonly #pool: pg.Pool;
  readonly #list = loadPgSql('list-opt-outs');

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async all(): Promise<OptOut[]> {
    const { rows } = await run<OptOut & Record<string, unknown>>(this.#pool, this.#list, []);
    return rows.map((row) => ({ accountId: row.accountId, recipient: row.recipient, keyword: row.keyword, optedOutAt: toNumber(row.optedOutAt) }));
  }
}
