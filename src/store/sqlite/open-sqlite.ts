/**
 * @module store/sqlite/open-sqlite
 * Opens the embedded database: WAL so readers never block the writer, `synchronous=NORMAL` by
 * default (a committed transaction survives `kill -9`; FULL also survives power loss), and
 * migrations applied before anything else touches it.
 *
 * A store that cannot be written (read-only file or directory, a lock held by another process, a
 * full disk) fails here with a StoreUnavailableError naming the file and the cause, instead of a
 * gateway that starts and then answers 500 to every message: opening ends with a probe write,
 * because SQLite quietly opens a file it may not write read-only.
 */
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { migrationProvider } from '../migrations/index.js';
import { StoreUnavailableError, describeStorageFault, isStorageFault } from '../store-unavailable.js';
import { probeWrite } from './write-health.js';

export type SqliteDatabase = Database.Database;

export interface OpenSqliteOptions {
  /** A file path, or `:memory:` for tests. */
  path: string;
  synchronous?: 'normal' | 'full';
  /**
   * 'background': a WalCheckpointer (wal-checkpointer.ts) checkpoints from a worker thread, and
   * this connection checkpoints only past a backstop, if that worker fell behind. 'inline'
   * (default): SQLite checkpoints inside the commit that crosses `wal_autocheckpoint`.
   */
  checkpoints?: 'inline' | 'background';
}

/** Pages in the WAL before a commit checkpoints inline (~8 MB); small, so no single commit stalls for long. */
const INLINE_CHECKPOINT_PAGES = 2000;
/**
 * With background checkpoints, the WAL size (~16 MB) at which this connection checkpoints anyway:
 * only the few frames the worker has not copied yet (wal-checkpointer.ts).
 */
const BACKSTOP_CHECKPOINT_PAGES = 4000;

export async function openSqlite(options: OpenSqliteOptions): Promise<SqliteDatabase> {
  let db: SqliteDatabase | undefined;
  try {
    if (options.path !== ':memory:') {
      mkdirSync(path.dirname(path.resolve(options.path)), { recursive: true, mode: 0o700 });
      // The store holds message content and phone numbers: readable by its owner only. SQLite
      // gives the -wal and -shm files the database file's permissions, so creating it is enough.
      if (!existsSync(options.path)) closeSync(openSync(options.path, 'a', 0o600));
    }
    db = new Database(options.path);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    db.pragma(`wal_autocheckpoint = ${options.checkpoints === 'background' ? BACKSTOP_CHECKPOINT_PAGES : INLINE_CHECKPOINT_PAGES}`);
    await migrate(db);
    probeWrite(db);
    return db;
  } catch (error) {
    db?.close();
    const cause = (error as { cause?: unknown }).cause ?? error;
    if (isStorageFault(cause)) {
      throw new StoreUnavailableError(`cannot use the store ${path.resolve(options.path)}: ${describeStorageFault(cause)}`, { cause });
    }
    throw error;
  }
}

async function migrate(db: SqliteDatabase): Promise<void> {
  // The Kysely instance shares the connection; it must not close it when it is destroyed.
  const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database: { close() {}, prepare: (sql: string) => db.prepare(sql) } as never }) });
  try {
    const { error, results } = await new Migrator({ db: kysely, provider: migrationProvider }).migrateToLatest();
    if (error) {
      const failed = results?.find((result) => result.status === 'Error');
      throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? error}`, { cause: error });
    }
  } finally {
    await kysely.destroy();
  }
}
