import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.js';
import { openSqlite, type SqliteDatabase } from './open-sqlite.js';
import { StoreWriteHealth, probeWrite, watchTransactions, type StoreFault } from './write-health.js';

/** What better-sqlite3 throws on a full disk: an Error with SQLite's extended code. */
const diskFull = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

describe('store write health', () => {
  let dir: string;
  let db: SqliteDatabase;
  let probeFails: boolean;
  let changes: Array<StoreFault | undefined>;
  let health: StoreWriteHealth;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'wabridge-write-health-'));
    db = await openSqlite({ path: path.join(dir, 'test.db') });
    probeFails = false;
    changes = [];
    health = new StoreWriteHealth({
      probe: () => {
        if (probeFails) throw diskFull();
        probeWrite(db);
      },
      probeEveryMs: 20,
      onChange: (fault) => changes.push(fault),
    });
    watchTransactions(db, health);
  });

  afterEach(() => {
    health.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records a storage fault thrown inside any transaction variant, and rethrows it', () => {
    const failing = db.transaction(() => {
      throw diskFull();
    });
    expect(() => failing.immediate()).toThrow('database or disk is full');
    expect(health.fault?.reason).toBe('the disk is full (SQLITE_FULL: database or disk is full)');
    expect(changes).toHaveLength(1);
  });

  it('ignores errors that are not about the storage (a bug or a constraint is no reason to leave rotation)', () => {
    db.exec('CREATE TABLE t (x INTEGER PRIMARY KEY)');
    const insert = db.prepare('INSERT INTO t VALUES (1)');
    const twice = db.transaction(() => {
      insert.run();
      insert.run();
    });
    expect(() => twice()).toThrow(/UNIQUE/);
    expect(() => db.transaction(() => { throw new TypeError('bug'); })()).toThrow('bug');
    expect(health.fault).toBeUndefined();
  });

  it('clears only on a successful probe write, which runs by itself while the fault stands', async () => {
    probeFails = true;
    expect(() => db.transaction(() => { throw diskFull(); })()).toThrow();
    // A transaction that succeeds (it may only have read) does not prove the store can write.
    db.transaction(() => db.prepare('SELECT 1').get())();
    expect(health.fault).toBeDefined();
    probeFails = false;
    await eventually(() => health.fault === undefined, 'the timed probe to clear the fault', 5_000);
    expect(changes.map((change) => change === undefined)).toEqual([false, true]);
  });

  it('probeWrite really writes: a read-only connection fails it with SQLITE_READONLY', () => {
    const readonly = new (db.constructor as typeof import('better-sqlite3'))(path.join(dir, 'test.db'), { readonly: true });
    try {
      expect(() => probeWrite(readonly)).toThrow(expect.objectContaining({ code: 'SQLITE_READONLY' }));
    } finally {
      readonly.close();
    }
    expect(() => probeWrite(db)).not.toThrow();
  });
});
