/**
 * @module store/sqlite/sqlite-audit-log
 * The audit log in the embedded database. Entries for account changes are written by the account
 * store, in the change's transaction; `record` is for the other changes, through the same write
 * batcher. Ids are SQLite's autoincrement keys, handed out as decimal strings.
 */
import { auditCursor, auditListLimit, type AuditDraft, type AuditEntry, type AuditLog } from '../account-store.js';
import type { SqliteDatabase } from './open-sqlite.js';
import { auditRow } from './sqlite-account-store.js';
import { loadSql } from './sql-loader.js';
import { writeBatcherFor, type WriteBatcher } from './write-batcher.js';

interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  subject: string;
  details: string;
}

export class SqliteAuditLog implements AuditLog {
  readonly #writes: WriteBatcher;
  readonly #insert;
  readonly #list;
  readonly #listBySubject;

  constructor(db: SqliteDatabase) {
    this.#writes = writeBatcherFor(db);
    const sql = (name: string) => db.prepare(loadSql(import.meta.url, name));
    this.#insert = sql('audit-insert').pluck();
    this.#list = sql('audit-list');
    this.#listBySubject = sql('audit-list-by-subject');
  }

  async record(entry: AuditDraft): Promise<AuditEntry> {
    const row = auditRow(entry);
    const id = await this.#writes.write(() => this.#insert.get(row) as number);
    return { id: String(id), at: row.at, actor: row.actor, action: row.action, subject: row.subject, details: JSON.parse(row.details) as Record<string, unknown> };
  }

  async list(query: { limit: number; before?: string; subject?: string }): Promise<AuditEntry[]> {
    const limit = auditListLimit(query.limit);
    const before = auditCursor(query.before);
    if (limit === 0 || before === undefined) return [];
    const rows = (
      query.subject === undefined ? this.#list.all({ before, limit }) : this.#listBySubject.all({ before, limit, subject: query.subject })
    ) as AuditRow[];
    return rows.map((row) => ({
      id: String(row.id),
      at: Number(row.at),
      actor: row.actor,
      action: row.action,
      subject: row.subject,
      details: JSON.parse(row.details) as Record<string, unknown>,
    }));
  }
}
