/**
 * @module store/postgres/postgres-message-search
 * Message search and the inbound list on Postgres: one statement per driving filter
 * (store/message-search.ts), the driver's equality leading so the planner takes its index of
 * migration 011. Run unnamed, so each is planned with its values: a generic plan cannot tell the
 * filters not asked (`$1 IS NULL`) from the ones asked. Pages are keyed on (accepted_at, id).
 */
import type pg from 'pg';
import {
  decodeCursor,
  driverOf,
  encodeCursor,
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
  type Page,
  type SummaryRow,
} from '../message-search.js';
import { loadPgSql, type PgStatement } from './pg-sql.js';

const DRIVER_CONDITIONS = {
  msgId: 'msg_id = $2::text AND',
  phone: 'recipient = $3::text AND',
  campaign: 'campaign = $4::text AND',
  failed: 'failed_at IS NOT NULL AND',
  account: 'account_id = $1::text AND',
  time: '',
} as const;

const MAX_KEY = Number.MAX_SAFE_INTEGER;

export class PostgresMessageSearch implements MessageSearch {
  readonly #pool: pg.Pool;
  readonly #search: Map<string, PgStatement>;
  readonly #inboundByAccount: PgStatement;
  readonly #inboundAll: PgStatement;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
    const search = loadPgSql('search-messages');
    this.#search = new Map(
      Object.entries(DRIVER_CONDITIONS).map(([driver, condition]) => [driver, { name: `${search.name}_${driver}`, text: search.text.replace('/*DRIVER*/', condition) }]),
    );
    const inbound = loadPgSql('search-inbound');
    this.#inboundByAccount = { name: `${inbound.name}_account`, text: inbound.text.replace('/*DRIVER*/', 'i.account_id = $1::text AND') };
    this.#inboundAll = { name: `${inbound.name}_all`, text: inbound.text.replace('/*DRIVER*/', '') };
  }

  async search(query: MessageQuery): Promise<Page<MessageSummary>> {
    const limit = pageSize(query.limit);
    const [cursorAt, cursorId] = cursorOf(query.cursor);
    // Unnamed: planned with the values, as the filters not asked are then seen to be absent.
    const { rows } = await this.#pool.query<SummaryRow>({ text: this.#search.get(driverOf(query))!.text, values: [
      query.accountId ?? null,
      query.msgId ?? null,
      query.phone ?? null,
      query.campaign ?? null,
      query.state ?? null,
      query.from ?? -MAX_KEY,
      query.to ?? MAX_KEY,
      cursorAt,
      cursorId,
      limit + 1,
    ] });
    return page(rows, limit, (row) => encodeCursor(Number(row.accepted_at), row.id), toSummary);
  }

  async inbound(query: InboundQuery): Promise<Page<InboundSummary>> {
    const limit = pageSize(query.limit);
    const [cursorAt, cursorWamid] = cursorOf(query.cursor);
    const statement = query.accountId === undefined ? this.#inboundAll : this.#inboundByAccount;
    const { rows } = await this.#pool.query<InboundRow>({ text: statement.text, values: [query.accountId ?? null, cursorAt, cursorWamid, limit + 1] });
    return page(rows, limit, (row) => encodeCursor(Number(row.received_at), row.wamid), toInboundSummary);
  }
}

function cursorOf(cursor: string | undefined): [number, string] {
  // No message is accepted at MAX_KEY, so the key's second half never decides the first page.
  if (cursor === undefined) return [MAX_KEY, ''];
  const key = decodeCursor<string>(cursor, 'string');
  if (!key) throw new InvalidCursorError('the cursor is not one this gateway gave');
  return key;
}
