/**
 * @module store/postgres/postgres-callback-outbox
 * The callback outbox on Postgres, beside the messages whose events it reports. Callbacks are
 * owed as effects (with their delivery jobs, in one commit); the rest are small batched writes.
 */
import type pg from 'pg';
import type { CallbackAttempt, CallbackKind, CallbackOutbox, CallbackSpec, StoredCallback } from '../callback-outbox.js';
import type { PgEffects } from './pg-effects.js';
import { bigintIds, loadPgSql, run, toNumber } from './pg-sql.js';
import type { PgWriteBatcher } from './pg-write-batcher.js';

interface CallbackRow {
  id: string;
  account_id: string;
  kind: CallbackKind;
  url: string;
  msg_id: string | null;
  payload: string;
  created_at: string;
  delivered_at: string | null;
  [column: string]: unknown;
}

export class PostgresCallbackOutbox implements CallbackOutbox {
  readonly #pool: pg.Pool;
  readonly #writes: PgWriteBatcher;
  readonly #effects: PgEffects;
  readonly #sql = {
    get: loadPgSql('get-callbacks'),
    delivered: loadPgSql('mark-callbacks-delivered'),
    failed: loadPgSql('mark-callbacks-failed'),
    dead: loadPgSql('mark-callbacks-dead'),
  };

  constructor(pool: pg.Pool, writes: PgWriteBatcher, effects: PgEffects) {
    this.#pool = pool;
    this.#writes = writes;
    this.#effects = effects;
  }

  async owe(callbacks: readonly CallbackSpec[]): Promise<void> {
    if (callbacks.length > 0) await this.#writes.write(async (client) => this.#effects.add(client, { callbacks }));
  }

  async get(ids: readonly string[]): Promise<StoredCallback[]> {
    const wanted = bigintIds(ids);
    if (wanted.length === 0) return [];
    const { rows } = await run<CallbackRow>(this.#pool, this.#sql.get, [wanted]);
    return rows.map((row) => {
      const callback: StoredCallback = { id: row.id, accountId: row.account_id, kind: row.kind, url: row.url, payload: row.payload, createdAt: toNumber(row.created_at) };
      if (row.msg_id) callback.msgId = row.msg_id;
      if (row.delivered_at !== null) callback.deliveredAt = toNumber(row.delivered_at);
      return callback;
    });
  }

  async markDelivered(ids: readonly string[], at: number, attempt?: CallbackAttempt): Promise<void> {
    await this.#mark(this.#sql.delivered, at, ids, [attempt?.httpStatus ?? null, attempt?.latencyMs ?? null]);
  }

  async markFailed(ids: readonly string[], error: string, attempt?: CallbackAttempt & { at: number }): Promise<void> {
    await this.#mark(this.#sql.failed, error, ids, [attempt?.httpStatus ?? null, attempt?.latencyMs ?? null, attempt?.at ?? null]);
  }

  async markDead(ids: readonly string[], at: number): Promise<void> {
    await this.#mark(this.#sql.dead, at, ids);
  }

  async #mark(statement: ReturnType<typeof loadPgSql>, value: unknown, ids: readonly string[], more: unknown[] = []): Promise<void> {
    const wanted = bigintIds(ids);
    if (wanted.length > 0) await this.#writes.write((client) => run(client, statement, [value, wanted, ...more]));
  }
}
