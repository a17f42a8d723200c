/**
 * @module store/postgres/create-postgres-storage
 * The scale-out storage: every port on one Postgres schema, over one shared `pg.Pool`, with one
 * write batcher (group commit) shared by the store and its embedded queue. Several replicas may
 * run on one schema: migrations run under an advisory lock, state changes lock the row they
 * move, and reservations skip jobs another replica holds.
 *
 * Not here, unlike SQLite: no data-directory lock (replicas share the database by design), and no
 * lease recovery at start (a lease may belong to a live replica; the composition root calls
 * `queue.expireLeases()` only when it knows this process is the only one).
 */
import pg from 'pg';
import type { Logger } from 'pino';
import type { Storage } from '../storage.js';
import { StoreUnavailableError } from '../store-unavailable.js';
import { assertMigrated, migratePostgres } from './migrate-postgres.js';
import { PgEffects } from './pg-effects.js';
import { PgWriteBatcher, type PgWriteBatcherOptions } from './pg-write-batcher.js';
import { PostgresAccountStore } from './postgres-account-store.js';
import { PostgresAuditLog } from './postgres-audit-log.js';
import { PostgresCallbackOutbox } from './postgres-callback-outbox.js';
import { PostgresClickLinkStore } from './postgres-click-link-store.js';
import { describePostgresFault, isPostgresFault, redactUrl } from './postgres-faults.js';
import { PostgresAccountActivity } from './postgres-account-activity.js';
import { PostgresInboundLog } from './postgres-inbound-log.js';
import { PostgresJobOutbox } from './postgres-job-outbox.js';
import { PostgresJobQueue } from './postgres-job-queue.js';
import { PostgresMessageEvents } from './postgres-message-events.js';
import { PostgresMessageSearch } from './postgres-message-search.js';
import { PostgresMessageStats } from './postgres-message-stats.js';
import { PostgresMessageStore } from './postgres-message-store.js';
import { PostgresOptOutStore } from './postgres-opt-out-store.js';
import { PostgresRetentionStore } from './postgres-retention-store.js';
import { PostgresTemplateStore } from './postgres-template-store.js';
import { PostgresWebhookRejectLog } from './postgres-webhook-reject-log.js';

export { migratePostgres } from './migrate-postgres.js';

export interface PostgresStorageOptions {
  /** `postgres://user:password@host:port/database`; a `?options=-c search_path=…` picks the schema. */
  url: string;
  /** Where committed jobs go: the embedded queue's table (default), or the outbox for a relay to an external queue. */
  jobs?: 'queue' | 'outbox';
  /** Bring the schema to the latest migration at start (default). When false, refuse a schema that is behind. */
  migrate?: boolean;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  logger?: Logger;
}

export interface PostgresStorage extends Storage {
  readonly kind: 'postgres';
  readonly pool: pg.Pool;
  readonly queue: PostgresJobQueue;
}

export async function createPostgresStorage(options: PostgresStorageOptions): Promise<PostgresStorage> {
  const { url, logger } = options;
  if (options.migrate !== false) await migratePostgres(url, logger);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    application_name: 'wabridge',
    // An unreachable server fails a write in seconds (and shows in writeFault) instead of holding it forever.
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
  });
  // An idle connection that drops (a server restart) must not crash the process: the next
  // query on the pool opens a new one, and a failing write reports the fault.
  pool.on('error', (error) => logger?.warn({ error: error.message }, 'an idle Postgres connection failed'));
  try {
    if (options.migrate === false) await assertMigrated(pool, url);
    else await probe(pool, url);
  } catch (error) {
    await pool.end();
    throw error;
  }

  let fault: string | undefined;
  const jobs = options.jobs ?? 'queue';
  const effects = new PgEffects(jobs);
  const batcherOptions: PgWriteBatcherOptions = {
    beforeCommit: (client) => effects.flush(client),
    afterRollback: (client) => effects.discard(client),
    onOutcome: (error) => {
      if (error === undefined) {
        if (fault !== undefined) logger?.warn({ store: redactUrl(url) }, 'the store writes again: accepting messages');
        fault = undefined;
      } else if (isPostgresFault(error)) {
        if (fault === undefined) logger?.error({ store: redactUrl(url), reason: describePostgresFault(error) }, 'the store cannot write: new messages are refused with 500 and /readyz answers 503 until it can');
        fault = describePostgresFault(error);
      }
    },
  };
  const writes = new PgWriteBatcher(pool, batcherOptions);
  // Acceptances commit on a lane of their own: behind a batch of hundreds of statuses (one round
  // trip each) CleverTap's requests waited their turn for a commit, and ingest fell to the status rate.
  // They insert new rows only, so the lanes never wait on each other's locks.
  const acceptWrites = new PgWriteBatcher(pool, batcherOptions);
  // The relay's removals likewise: waiting behind status batches, one relay pass (take, enqueue,
  // remove) took about a second, and the relay — one per cluster — moved jobs slower than a single
  // replica created them, holding every callback back. Removals touch only rows already committed.
  const relayWrites = new PgWriteBatcher(pool, batcherOptions);
  let closed: Promise<void> | undefined;
  return {
    kind: 'postgres',
    pool,
    messages: new PostgresMessageStore(pool, writes, effects, acceptWrites),
    outbox: new PostgresCallbackOutbox(pool, writes, effects),
    templates: new PostgresTemplateStore(pool, writes),
    optOuts: new PostgresOptOutStore(pool),
    inbound: new PostgresInboundLog(pool, writes, effects),
    clickLinks: new PostgresClickLinkStore(pool),
    retention: new PostgresRetentionStore(pool),
    webhookRejects: new PostgresWebhookRejectLog(pool, writes),
    // Rare operator writes: transactions of their own on the pool, off the group-commit lanes.
    accounts: new PostgresAccountStore(pool),
    audit: new PostgresAuditLog(pool),
    events: new PostgresMessageEvents(pool, writes, effects),
    search: new PostgresMessageSearch(pool),
    activity: new PostgresAccountActivity(pool),
    stats: new PostgresMessageStats(pool),
    jobs,
    queue: new PostgresJobQueue(pool, writes),
    jobOutbox: new PostgresJobOutbox(pool, relayWrites),
    writeFault: () => fault,
    close: () =>
      (closed ??= (async () => {
        // Writes already issued commit (or fail) before the connections go.
        await Promise.all([acceptWrites.drain(), relayWrites.drain(), writes.drain()]);
        await pool.end();
      })()),
  };
}

/** One round trip at start, so an unreachable server fails the start with its cause, not the first request. */
async function probe(pool: pg.Pool, url: string): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    if (isPostgresFault(error)) throw new StoreUnavailableError(`cannot use the Postgres store ${redactUrl(url)}: ${describePostgresFault(error)}`, { cause: error });
    throw error;
  }
}
