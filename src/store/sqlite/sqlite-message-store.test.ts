import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runMessageStoreConformance } from '../message-store.conformance.js';
import { openSqlite } from './open-sqlite.js';
import { SqliteMessageStore } from './sqlite-message-store.js';

runMessageStoreConformance({
  name: 'sqlite (file, WAL)',
  async create() {
    const dir = mkdtempSync(path.join(tmpdir(), 'wabridge-store-'));
    const db = await openSqlite({ path: path.join(dir, 'test.db') });
    const store = new SqliteMessageStore(db);
    return { store, close: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
  },
});
