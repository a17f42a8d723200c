/**
 * @module store/sqlite/sqlite-account-store
 * Stored accounts in the embedded database. Each write (its checks, the row, its audit entry) is
 * one closure on the connection's write batcher: closures run one after another on SQLite's single
 * writer, so "is this id live, is this number served" cannot change between the check and the
 * write, and a closure that throws rolls back with its batch before running again alone.
 * Does not own the connection: whoever opened it closes it.
 */
import type { AccountRecord, AccountStore, AccountWrite, AuditDraft } from '../account-store.js';
import type { SqliteDatabase } from './open-sqlite.js';
import { loadSql } from './sql-loader.js';
import { writeBatcherFor, type WriteBatcher } from './write-batcher.js';

interface AccountRow {
  id: string;
  wabaNumber: string;
  document: string;
  version: number;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
}

interface AccountInput {
  id: string;
  wabaNumber: string;
  document: Record<string, unknown>;
}

export class SqliteAccountStore implements AccountStore {
  readonly #writes: WriteBatcher;
  readonly #list;
  readonly #get;
  readonly #numberHolder;
  readonly #create;
  readonly #update;
  readonly #markDeleted;
  readonly #revision;
  readonly #audit;

  constructor(db: SqliteDatabase) {
    this.#writes = writeBatcherFor(db);
    const sql = (name: string) => db.prepare(loadSql(import.meta.url, name));
    this.#list = sql('account-list');
    this.#get = sql('account-get');
    this.#numberHolder = sql('account-number-holder').pluck();
    this.#create = sql('account-create');
    this.#update = sql('account-update');
    this.#markDeleted = sql('account-mark-deleted');
    this.#revision = sql('account-revision').pluck();
    this.#audit = sql('audit-insert');
  }

  async list(): Promise<AccountRecord[]> {
    return (this.#list.all() as AccountRow[]).map(toRecord);
  }

  async get(id: string): Promise<AccountRecord | undefined> {
    const row = this.#get.get(id) as AccountRow | undefined;
    return row && toRecord(row);
  }

  create(account: AccountInput, audit: AuditDraft): Promise<AccountWrite> {
    // Serialised now: a caller changing its objects afterwards cannot change what is written.
    const row = { id: account.id, wabaNumber: account.wabaNumber, document: JSON.stringify(account.document), at: audit.at };
    const entry = auditRow(audit);
    return this.#writes.write((): AccountWrite => {
      const current = this.#get.get(row.id) as AccountRow | undefined;
      if (current && current.deletedAt === null) return { ok: false, reason: 'exists' };
      const holder = this.#numberHolder.get(row) as string | undefined;
      if (holder !== undefined) return { ok: false, reason: 'number-taken', by: holder };
      const written = this.#create.get(row) as AccountRow;
      this.#audit.run(entry);
      return { ok: true, account: toRecord(written) };
    });
  }

  update(account: AccountInput, audit: AuditDraft, expectedVersion?: number): Promise<AccountWrite> {
    const row = { id: account.id, wabaNumber: account.wabaNumber, document: JSON.stringify(account.document), at: audit.at };
    const entry = auditRow(audit);
    return this.#writes.write((): AccountWrite => {
      const current = this.#get.get(row.id) as AccountRow | undefined;
      if (!current || current.deletedAt !== null) return { ok: false, reason: 'missing' };
      if (expectedVersion !== undefined && current.version !== expectedVersion) return { ok: false, reason: 'version-conflict' };
      const holder = this.#numberHolder.get(row) as string | undefined;
      if (holder !== undefined) return { ok: false, reason: 'number-taken', by: holder };
      const written = this.#update.get(row) as AccountRow;
      this.#audit.run(entry);
      return { ok: true, account: toRecord(written) };
    });
  }

  markDeleted(id: string, audit: AuditDraft): Promise<AccountWrite> {
    const entry = auditRow(audit);
    return this.#writes.write((): AccountWrite => {
      const written = this.#markDeleted.get({ id, at: audit.at }) as AccountRow | undefined;
      if (!written) return { ok: false, reason: 'missing' };
      this.#audit.run(entry);
      return { ok: true, account: toRecord(written) };
    });
  }

  async revision(): Promise<string> {
    return String(this.#revision.get());
  }
}

/** An audit draft as `audit-insert.sql` binds it (shared with the audit log). */
export function auditRow(audit: AuditDraft): { at: number; actor: string; action: string; subject: string; details: string } {
  return { at: audit.at, actor: audit.actor, action: audit.action, subject: audit.subject, details: JSON.stringify(audit.details) };
}

function toRecord(row: AccountRow): AccountRecord {
  const record: AccountRecord = {
    id: row.id,
    wabaNumber: row.wabaNumber,
    document: JSON.parse(row.document) as Record<string, unknown>,
    version: Number(row.version),
    createdAt: Number(row.createdAt),
    updatedAt: Number(row.updatedAt),
  };
  if (row.deletedAt !== null) record.deletedAt = Number(row.deletedAt);
  return record;
}
