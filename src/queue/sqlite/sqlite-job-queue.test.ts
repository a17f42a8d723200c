import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSqlite } from '../../store/sqlite/open-sqlite.js';
import { SqliteMessageStore } from '../../store/sqlite/sqlite-message-store.js';
import { runJobQueueConformance } from '../job-queue.conformance.js';
import { SqliteJobQueue } from './sqlite-job-queue.js';

runJobQueueConformance({
  name: 'sqlite (same database as the store)',
  async create() {
    const dir = mkdtempSync(path.join(tmpdir(), 'wabridge-queue-'));
    const db = await openSqlite({ path: path.join(dir, 'test.db') });
    const store = new SqliteMessageStore(db);
    return { queue: new SqliteJobQueue(db), store, close: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
  },
});
