/**
 * Templates synced from WhatsApp (one row per account and Meta template id, Meta's JSON kept in
 * `raw`) and, per account, how the last syncs went.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('templates')
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('id', 'text', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('language', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('category', 'text', (col) => col.notNull())
    .addColumn('raw', 'text', (col) => col.notNull())
    .addColumn('synced_at', 'bigint', (col) => col.notNull())
    // Also serves list(): the account's rows, in id order.
    .addPrimaryKeyConstraint('templates_pk', ['account_id', 'id'])
    .execute();

  await db.schema
    .createTable('template_sync')
    .addColumn('account_id', 'text', (col) => col.primaryKey())
    .addColumn('last_attempt_at', 'bigint')
    .addColumn('last_success_at', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('template_count', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('template_sync').execute();
  await db.schema.dropTable('templates').execute();
}
