import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteJobQueue } from '../../queue/sqlite/sqlite-job-queue.js';
import { runRetentionConformance } from '../retention.conformance.js';
import { openSqlite } from './open-sqlite.js';
import { SqliteCallbackOutbox } from './sqlite-callback-outbox.js';
import { SqliteClickLinkStore } from './sqlite-click-link-store.js';
import { SqliteInboundLog } from './sqlite-inbound-log.js';
import { SqliteMessageStore } from './sqlite-message-store.js';
import { SqliteRetentionStore } from './sqlite-retention-store.js';

runRetentionConformance({
  name: 'sqlite (file, WAL)',
  async create() {
    const dir = mkdtempSync(path.join(tmpdir(), 'wabridge-retention-'));
    const db = await openSqlite({ path: path.join(dir, 'test.db') });
    const messages = new SqliteMessageStore(db);
    return {
      retention: new SqliteRetentionStore(db),
      messages,
      outbox: new SqliteCallbackOutbox(db),
      queue: new SqliteJobQueue(db),
      inbound: new SqliteInboundLog(db),
      clickLinks: new SqliteClickLinkStore(db),
      async close() {
        await messages.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
