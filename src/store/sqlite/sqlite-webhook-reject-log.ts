/**
 * @module store/sqlite/sqlite-webhook-reject-log
 * Rejected webhook items in the embedded database. Written through the connection's write batcher,
 * so keeping them shares a commit with the statuses applied from the same delivery; a write that
 * fails (a full disk) rejects, and the webhook is answered 5xx for Meta to send again.
 */
import {
  DEFAULT_MAX_KEPT_REJECTS,
  MAX_REJECT_ITEM_CHARS,
  listLimit,
  type KeptWebhookReject,
  type RejectedItemKind,
  type RejectedWebhookItem,
  type WebhookRejectLog,
} from '../webhook-rejects.js';
import type { SqliteDatabase } from './open-sqlite.js';
import { loadSql } from './sql-loader.js';
import { writeBatcherFor, type WriteBatcher } from './write-batcher.js';

interface RejectRow {
  id: number;
  receivedAt: number | bigint;
  accountId: string | null;
  kind: RejectedItemKind;
  where: string;
  reason: string;
  item: string;
}

export class SqliteWebhookRejectLog implements WebhookRejectLog {
  readonly #writes: WriteBatcher;
  readonly #maxKept: number;
  readonly #insert;
  readonly #prune;
  readonly #count;
  readonly #list;

  constructor(db: SqliteDatabase, options: { maxKept?: number } = {}) {
    this.#writes = writeBatcherFor(db);
    this.#maxKept = Math.max(1, options.maxKept ?? DEFAULT_MAX_KEPT_REJECTS);
    const sql = (name: string) => db.prepare(loadSql(import.meta.url, name));
    this.#insert = sql('insert-webhook-reject');
    this.#prune = sql('prune-webhook-rejects');
    this.#count = sql('count-webhook-rejects').pluck();
    this.#list = sql('list-webhook-rejects');
  }

  async record(items: readonly RejectedWebhookItem[]): Promise<void> {
    if (items.length === 0) return;
    await this.#writes.write(() => {
      for (const item of items) {
        this.#insert.run(item.receivedAt, item.accountId ?? null, item.kind, item.where, item.reason, item.item.slice(0, MAX_REJECT_ITEM_CHARS));
      }
      this.#prune.run(this.#maxKept);
    });
  }

  async count(): Promise<number> {
    return Number(this.#count.get());
  }

  async list(limit: number): Promise<KeptWebhookReject[]> {
    const rows = this.#list.all(listLimit(limit)) as RejectRow[];
    return rows.map((row) => {
      const kept: KeptWebhookReject = { id: Number(row.id), receivedAt: Number(row.receivedAt), kind: row.kind, where: row.where, reason: row.reason, item: row.item };
      if (row.accountId !== null) kept.accountId = row.accountId;
      return kept;
    });
  }
}
