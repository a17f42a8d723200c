/**
 * Short links for click-tracked URL buttons: the code sent to Meta as the button's URL suffix,
 * and where a tap on it should land.
 */
import type { Kysely } from 'kysely';
import { isPostgres } from './dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('click_links')
    .addColumn('code', 'text', (col) => col.primaryKey())
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('message_id', 'text', (col) => col.notNull())
    .addColumn('msg_id', 'text', (col) => col.notNull())
    .addColumn('url', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute();
  if (isPostgres(db)) {
    // Retention's scan (SQLite walks rowids, in creation order).
    await db.schema.createIndex('click_links_by_time').on('click_links').column('created_at').execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('click_links').execute();
}
