/**
 * @module store/sqlite/sqlite-message-search
 * Message search and the inbound list on the embedded database. One statement per driving filter
 * (the most selective one asked: msgId, recipient, campaign, failed, account, or time alone),
 * each pinned to its index with `INDEXED BY`, so the plan never depends on statistics SQLite
 * does not keep. Pages are keyed on (accepted_at, rowid).
 */
import {
  decodeCursor,
  encodeCursor,
  driverOf,
  InvalidCursorError,
  page,
  pageSize,
  toInboundSummary,
  toSummary,
  type InboundQuery,
  type InboundRow,
  type InboundSummary,
  type MessageQuery,
  type MessageSearch,
  type MessageSummary,
  type SearchDriver as Driver,
  type Page,
  type SummaryRow,
} from '../message-search.js';
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './open-sqlite.js';
import { loadSql } from './sql-loader.js';

const DRIVERS: Record<Driver, { index: string; condition: string }> = {
  msgId: { index: 'messages_dedupe', condition: 'msg_id = @msgId AND' },
  phone: { index: 'messages_by_recipient', condition: 'recipient = @phone AND' },
  campaign: { index: 'messages_by_campaign', condition: 'campaign = @campaign AND' },
  failed: { index: 'messages_failed', condition: 'failed_at IS NOT NULL AND' },
  account: { index: 'messages_by_account', condition: 'account_id = @accountId AND' },
  time: { index: 'messages_by_time', condition: '' },
};

const MAX_KEY = Number.MAX_SAFE_INTEGER;

export class SqliteMessageSearch implements MessageSearch {
  readonly #search = new Map<Driver, Statement>();
  readonly #inboundByAccount: Statement;
  readonly #inboundAll: Statement;

  constructor(db: SqliteDatabase) {
    const search = loadSql(import.meta.url, 'search-messages');
    for (const [driver, { index, condition }] of Object.entries(DRIVERS) as Array<[Driver, (typeof DRIVERS)[Driver]]>) {
      this.#search.set(driver, db.prepare(search.replace('/*INDEX*/', index).replace('/*DRIVER*/', condition)));
    }
    const inbound = loadSql(import.meta.url, 'search-inbound');
    this.#inboundByAccount = db.prepare(inbound.replace('/*INDEX*/', 'inbound_by_account').replace('/*DRIVER*/', 'i.account_id = @accountId AND'));
    this.#inboundAll = db.prepare(inbound.replace('/*INDEX*/', 'inbound_by_time').replace('/*DRIVER*/', ''));
  }

  async search(query: MessageQuery): Promise<Page<MessageSummary>> {
    const limit = pageSize(query.limit);
    const [cursorAt, cursorKey] = cursorOf(query.cursor);
    const rows = this.#search.get(driverOf(query))!.all({
      accountId: query.accountId ?? null,
      msgId: query.msgId ?? null,
      phone: query.phone ?? null,
      campaign: query.campaign ?? null,
      state: query.state ?? null,
      from: query.from ?? -MAX_KEY,
      to: query.to ?? MAX_KEY,
      cursorAt,
      cursorKey,
      limit: limit + 1,
    }) as Array<SummaryRow & { key: number }>;
    return page(rows, limit, (row) => encodeCursor(Number(row.accepted_at), row.key), toSummary);
  }

  async inbound(query: InboundQuery): Promise<Page<InboundSummary>> {
    const limit = pageSize(query.limit);
    const [cursorAt, cursorKey] = cursorOf(query.cursor);
    const params = { cursorAt, cursorKey, limit: limit + 1 };
    const rows = (query.accountId === undefined ? this.#inboundAll.all(params) : this.#inboundByAccount.all({ ...params, accountId: query.accountId })) as Array<InboundRow & { key: number }>;
    return page(rows, limit, (row) => encodeCursor(Number(row.received_at), row.key), toInboundSummary);
  }
}

function cursorOf(cursor: string | undefined): [number, number] {
  if (cursor === undefined) return [MAX_KEY, MAX_KEY];
  const key = decodeCursor<number>(cursor, 'number');
  if (!key) throw new InvalidCursorError('the cursor is not one this gateway gave');
  return key;
}
