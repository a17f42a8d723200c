import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runWebhookRejectLogConformance } from '../webhook-rejects.conformance.js';
import { openSqlite, type SqliteDatabase } from './open-sqlite.js';
import { SqliteWebhookRejectLog } from './sqlite-webhook-reject-log.js';

runWebhookRejectLogConformance({
  name: 'sqlite (file, WAL)',
  async create(maxKept) {
    const dir = mkdtempSync(path.join(tmpdir(), 'wabridge-rejects-'));
    const file = path.join(dir, 'test.db');
    let db: SqliteDatabase = await openSqlite({ path: file });
    return {
      log: new SqliteWebhookRejectLog(db, { maxKept }),
      async reopen() {
        db.close();
        db = await openSqlite({ path: file });
        return new SqliteWebhookRejectLog(db, { maxKept });
      },
      async close() {
        if (db.open) db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
