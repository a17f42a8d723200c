/**
 * @module store/sqlite/open-sqlite
 * Opens the embedded database: WAL so readers never block the writer, `synchronous=NORMAL` by
 * default (a committed transaction survives `kill -9`; FULL also survives power loss), and
 * migrations applied before anything else touches it.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { migrationProvider } from '../migrations/index.js';

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
  if (options.path !== ':memory:') mkdirSync(path.dirname(path.resolve(options.path)), { recursive: true });
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.pragma(`wal_autocheckpoint = ${options.checkpoints === 'background' ? BACKSTOP_CHECKPOINT_PAGES : INLINE_CHECKPOINT_PAGES}`);
  await migrate(db);
  return db;
}

async function migrate(db: SqliteDatabase): Promise<void> {
  // The Kysely instance shares the connection; it must not close it when it is destroyed.
  const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database: { close() {}, prepare: (sql: string) => db.prepare(sql) } as never }) });
  try {
    const { error, results } = await new Migrator({ db: kysely, provider: migrationProvider }).migrateToLatest();
    if (error) {
      const failed = results?.find((result) => result.status === 'Error');
      throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? error}`);
    }
  } finally {
    await kysely.destroy();
  }
}
