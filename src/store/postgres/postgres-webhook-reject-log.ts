/**
 * @module store/postgres/postgres-webhook-reject-log
 * Rejected webhook items on Postgres. Written through the write batcher, so keeping them shares
 * a commit with the statuses applied from the same delivery; a write that fails rejects, and the
 * webhook is answered 5xx for Meta to send again.
 */
import type pg from 'pg';
import {
  DEFAULT_MAX_KEPT_REJECTS,
  MAX_REJECT_ITEM_CHARS,
  listLimit,
  type KeptWebhookReject,
  type RejectedItemKind,
  type RejectedWebhookItem,
  type WebhookRejectLog,
} from '../webhook-rejects.js';
import { loadPgSql, run, toNumber } from './pg-sql.js';
import type { PgWriteBatcher } from './pg-write-batcher.js';

interface RejectRow {
  id: string;
  received_at: string;
  account_id: string | null;
  kind: RejectedItemKind;
  location: string;
  reason: string;
  item: string;
  [column: string]: unknown;
}

export class PostgresWebhookRejectLog implements WebhookRejectLog {
  readonly #pool: pg.Pool;
  readonly #writes: PgWriteBatcher;
  readonly #maxKept: number;
  readonly #sql = {
    insert: loadPgSql('insert-webhook-rejects'),
    prune: loadPgSql('prune-webhook-rejects'),
    count: loadPgSql('count-webhook-rejects'),
    list: loadPgSql('list-webhook-rejects'),
  };

  constructor(pool: pg.Pool, writes: PgWriteBatcher, options: { maxKept?: number } = {}) {
    this.#pool = pool;
    this.#writes = writes;
    this.#maxKept = Math.max(1, options.maxKept ?? DEFAULT_MAX_KEPT_REJECTS);
  }

  async record(items: readonly RejectedWebhookItem[]): Promise<void> {
    if (items.length === 0) return;
    const columns = [
      items.map((item) => item.receivedAt),
      items.map((item) => item.accountId ?? null),
      items.map((item) => item.kind),
      items.map((item) => item.where),
      items.map((item) => item.reason),
      items.map((item) => item.item.slice(0, MAX_REJECT_ITEM_CHARS)),
    ];
    await this.#writes.write(async (client) => {
      await run(client, this.#sql.insert, columns);
      await run(client, this.#sql.prune, [this.#maxKept]);
    });
  }

  async count(): Promise<number> {
    const { rows } = await run<{ count: number }>(this.#pool, this.#sql.count, []);
    return toNumber(rows[0]?.count ?? 0);
  }

  async list(limit: number): Promise<KeptWebhookReject[]> {
    const { rows } = await run<RejectRow>(this.#pool, this.#sql.list, [listLimit(limit)]);
    return rows.map((row) => {
      const kept: KeptWebhookReject = { id: toNumber(row.id), receivedAt: toNumber(row.received_at), kind: row.kind, where: row.location, reason: row.reason, item: row.item };
      if (row.account_id !== null) kept.accountId = row.account_id;
      return kept;
    });
  }
}
