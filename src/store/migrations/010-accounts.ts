/**
 * Accounts created through the admin API and the audit log of every change (store/account-store.ts).
 *
 * `document` (and an entry's `details`) is JSON as text on SQLite and `json` on Postgres, not
 * `jsonb`: the store hands back exactly what was saved, and `jsonb` reorders an object's keys and
 * refuses `\u0000` and lone surrogates that JSON.stringify writes. Nothing queries inside them.
 *
 * A WABA number is served by one live account: a unique index over the rows not deleted, so a
 * deleted account's number is free again while its row stays for the work it still owes.
 * `revision` is a counter every account write moves past all others: `AccountStore.revision()`
 * reads its maximum, which the writers' clocks (skewed across replicas) cannot hold still.
 */
import { sql, type Kysely } from 'kysely';
import { idColumn, isPostgres } from './dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const json = isPostgres(db) ? 'json' : 'text';
  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('waba_number', 'text', (col) => col.notNull())
    .addColumn('document', json, (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addColumn('deleted_at', 'bigint')
    .addColumn('revision', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('accounts_live_waba_number')
    .on('accounts')
    .column('waba_number')
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('audit_log')
    // Newest first is this key, descending (the primary key's index serves it).
    .addColumn('id', ...idColumn(db))
    .addColumn('at', 'bigint', (col) => col.notNull())
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('subject', 'text', (col) => col.notNull())
    .addColumn('details', json, (col) => col.notNull())
    .execute();
  // One account's history, newest first, paged by id.
  await db.schema.createIndex('audit_log_by_subject').on('audit_log').columns(['subject', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_log').execute();
  await db.schema.dropTable('accounts').execute();
}
