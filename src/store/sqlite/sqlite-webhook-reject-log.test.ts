/**
 * What only the SQLite reject log has: a cap of its own (`maxKept`). The port's behaviour, with
 * the default cap, is in webhook-rejects.conformance.ts, run on every storage.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RejectedWebhookItem } from '../webhook-rejects.js';
import { openSqlite, type SqliteDatabase } from './open-sqlite.js';
import { SqliteWebhookRejectLog } from './sqlite-webhook-reject-log.js';

const T0 = 1_700_000_000_000;

function reject(n: number): RejectedWebhookItem {
  return { receivedAt: T0 + n, kind: 'status', where: `entry[0].changes[0].statuses[${n}]`, reason: 'no id', item: `{"n":${n}}` };
}

describe('SqliteWebhookRejectLog', () => {
  let dir: string;
  let db: SqliteDatabase;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'wabridge-rejects-'));
    db = await openSqlite({ path: path.join(dir, 'test.db') });
  });
  afterEach(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps only the newest `maxKept` rows, within one record and across several', async () => {
    const log = new SqliteWebhookRejectLog(db, { maxKept: 5 });
    await log.record([1, 2, 3].map(reject));
    await log.record([4, 5, 6, 7].map(reject));
    expect(await log.count()).toBe(5);
    expect((await log.list(100)).map((row) => row.receivedAt - T0)).toEqual([7, 6, 5, 4, 3]);
    await log.record(Array.from({ length: 12 }, (_, n) => reject(100 + n)));
    expect((await log.list(2)).map((row) => row.receivedAt - T0)).toEqual([111, 110]);
    expect(await log.count()).toBe(5);
  });

  it('keeps at least the newest row whatever cap it is given', async () => {
    const log = new SqliteWebhookRejectLog(db, { maxKept: 0 });
    await log.record([1, 2].map(reject));
    expect((await log.list(10)).map((row) => row.receivedAt - T0)).toEqual([2]);
  });
});
