/**
 * The job outbox: jobs a change created, in the change's commit, for a relay to move into a
 * queue that lives outside the store (store/job-outbox.ts). Unused with the embedded queue.
 */
import type { Kysely } from 'kysely';
import { idColumn } from './dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('job_outbox')
    .addColumn('id', ...idColumn(db))
    .addColumn('queue', 'text', (col) => col.notNull())
    .addColumn('partition_key', 'text', (col) => col.notNull())
    .addColumn('ref', 'text', (col) => col.notNull())
    .addColumn('run_at', 'bigint', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('job_outbox').execute();
}
