/**
 * Inbound messages seen, keyed by Meta's id: Meta delivers webhooks at least once, and a reply
 * must reach CleverTap's inbox once.
 */
import type { Kysely } from 'kysely';
import { isPostgres } from './dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('inbound_messages')
    .addColumn('wamid', 'text', (col) => col.primaryKey())
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('sender', 'text', (col) => col.notNull())
    .addColumn('context_msg_id', 'text')
    .addColumn('received_at', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('inbound_by_sender').on('inbound_messages').columns(['account_id', 'sender', 'received_at']).execute();
  if (isPostgres(db)) {
    // Retention's scan (SQLite walks rowids, in arrival order).
    await db.schema.createIndex('inbound_by_time').on('inbound_messages').column('received_at').execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('inbound_messages').execute();
}
