/**
 * What a message's timeline needs beyond what was already stored (store/message-events.ts), and
 * the indexes of the operator's message search (store/message-search.ts).
 *
 * The happy path writes no new row: the Graph answer's latency rides on the update that records
 * the send, a callback's answer on the update that marks it delivered, and applied statuses are
 * the message's own timestamps. `message_events` holds what happens off that path (a Graph error
 * or retry, a status that moved nothing, a callback attempt that failed, a send given up on): one
 * small row each, never a request or answer body.
 *
 * `callbacks.message_ref` ties a callback to what it reports: our message id for a delivery
 * report, Meta's wamid for an inbound message. `inbound_messages` keeps what the Inbound page
 * shows (type, text or caption, the media link sent to CleverTap).
 *
 * Search indexes: newest first is `accepted_at` (then the key: rowid on SQLite, id on Postgres),
 * per account, campaign and recipient; a msgId is found through the dedupe index, rebuilt with
 * `msg_id` first (same uniqueness). None is on a column a status changes, so on Postgres status
 * updates stay HOT; `failed_at` is set once per failed message, and a partial index over the
 * failed ones (in acceptance order) finds them.
 */
import { sql, type Kysely } from 'kysely';
import { idColumn, isPostgres } from './dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  await db.schema.alterTable('messages').addColumn('campaign', 'text').execute();
  await db.schema.alterTable('messages').addColumn('preflight', 'text').execute();
  await db.schema.alterTable('messages').addColumn('submit_latency_ms', 'integer').execute();
  // Filled for the messages already stored: the campaign is the second `|` field of the msgId.
  await sql`UPDATE messages SET campaign = ${pg ? sql`split_part(msg_id, '|', 2)` : sql`substr(msg_id, instr(msg_id, '|') + 1, instr(substr(msg_id, instr(msg_id, '|') + 1) || '|', '|') - 1)`} WHERE msg_id LIKE '%|%'`.execute(db);

  await db.schema.dropIndex('messages_dedupe').execute();
  await db.schema.createIndex('messages_dedupe').on('messages').columns(['msg_id', 'account_id', 'recipient']).unique().execute();
  const key = pg ? ['id'] : [];
  if (pg) await db.schema.dropIndex('messages_by_acceptance').execute();
  await db.schema.createIndex('messages_by_time').on('messages').columns(['accepted_at', ...key]).execute();
  await db.schema.createIndex('messages_by_account').on('messages').columns(['account_id', 'accepted_at', ...key]).execute();
  await db.schema.createIndex('messages_by_campaign').on('messages').columns(['campaign', 'accepted_at', ...key]).where(sql.ref('campaign'), 'is not', null).execute();
  await db.schema.createIndex('messages_by_recipient').on('messages').columns(['recipient', 'accepted_at', ...key]).execute();
  // Failed messages in the newest-first order, so a page of them is a walk, however many there are.
  await db.schema.createIndex('messages_failed').on('messages').columns(['accepted_at', ...key]).where(sql.ref('failed_at'), 'is not', null).execute();

  await db.schema.alterTable('callbacks').addColumn('message_ref', 'text').execute();
  await db.schema.alterTable('callbacks').addColumn('http_status', 'integer').execute();
  await db.schema.alterTable('callbacks').addColumn('latency_ms', 'integer').execute();
  await db.schema.createIndex('callbacks_by_message').on('callbacks').column('message_ref').where(sql.ref('message_ref'), 'is not', null).execute();

  await db.schema.alterTable('inbound_messages').addColumn('kind', 'text').execute();
  await db.schema.alterTable('inbound_messages').addColumn('text', 'text').execute();
  await db.schema.alterTable('inbound_messages').addColumn('media_url', 'text').execute();
  await db.schema.createIndex('inbound_by_account').on('inbound_messages').columns(['account_id', 'received_at']).execute();
  // Postgres has one already (003, for retention).
  if (!pg) await db.schema.createIndex('inbound_by_time').on('inbound_messages').column('received_at').execute();

  await db.schema
    .createTable('message_events')
    .addColumn('id', ...idColumn(db))
    .addColumn('message_id', 'text', (col) => col.notNull())
    .addColumn('at', 'bigint', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('state', 'text')
    .addColumn('http_status', 'integer')
    .addColumn('code', 'text')
    .addColumn('title', 'text')
    .addColumn('latency_ms', 'integer')
    .addColumn('url', 'text')
    .execute();
  await db.schema.createIndex('message_events_by_message').on('message_events').columns(['message_id', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  await db.schema.dropTable('message_events').execute();
  await db.schema.dropIndex('inbound_by_account').execute();
  if (!pg) await db.schema.dropIndex('inbound_by_time').execute();
  for (const column of ['media_url', 'text', 'kind']) await db.schema.alterTable('inbound_messages').dropColumn(column).execute();
  await db.schema.dropIndex('callbacks_by_message').execute();
  for (const column of ['latency_ms', 'http_status', 'message_ref']) await db.schema.alterTable('callbacks').dropColumn(column).execute();
  for (const index of ['messages_failed', 'messages_by_recipient', 'messages_by_campaign', 'messages_by_account', 'messages_by_time']) await db.schema.dropIndex(index).execute();
  if (pg) await db.schema.createIndex('messages_by_acceptance').on('messages').column('accepted_at').execute();
  await db.schema.dropIndex('messages_dedupe').execute();
  await db.schema.createIndex('messages_dedupe').on('messages').columns(['account_id', 'msg_id', 'recipient']).unique().execute();
  for (const column of ['submit_latency_ms', 'preflight', 'campaign']) await db.schema.alterTable('messages').dropColumn(column).execute();
}
