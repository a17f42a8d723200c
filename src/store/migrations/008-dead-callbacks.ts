/**
 * When a callback was given up on (its delivery job dead-lettered). Retention forgets such
 * callbacks by this time, on the store's side alone: the dead letter itself belongs to the queue,
 * which may live in another system (Redis), and prunes its own.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('callbacks').addColumn('dead_at', 'bigint').execute();
  await db.schema.createIndex('callbacks_dead').on('callbacks').column('dead_at').where(sql.ref('dead_at'), 'is not', null).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('callbacks_dead').execute();
  await db.schema.alterTable('callbacks').dropColumn('dead_at').execute();
}
