/**
 * Storages that exist for one bench run: a SQLite file in a temporary directory, or a Postgres
 * database created for the run (`POSTGRES_ADMIN_URL`, default the test server) and dropped after,
 * whatever the run threw.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createPostgresStorage, type PostgresStorage } from '../../src/store/postgres/create-postgres-storage.js';
import { createSqliteStorage, type SqliteStorage } from '../../src/store/sqlite/create-sqlite-storage.js';

export const POSTGRES_ADMIN_URL = process.env.POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function withThrowawaySqlite<T>(name: string, run: (storage: SqliteStorage) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), `wabridge-bench-${name}-`));
  const storage = await createSqliteStorage({ path: path.join(dir, `${name}.db`) });
  try {
    return await run(storage);
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function withThrowawayPostgres<T>(name: string, run: (storage: PostgresStorage) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  const database = `wabridge_${name}_${randomBytes(4).toString('hex')}`;
  try {
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${database}`;
    const storage = await createPostgresStorage({ url: url.toString() });
    try {
      return await run(storage);
    } finally {
      await storage.close();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}
