/**
 * @module store/postgres/postgres-audit-log
 * The audit log on Postgres. Entries for account changes are written by the account store, in the
 * change's transaction; `record` (the other changes) is one statement on the pool, which commits
 * on its own. Ids are 64-bit identities, handed out as the decimal strings Postgres sends.
 */
import type pg from 'pg';
import { auditCursor, auditListLimit, type AuditDraft, type AuditEntry, type AuditLog } from '../account-store.js';
import { loadPgSql, run, toNumber } from './pg-sql.js';
import { AUDIT_INSERT, auditValues } from './postgres-account-store.js';

interface AuditRow {
  id: string;
  at: string;
  actor: string;
  action: string;
  subject: string;
  details: string;
  [column: string]: unknown;
}

export class PostgresAuditLog implements AuditLog {
  readonly #pool: pg.Pool;
  readonly #sql = {
    list: loadPgSql('audit-list'),
    listBySubject: loadPgSql('audit-list-by-subject'),
  };

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async record(entry: AuditDraft): Promise<AuditEntry> {
    const values = auditValues(entry);
    const { rows } = await run<{ id: string }>(this.#pool, AUDIT_INSERT, values);
    return { id: String(rows[0]!.id), at: entry.at, actor: entry.actor, action: entry.action, subject: entry.subject, details: JSON.parse(values[4] as string) as Record<string, unknown> };
  }

  async list(query: { limit: number; before?: string; subject?: string }): Promise<AuditEntry[]> {
    const limit = auditListLimit(query.limit);
    const before = auditCursor(query.before);
    if (limit === 0 || before === undefined) return [];
    const { rows } =
      query.subject === undefined
        ? await run<AuditRow>(this.#pool, this.#sql.list, [before.toString(), limit])
        : await run<AuditRow>(this.#pool, this.#sql.listBySubject, [before.toString(), limit, query.subject]);
    return rows.map((row) => ({
      id: String(row.id),
      at: toNumber(row.at),
      actor: row.actor,
      action: row.action,
      subject: row.subject,
      details: JSON.parse(row.details) as Record<string, unknown>,
    }));
  }
}
