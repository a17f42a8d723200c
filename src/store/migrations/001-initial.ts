/**
 * The first schema: messages and the embedded job table. Written with kysely's schema builder so
 * the Postgres adapter runs the same migration (ids and one retention index differ: dialect.ts).
 */
import { sql, type Kysely } from 'kysely';
import { copiedIdColumn, idColumn, isPostgres } from './dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('msg_id', 'text', (col) => col.notNull())
    .addColumn('recipient', 'text', (col) => col.notNull())
    .addColumn('waba_number', 'text', (col) => col.notNull())
    .addColumn('content', 'text', (col) => col.notNull())
    .addColumn('custom_props', 'text')
    .addColumn('callbacks', 'text')
    .addColumn('state', 'text', (col) => col.notNull())
    .addColumn('wamid', 'text')
    .addColumn('failure', 'text')
    .addColumn('accepted_at', 'bigint', (col) => col.notNull())
    .addColumn('submitted_at', 'bigint')
    .addColumn('sent_at', 'bigint')
    .addColumn('delivered_at', 'bigint')
    .addColumn('read_at', 'bigint')
    .addColumn('failed_at', 'bigint')
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('messages_dedupe').on('messages').columns(['account_id', 'msg_id', 'recipient']).unique().execute();
  await db.schema.createIndex('messages_wamid').on('messages').column('wamid').unique().where(sql.ref('wamid'), 'is not', null).execute();
  if (isPostgres(db)) {
    // Retention's scan, in acceptance order as SQLite's rowid scan is. On a column that never
    // changes: an index on updated_at or state would make every status update a non-HOT one.
    await db.schema.createIndex('messages_by_acceptance').on('messages').column('accepted_at').execute();
  }

  await db.schema
    .createTable('jobs')
    .addColumn('id', ...idColumn(db))
    .addColumn('queue', 'text', (col) => col.notNull())
    .addColumn('partition_key', 'text', (col) => col.notNull())
    .addColumn('ref', 'text', (col) => col.notNull())
    .addColumn('run_at', 'bigint', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('leased', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('uncertain_since', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('jobs_ready').on('jobs').columns(['queue', 'partition_key', 'run_at', 'id']).execute();

  await db.schema
    .createTable('dead_jobs')
    .addColumn('id', ...copiedIdColumn(db))
    .addColumn('queue', 'text', (col) => col.notNull())
    .addColumn('partition_key', 'text', (col) => col.notNull())
    .addColumn('ref', 'text', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull())
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('dead_at', 'bigint', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('dead_jobs').execute();
  await db.schema.dropTable('jobs').execute();
  await db.schema.dropTable('messages').execute();
}
