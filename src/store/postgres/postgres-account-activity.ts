/**
 * @module store/postgres/postgres-account-activity
 * When an account last sent and heard from Meta, on Postgres: three index seeks, side by side.
 */
import type pg from 'pg';
import { latest, RECENT_SENDS, type AccountActivity, type AccountActivityTimes } from '../account-activity.js';
import { loadPgSql, run, toOptionalNumber } from './pg-sql.js';

type Row = { last_at: string | null };

export class PostgresAccountActivity implements AccountActivity {
  readonly #pool: pg.Pool;
  readonly #lastSend = loadPgSql('account-last-send');
  readonly #lastStatus = loadPgSql('account-last-status');
  readonly #lastInbound = loadPgSql('account-last-inbound');

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async activity(accountId: string): Promise<AccountActivityTimes> {
    const [send, status, inbound] = await Promise.all([
      run<Row>(this.#pool, this.#lastSend, [accountId]),
      run<Row>(this.#pool, this.#lastStatus, [accountId, RECENT_SENDS]),
      run<Row>(this.#pool, this.#lastInbound, [accountId]),
    ]);
    const lastSendAt = toOptionalNumber(send.rows[0]?.last_at);
    const lastWebhookAt = latest(toOptionalNumber(status.rows[0]?.last_at), toOptionalNumber(inbound.rows[0]?.last_at));
    return { ...(lastSendAt !== undefined ? { lastSendAt } : {}), ...(lastWebhookAt !== undefined ? { lastWebhookAt } : {}) };
  }
}
