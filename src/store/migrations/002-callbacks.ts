/**
 * Callbacks owed to CleverTap (delivery reports, inbound messages), written in the same commit as
 * the event that caused them; their delivery is a job on the `callbacks` queue.
 */
import type { Kysely } from 'kysely';
import { idColumn, isPostgres } from './dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('callbacks')
    .addColumn('id', ...idColumn(db))
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('url', 'text', (col) => col.notNull())
    .addColumn('msg_id', 'text')
    .addColumn('payload', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('delivered_at', 'bigint')
    .addColumn('last_error', 'text')
    .execute();
  if (isPostgres(db)) {
    // Retention of delivered callbacks, in creation order as SQLite's scan is (delivery comes
    // after creation). Not on delivered_at: marking a delivery would then update an index.
    await db.schema.createIndex('callbacks_by_creation').on('callbacks').column('created_at').execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('callbacks').execute();
}
