/**
 * `wabridge migrate` as an operator runs it: a process that migrates the configured store and
 * exits 0, leaving a store a gateway opens as it is.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createStorage } from '../compose/storage.js';
import { REPO_ROOT } from '../../test/support/process.js';

const dir = mkdtempSync(path.join(tmpdir(), 'wabridge-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (env: Record<string, string>) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'migrate'], { cwd: REPO_ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env } });

describe('wabridge migrate', () => {
  it('sqlite: creates and migrates the store in the data directory', async () => {
    const { stdout } = await run({ DATA_DIR: dir });
    expect(stdout).toContain(`the SQLite store ${path.join(dir, 'wabridge.db')} is migrated`);
    expect(existsSync(path.join(dir, 'wabridge.db'))).toBe(true);
    // It took no lock: nothing is left to stop a gateway.
    expect(existsSync(path.join(dir, 'wabridge.pid'))).toBe(false);
  }, 30_000);

  it('postgres: migrates once, so a gateway with store.migrate false accepts the schema', async () => {
    const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
    await admin.connect();
    const database = `wabridge_migrate_${process.pid}_${Date.now()}`;
    await admin.query(`CREATE DATABASE ${database}`);
    const url = `postgres://postgres@127.0.0.1:5432/${database}`;
    try {
      const { stdout } = await run({ DATABASE_URL: url, WABRIDGE_CONFIG: writeConfig({ mode: 'sandbox', store: { kind: 'postgres' } }) });
      expect(stdout).toContain('the Postgres store is migrated');
      const storage = await createStorage({ kind: 'postgres', url, migrate: false, path: './unused.db', synchronous: 'normal' });
      await storage.close();
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
  }, 30_000);
});

function writeConfig(config: object): string {
  const file = path.join(dir, `config-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(config));
  return file;
}
