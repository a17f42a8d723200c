/**
 * @module store/postgres/postgres-template-store
 * Synced templates on Postgres. A full sync's delete, inserts and bookkeeping are one batched
 * write, so a reader never sees half a catalogue. A status webhook edits Meta's JSON here rather
 * than with jsonb_set, which would reorder its keys: `raw` is served to CleverTap as stored.
 */
import type pg from 'pg';
import type { TemplateStatus } from '../../domain/template.js';
import type { StoredTemplate, TemplateRecord, TemplateStore, TemplateSyncState } from '../template-store.js';
import { loadPgSql, run, toNumber, toOptionalNumber } from './pg-sql.js';
import type { PgWriteBatcher } from './pg-write-batcher.js';

interface TemplateRow {
  accountId: string;
  id: string;
  name: string;
  language: string;
  status: TemplateStatus;
  category: string;
  raw: string;
  [column: string]: unknown;
}

interface SyncRow {
  account_id: string;
  last_attempt_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
  template_count: number;
  [column: string]: unknown;
}

export class PostgresTemplateStore implements TemplateStore {
  readonly #pool: pg.Pool;
  readonly #writes: PgWriteBatcher;
  readonly #sql = {
    deleteAccount: loadPgSql('template-delete-account'),
    insert: loadPgSql('template-insert'),
    list: loadPgSql('template-list'),
    rawForUpdate: loadPgSql('template-raw-for-update'),
    setStatus: loadPgSql('template-set-status'),
    syncSuccess: loadPgSql('template-sync-success'),
    syncFailure: loadPgSql('template-sync-failure'),
    syncState: loadPgSql('template-sync-state'),
  };

  constructor(pool: pg.Pool, writes: PgWriteBatcher) {
    this.#pool = pool;
    this.#writes = writes;
  }

  async replaceAll(accountId: string, templates: readonly TemplateRecord[], syncedAt: number): Promise<void> {
    // Checked and serialised before queueing: a bad item rejects this call alone, and a caller
    // mutating its objects afterwards cannot change what gets written. An id listed twice keeps
    // its later copy (one INSERT cannot write a key twice).
    const byId = new Map<string, TemplateRecord & { rawJson: string }>();
    for (const template of templates) {
      const owner = (template as Partial<StoredTemplate>).accountId;
      if (owner !== undefined && owner !== accountId) {
        throw new Error(`template ${template.id} belongs to account "${owner}", not "${accountId}"`);
      }
      byId.delete(template.id);
      byId.set(template.id, { ...template, rawJson: JSON.stringify(template.raw) ?? 'null' });
    }
    const rows = [...byId.values()];
    const columns = [
      accountId,
      syncedAt,
      rows.map((row) => row.id),
      rows.map((row) => row.name),
      rows.map((row) => row.language),
      rows.map((row) => row.status),
      rows.map((row) => row.category),
      rows.map((row) => row.rawJson),
    ];
    await this.#writes.write(async (client) => {
      await run(client, this.#sql.deleteAccount, [accountId]);
      if (rows.length > 0) await run(client, this.#sql.insert, columns);
      await run(client, this.#sql.syncSuccess, [accountId, syncedAt]);
    });
  }

  async list(accountId: string): Promise<StoredTemplate[]> {
    const { rows } = await run<TemplateRow>(this.#pool, this.#sql.list, [accountId]);
    return rows.map((row) => ({
      accountId: row.accountId,
      id: row.id,
      name: row.name,
      language: row.language,
      status: row.status,
      category: row.category,
      raw: JSON.parse(row.raw) as unknown,
    }));
  }

  setStatus(accountId: string, templateId: string, status: TemplateStatus): Promise<boolean> {
    return this.#writes.write(async (client) => {
      const { rows } = await run<{ raw: string }>(client, this.#sql.rawForUpdate, [accountId, templateId]);
      if (!rows[0]) return false;
      await run(client, this.#sql.setStatus, [accountId, templateId, status, withStatus(rows[0].raw, status)]);
      return true;
    });
  }

  async recordSyncFailure(accountId: string, attemptedAt: number, error: string): Promise<void> {
    await this.#writes.write((client) => run(client, this.#sql.syncFailure, [accountId, attemptedAt, error]));
  }

  async syncState(accountId: string): Promise<TemplateSyncState | undefined> {
    const { rows } = await run<SyncRow>(this.#pool, this.#sql.syncState, [accountId]);
    const row = rows[0];
    if (!row) return undefined;
    const state: TemplateSyncState = { accountId: row.account_id, templateCount: toNumber(row.template_count) };
    const lastAttemptAt = toOptionalNumber(row.last_attempt_at);
    const lastSuccessAt = toOptionalNumber(row.last_success_at);
    if (lastAttemptAt !== undefined) state.lastAttemptAt = lastAttemptAt;
    if (lastSuccessAt !== undefined) state.lastSuccessAt = lastSuccessAt;
    if (row.last_error !== null) state.lastError = row.last_error;
    return state;
  }
}

/**
 * `raw` with its `status` set, keys in their order (a new `status` goes last); JSON that is not
 * an object is left as it is. `raw` was written by JSON.stringify, so a parse and stringify
 * gives back exactly what was stored, but for the status.
 */
function withStatus(raw: string, status: TemplateStatus): string {
  const parsed: unknown = JSON.parse(raw);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return raw;
  (parsed as Record<string, unknown>).status = status;
  return JSON.stringify(parsed);
}
