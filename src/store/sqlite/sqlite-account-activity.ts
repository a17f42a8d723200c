/**
 * @module store/sqlite/sqlite-account-activity
 * When an account last sent and heard from Meta, in the embedded database: three index seeks,
 * synchronous like every better-sqlite3 read (each is a few microseconds).
 */
import { latest, RECENT_SENDS, type AccountActivity, type AccountActivityTimes } from '../account-activity.js';
import type { SqliteDatabase } from './open-sqlite.js';
import { loadSql } from './sql-loader.js';

type Row = { lastAt: number | null } | undefined;

export class SqliteAccountActivity implements AccountActivity {
  readonly #lastSend;
  readonly #lastStatus;
  readonly #lastInbound;

  constructor(db: SqliteDatabase) {
    this.#lastSend = db.prepare(loadSql(import.meta.url, 'account-last-send'));
    this.#lastStatus = db.prepare(loadSql(import.meta.url, 'account-last-status'));
    this.#lastInbound = db.prepare(loadSql(import.meta.url, 'account-last-inbound'));
  }

  async activity(accountId: string): Promise<AccountActivityTimes> {
    const lastSendAt = time(this.#lastSend.get(accountId) as Row);
    const lastWebhookAt = latest(time(this.#lastStatus.get(accountId, RECENT_SENDS) as Row), time(this.#lastInbound.get(accountId) as Row));
    return { ...(lastSendAt !== undefined ? { lastSendAt } : {}), ...(lastWebhookAt !== undefined ? { lastWebhookAt } : {}) };
  }
}

/** A time, or undefined for none (NULL, or the 0 an absent status time counts as). */
function time(row: Row): number | undefined {
  const value = row?.lastAt;
  return value === null || value === undefined || value === 0 ? undefined : Number(value);
}
