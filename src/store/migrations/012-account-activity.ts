/**
 * The Accounts list's "last send" (store/account-activity.ts): a partial index over the messages
 * Meta accepted, by account and time. A row enters it once, when its send is recorded (the update
 * that sets `wamid`, already indexed), so accepting a message costs nothing more and status
 * updates, which never change `submitted_at`, stay HOT on Postgres.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('messages_submitted_by_account').on('messages').columns(['account_id', 'submitted_at']).where(sql.ref('submitted_at'), 'is not', null).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_submitted_by_account').execute();
}
