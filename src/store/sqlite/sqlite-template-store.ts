/**
 * @module store/sqlite/sqlite-template-store
 * Synced templates in the embedded database. Writes go through the connection's write batcher
 * (one transaction each, group-committed with whatever else is pending); a full sync's delete,
 * inserts and bookkeeping run as one write, so a reader never sees half a catalogue.
 * Does not own the connection: whoever opened it closes it.
 */
import type { TemplateStatus } from '../../domain/template.js';
import type { StoredTemplate, TemplateRecord, TemplateStore, TemplateSyncState } from '../template-store.js';
import type { SqliteDatabase } from './open-sqlite.js';
import { loadSql } from './sql-loader.js';
import { writeBatcherFor, type WriteBatcher } from './write-batcher.js';

interface TemplateRow {
  accountId: string;
  id: string;
  name: string;
  language: string;
  status: string;
  category: string;
  raw: string;
}

interface SyncRow {
  accountId: string;
  lastAttemptAt: number | bigint | null;
  lastSuccessAt: number | bigint | null;
  lastError: string | null;
  templateCount: number | bigint;
}

export class SqliteTemplateStore implements TemplateStore {
  readonly #writes: WriteBatcher;
  readonly #deleteAccount;
  readonly #insert;
  readonly #list;
  readonly #setStatus;
  readonly #syncSuccess;
  readonly #syncFailure;
  readonly #syncState;

  constructor(db: SqliteDatabase) {
    this.#writes = writeBatcherFor(db);
    const sql = (name: string) => db.prepare(loadSql(import.meta.url, name));
    this.#deleteAccount = sql('template-delete-account');
    this.#insert = sql('template-insert');
    this.#list = sql('template-list');
    this.#setStatus = sql('template-set-status');
    this.#syncSuccess = sql('template-sync-success');
    this.#syncFailure = sql('template-sync-failure');
    this.#syncState = sql('template-sync-state');
  }

  async replaceAll(accountId: string, templates: readonly TemplateRecord[], syncedAt: number): Promise<void> {
    // Checked and serialised before queueing: a bad item rejects this call alone, and a caller
    // mutating its objects afterwards cannot change what gets written.
    const rows = templates.map((template) => {
      const owner = (template as Partial<StoredTemplate>).accountId;
      if (owner !== undefined && owner !== accountId) {
        throw new Error(`template ${template.id} belongs to account "${owner}", not "${accountId}"`);
      }
      return {
        accountId,
        id: template.id,
        name: template.name,
        language: template.language,
        status: template.status,
        category: template.category,
        raw: JSON.stringify(template.raw) ?? 'null',
        syncedAt,
      };
    });
    await this.#writes.write(() => {
      this.#deleteAccount.run(accountId);
      for (const row of rows) this.#insert.run(row);
      this.#syncSuccess.run({ accountId, syncedAt });
    });
  }

  async list(accountId: string): Promise<StoredTemplate[]> {
    return (this.#list.all(accountId) as TemplateRow[]).map((row) => ({ ...row, raw: JSON.parse(row.raw) as unknown }));
  }

  setStatus(accountId: string, templateId: string, status: TemplateStatus): Promise<boolean> {
    return this.#writes.write(() => this.#setStatus.run({ accountId, templateId, status }).changes > 0);
  }

  async recordSyncFailure(accountId: string, attemptedAt: number, error: string): Promise<void> {
    await this.#writes.write(() => this.#syncFailure.run({ accountId, attemptedAt, error }));
  }

  async syncState(accountId: string): Promise<TemplateSyncState | undefined> {
    const row = this.#syncState.get(accountId) as SyncRow | undefined;
    if (!row) return undefined;
    const state: TemplateSyncState = { accountId: row.accountId, templateCount: Number(row.templateCount) };
    if (row.lastAttemptAt !== null) state.lastAttemptAt = Number(row.lastAttemptAt);
    if (row.lastSuccessAt !== null) state.lastSuccessAt = Number(row.lastSuccessAt);
    if (row.lastError !== null) state.lastError = row.lastError;
    return state;
  }
}
