/**
 * @module compose/storage
 * The one place that picks the store adapter from `store.kind`. SQLite is loaded always (it is
 * the default and small); the Postgres adapter only when configured, so an embedded gateway
 * never loads `pg`.
 */
import type { Logger } from 'pino';
import type { StoreConfig } from '../config/schema.js';
import { createSqliteStorage } from '../store/sqlite/create-sqlite-storage.js';
import { openSqlite } from '../store/sqlite/open-sqlite.js';
import type { Storage } from '../store/storage.js';

export interface CreateStorageOptions {
  /** Where committed jobs go: the store's embedded queue (default), or its outbox for a relay to an external queue. */
  jobs?: 'queue' | 'outbox';
  logger?: Logger;
  /**
   * `gateway` (default): this process serves. On SQLite it takes the data directory's lock and
   * hands the leases a dead predecessor left back to the queue. `tool`: a command run beside a
   * gateway that may be running (the CLI); it does neither, so it neither refuses to run next
   * to the gateway nor steals the leases of the gateway's sends in flight.
   */
  role?: 'gateway' | 'tool';
}

export async function createStorage(store: StoreConfig, options: CreateStorageOptions = {}): Promise<Storage> {
  const { jobs, logger, role = 'gateway' } = options;
  switch (store.kind) {
    case 'sqlite':
      return createSqliteStorage({
        path: store.path,
        synchronous: store.synchronous,
        ...(jobs ? { jobs } : {}),
        ...(logger ? { logger } : {}),
        ...(role === 'tool' ? { lock: false, recoverLeases: false } : {}),
      });
    case 'postgres': {
      const { createPostgresStorage } = await loadPostgres();
      return createPostgresStorage({ url: postgresUrl(store), migrate: store.migrate, ...(jobs ? { jobs } : {}), ...(logger ? { logger } : {}) });
    }
  }
}

/** Applies the store's pending migrations and returns (`wabridge migrate`). */
export async function migrateStore(store: StoreConfig, logger?: Logger): Promise<void> {
  switch (store.kind) {
    case 'sqlite': {
      // Opening migrates (open-sqlite.ts); it takes no lock, so a running gateway is no obstacle.
      const db = await openSqlite({ path: store.path, synchronous: store.synchronous });
      db.close();
      return;
    }
    case 'postgres': {
      const { migratePostgres } = await loadPostgres();
      await migratePostgres(postgresUrl(store), logger);
      return;
    }
  }
}

function loadPostgres() {
  return import('../store/postgres/create-postgres-storage.js');
}

function postgresUrl(store: StoreConfig): string {
  // config/load.ts refuses store.kind postgres without a URL; this guards callers that build a config by hand.
  if (!store.url) throw new TypeError('store.url is required when store.kind is postgres');
  return store.url;
}
