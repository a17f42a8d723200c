import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.js';
import { openSqlite, type SqliteDatabase } from './open-sqlite.js';
import { startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.js';

const MB = 1024 * 1024;
const ROW = 'x'.repeat(4000);

describe('WalCheckpointer', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function database(): Promise<{ db: SqliteDatabase; file: string }> {
    const dir = mkdtempSync(path.join(tmpdir(), 'wabridge-checkpoint-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'store.db');
    const db = await openSqlite({ path: file, checkpoints: 'background' });
    cleanups.push(() => db.open && db.close());
    db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    return { db, file };
  }

  /**
   * Writes `megabytes` in small commits spaced like the gateway's, pausing briefly after every
   * 2 MB (a writer that never pauses keeps the WAL from starting over until the backstop), and
   * returns the largest WAL seen. Inline checkpoints are off, so only the worker checkpoints.
   */
  async function write(db: SqliteDatabase, file: string, megabytes: number): Promise<number> {
    db.pragma('wal_autocheckpoint = 0');
    const insert = db.prepare('INSERT INTO filler (body) VALUES (?)');
    const commit = db.transaction((rows: number) => {
      for (let row = 0; row < rows; row++) insert.run(ROW);
    });
    let largestWal = 0;
    for (let written = 0; written < megabytes * MB; written += 25 * ROW.length) {
      commit(25);
      largestWal = Math.max(largestWal, statSync(`${file}-wal`).size);
      await sleep(written % (2 * MB) < 25 * ROW.length ? 100 : 4);
    }
    return largestWal;
  }

  function start(file: string, options: { everyMs?: number; onError?: (message: string) => void } = {}): WalCheckpointer {
    const checkpointer = startWalCheckpointer({ path: file, everyMs: 20, ...options });
    cleanups.push(() => checkpointer.stop());
    return checkpointer;
  }

  it('keeps the WAL small while the writer never checkpoints itself, and loses no row', async () => {
    const alone = await database();
    const walWithoutWorker = await write(alone.db, alone.file, 12);

    const withWorker = await database();
    const checkpointer = start(withWorker.file);
    const walWithWorker = await write(withWorker.db, withWorker.file, 12);

    // Nothing checkpoints inline: the WAL holds everything written.
    expect(walWithoutWorker).toBeGreaterThan(12 * MB);
    // With the worker, the WAL is copied out and reused from its start, so it stays a fraction.
    expect(walWithWorker).toBeLessThan(6 * MB);
    const stats = checkpointer.stats();
    expect(stats.runs).toBeGreaterThan(5);
    expect(stats.framesCheckpointed).toBeGreaterThan((12 * MB) / 4096 / 2);

    await checkpointer.stop();
    const rows = withWorker.db.prepare('SELECT count(*) AS n, sum(length(body)) AS bytes FROM filler').get() as { n: number; bytes: number };
    expect(rows.bytes).toBe(rows.n * ROW.length);
    expect(rows.n).toBe(Math.ceil((12 * MB) / (25 * ROW.length)) * 25);
    expect(withWorker.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('stops once, however often it is asked, and checkpoints no more', async () => {
    const { db, file } = await database();
    const checkpointer = start(file);
    // However busy the machine, the worker has run once before it is stopped.
    await eventually(() => checkpointer.stats().runs > 0, 'the first checkpoint', 20_000);
    await Promise.all([checkpointer.stop(), checkpointer.stop()]);
    // stop() settles when the worker thread has exited, so no report can arrive after it.
    const runs = checkpointer.stats().runs;
    await write(db, file, 1);
    expect(checkpointer.stats().runs).toBe(runs);
  });

  it('says why when it cannot open the database', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wabridge-checkpoint-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const errors: string[] = [];
    const checkpointer = start(path.join(dir, 'missing', 'store.db'), { onError: (message) => errors.push(message) });
    for (let waited = 0; errors.length === 0 && waited < 5000; waited += 50) await sleep(50);
    expect(errors.join('\n')).toMatch(/directory does not exist|unable to open/i);
    await checkpointer.stop();
  });
});
