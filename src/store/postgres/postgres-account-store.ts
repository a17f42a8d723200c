/**
 * @module store/postgres/postgres-account-store
 * Stored accounts on Postgres. Each write is a transaction of its own on one pooled client, not a
 * turn of the group-commit lane: it first takes the schema's account-write lock (a transaction
 * advisory lock), so its checks ("is this id live, is this number served") hold until it commits
 * even against another replica, and a lane batch of statuses never waits behind that lock. The
 * account row and its audit entry commit together; a refused write commits nothing.
 * The partial unique index on live WABA numbers stays the last word should anything bypass this.
 */
import type pg from 'pg';
import type { AccountRecord, AccountStore, AccountWrite, AuditDraft } from '../account-store.js';
import { loadPgSql, run, toNumber, toOptionalNumber } from './pg-sql.js';

interface AccountRow {
  id: string;
  waba_number: string;
  document: string;
  version: number;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  [column: string]: unknown;
}

interface AccountInput {
  id: string;
  wabaNumber: string;
  document: Record<string, unknown>;
}

/** Shared with the audit log: an entry's insert, as `audit-insert.sql` binds it. */
export const AUDIT_INSERT = loadPgSql('audit-insert');

export function auditValues(audit: AuditDraft): unknown[] {
  return [audit.at, audit.actor, audit.action, audit.subject, JSON.stringify(audit.details)];
}

export class PostgresAccountStore implements AccountStore {
  readonly #pool: pg.Pool;
  readonly #sql = {
    list: loadPgSql('account-list'),
    get: loadPgSql('account-get'),
    lock: loadPgSql('account-lock'),
    numberHolder: loadPgSql('account-number-holder'),
    create: loadPgSql('account-create'),
    update: loadPgSql('account-update'),
    markDeleted: loadPgSql('account-mark-deleted'),
    revision: loadPgSql('account-revision'),
  };

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async list(): Promise<AccountRecord[]> {
    const { rows } = await run<AccountRow>(this.#pool, this.#sql.list, []);
    return rows.map(toRecord);
  }

  async get(id: string): Promise<AccountRecord | undefined> {
    const { rows } = await run<AccountRow>(this.#pool, this.#sql.get, [id]);
    return rows[0] && toRecord(rows[0]);
  }

  create(account: AccountInput, audit: AuditDraft): Promise<AccountWrite> {
    // Serialised now: a caller changing its objects afterwards cannot change what is written.
    const values = [account.id, account.wabaNumber, JSON.stringify(account.document), audit.at];
    const entry = auditValues(audit);
    return this.#write(async (client) => {
      const current = await this.#current(client, account.id);
      if (current && current.deleted_at === null) return { ok: false, reason: 'exists' };
      const holder = await this.#numberHolder(client, account);
      if (holder !== undefined) return { ok: false, reason: 'number-taken', by: holder };
      const { rows } = await run<AccountRow>(client, this.#sql.create, values);
      await run(client, AUDIT_INSERT, entry);
      return { ok: true, account: toRecord(rows[0]!) };
    });
  }

  update(account: AccountInput, audit: AuditDraft, expectedVersion?: number): Promise<AccountWrite> {
    const values = [account.id, account.wabaNumber, JSON.stringify(account.document), audit.at];
    const entry = auditValues(audit);
    return this.#write(async (client) => {
      const current = await this.#current(client, account.id);
      if (!current || current.deleted_at !== null) return { ok: false, reason: 'missing' };
      if (expectedVersion !== undefined && toNumber(current.version) !== expectedVersion) return { ok: false, reason: 'version-conflict' };
      const holder = await this.#numberHolder(client, account);
      if (holder !== undefined) return { ok: false, reason: 'number-taken', by: holder };
      const { rows } = await run<AccountRow>(client, this.#sql.update, values);
      await run(client, AUDIT_INSERT, entry);
      return { ok: true, account: toRecord(rows[0]!) };
    });
  }

  markDeleted(id: string, audit: AuditDraft): Promise<AccountWrite> {
    const entry = auditValues(audit);
    return this.#write(async (client) => {
      const { rows } = await run<AccountRow>(client, this.#sql.markDeleted, [id, audit.at]);
      if (!rows[0]) return { ok: false, reason: 'missing' };
      await run(client, AUDIT_INSERT, entry);
      return { ok: true, account: toRecord(rows[0]) };
    });
  }

  async revision(): Promise<string> {
    const { rows } = await run<{ revision: string }>(this.#pool, this.#sql.revision, []);
    return rows[0]!.revision;
  }

  async #current(client: pg.PoolClient, id: string): Promise<AccountRow | undefined> {
    return (await run<AccountRow>(client, this.#sql.get, [id])).rows[0];
  }

  async #numberHolder(client: pg.PoolClient, account: AccountInput): Promise<string | undefined> {
    return (await run<{ id: string }>(client, this.#sql.numberHolder, [account.wabaNumber, account.id])).rows[0]?.id;
  }

  /** `work` in a transaction under the account-write lock: committed when it wrote, rolled back when it refused or failed. */
  async #write(work: (client: pg.PoolClient) => Promise<AccountWrite>): Promise<AccountWrite> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      await run(client, this.#sql.lock, []);
      const result = await work(client);
      await client.query(result.ok ? 'COMMIT' : 'ROLLBACK');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackFailed) {
        // The connection is unusable: it leaves the pool instead of serving the next caller.
        broken = rollbackFailed as Error;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

function toRecord(row: AccountRow): AccountRecord {
  const record: AccountRecord = {
    id: row.id,
    wabaNumber: row.waba_number,
    document: JSON.parse(row.document) as Record<string, unknown>,
    version: toNumber(row.version),
    createdAt: toNumber(row.created_at),
    updatedAt: toNumber(row.updated_at),
  };
  const deletedAt = toOptionalNumber(row.deleted_at);
  if (deletedAt !== undefined) record.deletedAt = deletedAt;
  return record;
}
