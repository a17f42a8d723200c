/**
 * Users who asked not to receive messages from an account (STOP), until they ask again (START).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('opt_outs')
    .addColumn('account_id', 'text', (col) => col.notNull())
    .addColumn('recipient', 'text', (col) => col.notNull())
    .addColumn('keyword', 'text', (col) => col.notNull())
    .addColumn('opted_out_at', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('opt_outs_pk', ['account_id', 'recipient'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('opt_outs').execute();
}
