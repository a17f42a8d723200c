/**
 * Every storage adapter and every queue the conformance suites run against, in one list each
 * (kysely's `DIALECTS`): `test/conformance/storages.test.ts` loops over them.
 *
 * Pick some with the environment, by name: `STORAGES=sqlite,postgres`, `QUEUES=bullmq`. A name
 * also selects its variants (`sqlite` runs `sqlite` and `sqlite-outbox`). An unknown name fails
 * loudly rather than running nothing.
 *
 * To add a backend: give `throwawayStorage` a way to make an empty database of its own and to
 * drop it; an adapter that cannot pass a test says which and why in `skip`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SkipRule, QueueFixture, StorageFixture } from '../../src/store/storage.conformance.js';
import { createPostgresStorage } from '../../src/store/postgres/create-postgres-storage.js';
import { giveBack, takeSchema } from './postgres-schemas.js';
import { throwawayBullmqQueue } from '../../src/queue/bullmq/throwaway-bullmq-queue.js';
import { createSqliteStorage } from '../../src/store/sqlite/create-sqlite-storage.js';
import type { Storage } from '../../src/store/storage.js';

export type { QueueFixture, SkipRule, StorageFixture };

/** One throwaway database: how to open it (again, for a restart) and how to remove it. */
export interface ThrowawayDatabase {
  open(): Promise<Storage>;
  drop(): Promise<void>;
}

/**
 * A fixture over throwaway databases: `provision` makes a new empty one per test. The storages
 * it hands out remove their database when closed; `reopen` closes one and opens its database
 * again, as a restart would.
 */
export function throwawayStorage(options: {
  name: string;
  jobs: 'queue' | 'outbox';
  provision(): Promise<ThrowawayDatabase>;
  skip?: readonly SkipRule[];
}): StorageFixture {
  const opened = new WeakMap<Storage, { database: ThrowawayDatabase; closeConnection(): Promise<void> }>();
  const wrap = (inner: Storage, database: ThrowawayDatabase): Storage => {
    const closeConnection = once(() => inner.close());
    const removeAll = once(async () => {
      try {
        await closeConnection();
      } finally {
        await database.drop();
      }
    });
    const storage = withClose(inner, removeAll);
    opened.set(storage, { database, closeConnection });
    return storage;
  };
  return {
    name: options.name,
    jobs: options.jobs,
    ...(options.skip ? { skip: options.skip } : {}),
    async create() {
      const database = await options.provision();
      try {
        return wrap(await database.open(), database);
      } catch (error) {
        await database.drop();
        throw error;
      }
    },
    async reopen(storage) {
      const entry = opened.get(storage);
      if (!entry) throw new Error(`${options.name}: reopen() takes a storage this fixture made`);
      await entry.closeConnection();
      return wrap(await entry.database.open(), entry.database);
    },
  };
}

/** SQLite on a file of its own in a temporary directory (WAL, the data directory lock, all of it). */
function sqlite(name: string, jobs: 'queue' | 'outbox', skip?: readonly SkipRule[]): StorageFixture {
  return throwawayStorage({
    name,
    jobs,
    ...(skip ? { skip } : {}),
    async provision() {
      const dir = mkdtempSync(path.join(tmpdir(), `wabridge-${name}-`));
      return {
        open: () => createSqliteStorage({ path: path.join(dir, 'store.db'), jobs }),
        drop: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  });
}

/**
 * Postgres on a schema of its own while the test runs: migrated at its first open, emptied and
 * reused by a later test of the same file (test/support/postgres-schemas.ts).
 */
function postgres(name: string, jobs: 'queue' | 'outbox', skip?: readonly SkipRule[]): StorageFixture {
  return throwawayStorage({
    name,
    jobs,
    ...(skip ? { skip } : {}),
    async provision() {
      const schema = await takeSchema(name.replace(/\W/g, '_'));
      // A reused schema is opened as a replica started with `store.migrate: false` would (checked, not migrated).
      return { open: () => createPostgresStorage({ url: schema.url, jobs, poolSize: 4, migrate: !schema.migrated }), drop: () => giveBack(schema) };
    },
  });
}

const ALL_STORAGES: StorageFixture[] = [
  // The embedded store: jobs go straight into its own queue table.
  sqlite('sqlite', 'queue'),
  // The same store paired with an external queue: jobs wait in the job outbox for the relay.
  sqlite('sqlite-outbox', 'outbox'),
  // Postgres on a schema of its own (a unique name in the database `test` on 127.0.0.1:5432),
  // dropped with everything in it on close.
  postgres('postgres', 'queue'),
  postgres('postgres-outbox', 'outbox'),
];

/** The embedded queue of a storage fixture, as a queue fixture of the same name. */
function embeddedQueue(fixture: StorageFixture): QueueFixture {
  return {
    name: fixture.name,
    async create() {
      const storage = await fixture.create();
      return { queue: storage.queue, close: () => storage.close() };
    },
  };
}

export const STORAGES: StorageFixture[] = selected('STORAGES', ALL_STORAGES);

/** Each storage's embedded queue once: an outbox-mode storage has the same queue as its sibling. */
const EMBEDDED_QUEUES = ALL_STORAGES.filter((fixture) => fixture.jobs === 'queue').map(embeddedQueue);

const ALL_QUEUES: QueueFixture[] = [
  ...EMBEDDED_QUEUES,
  // ---- bullmq --------------------------------------------------------------------------------
  {
    name: 'bullmq',
    // A queue under a key prefix of its own on the test Redis; close() deletes its keys.
    create: () => throwawayBullmqQueue(),
    skip: [
      {
        reason:
          'leases are BullMQ locks, Redis keys that expire on the real clock: a `now` past the lease cannot make one lapse, ' +
          'and expireLeases leaves live locks alone (they may be another process\'s). src/queue/bullmq/bullmq-job-queue.test.ts ' +
          'tests lapsed leases with short real ones',
        tests: [
          'JobQueue > gives jobs string ids, unique and stable across attempts',
          'JobQueue > hands a job out again when its lease runs out, flagged as unsettled',
          'JobQueue > counts jobs per queue and partition: ready, scheduled, leased and dead',
          'JobQueue > puts expired leases back ahead of work that arrived while they were leased',
          'JobQueue > expires leases at once (a restart after a crash)',
        ],
      },
    ],
  },
  // -----------------------------------------------------------------------------------------
];

/** The queues `QUEUES=` names; an embedded queue only while `STORAGES=` selects its storage. */
export const QUEUES: QueueFixture[] = selected('QUEUES', ALL_QUEUES).filter(
  (queue) => !EMBEDDED_QUEUES.includes(queue) || STORAGES.some((storage) => storage.name === queue.name),
);

/** The entries the environment variable `variable` names (all when it is unset or empty). */
function selected<T extends { name: string }>(variable: string, all: T[]): T[] {
  const wanted = (process.env[variable] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (wanted.length === 0) return all;
  const matches = (fixture: T, name: string) => fixture.name === name || fixture.name.startsWith(`${name}-`);
  const unknown = wanted.filter((name) => !all.some((fixture) => matches(fixture, name)));
  if (unknown.length > 0) {
    throw new Error(`${variable}=${process.env[variable]}: no ${unknown.join(', ')} here (known: ${all.map((fixture) => fixture.name).join(', ')})`);
  }
  return all.filter((fixture) => wanted.some((name) => matches(fixture, name)));
}

function once<T>(run: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= run());
}

/**
 * The same storage with another `close`. Built field by field rather than spread, so an adapter
 * that is a class instance keeps its methods bound, and a port added to `Storage` fails to
 * compile here until it is passed through.
 */
function withClose(inner: Storage, close: () => Promise<void>): Storage {
  return {
    kind: inner.kind,
    messages: inner.messages,
    outbox: inner.outbox,
    templates: inner.templates,
    optOuts: inner.optOuts,
    inbound: inner.inbound,
    clickLinks: inner.clickLinks,
    retention: inner.retention,
    webhookRejects: inner.webhookRejects,
    accounts: inner.accounts,
    audit: inner.audit,
    events: inner.events,
    search: inner.search,
    activity: inner.activity,
    stats: inner.stats,
    jobs: inner.jobs,
    queue: inner.queue,
    jobOutbox: inner.jobOutbox,
    writeFault: () => inner.writeFault(),
    close,
  };
}
