import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runTemplateStoreConformance } from '../template-store.conformance.js';
import { openSqlite, type SqliteDatabase } from './open-sqlite.js';
import { SqliteTemplateStore } from './sqlite-template-store.js';

runTemplateStoreConformance({
  name: 'sqlite (file, WAL)',
  async create() {
    const dir = mkdtempSync(path.join(tmpdir(), 'wabridge-templates-'));
    const file = path.join(dir, 'test.db');
    let db: SqliteDatabase = await openSqlite({ path: file });
    return {
      store: new SqliteTemplateStore(db),
      async reopen() {
        db.close();
        db = await openSqlite({ path: file });
        return new SqliteTemplateStore(db);
      },
      async close() {
        if (db.open) db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
