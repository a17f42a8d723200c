/**
 * Webhook items that could not be understood, kept for inspection (store/webhook-rejects.ts).
 * The integer key only grows, so the newest rows and the ones to prune are both a range of it.
 */
import type { Kysely } from 'kysely';
import { idColumn } from './dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rejected_webhook_items')
    .addColumn('id', ...idColumn(db))
    .addColumn('received_at', 'bigint', (col) => col.notNull())
    .addColumn('account_id', 'text')
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('location', 'text', (col) => col.notNull())
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('item', 'text', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rejected_webhook_items').execute();
}
