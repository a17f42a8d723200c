/**
 * @module store/sqlite/create-sqlite-storage
 * The embedded storage: one SQLite file, its adapters, and the steps only embedded mode takes —
 * one process per data directory (a lock file), background WAL checkpoints, write-health
 * watching, and handing the previous process's leases back to the queue at start.
 */
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { SqliteJobQueue } from '../../queue/sqlite/sqlite-job-queue.js';
import type { Storage } from '../storage.js';
import { StoreUnavailableError, describeStorageFault, isStorageFault } from '../store-unavailable.js';
import { openSqlite, type SqliteDatabase } from './open-sqlite.js';
import { SqliteAccountStore } from './sqlite-account-store.js';
import { SqliteAuditLog } from './sqlite-audit-log.js';
import { SqliteCallbackOutbox } from './sqlite-callback-outbox.js';
import { SqliteClickLinkStore } from './sqlite-click-link-store.js';
import { SqliteAccountActivity } from './sqlite-account-activity.js';
import { SqliteInboundLog } from './sqlite-inbound-log.js';
import { sqliteEffectsFor } from './sqlite-effects.js';
import { SqliteJobOutbox } from './sqlite-job-outbox.js';
import { SqliteMessageEvents } from './sqlite-message-events.js';
import { SqliteMessageSearch } from './sqlite-message-search.js';
import { SqliteMessageStats } from './sqlite-message-stats.js';
import { SqliteMessageStore } from './sqlite-message-store.js';
import { SqliteOptOutStore } from './sqlite-opt-out-store.js';
import { SqliteRetentionStore } from './sqlite-retention-store.js';
import { SqliteTemplateStore } from './sqlite-template-store.js';
import { SqliteWebhookRejectLog } from './sqlite-webhook-reject-log.js';
import { startWalCheckpointer } from './wal-checkpointer.js';
import { StoreWriteHealth, probeWrite, watchTransactions } from './write-health.js';

export interface SqliteStorageOptions {
  /** A file path, or `:memory:` for tests. */
  path: string;
  synchronous?: 'normal' | 'full';
  /** Take the data directory's lock (one process per SQLite file). Default true for a file. */
  lock?: boolean;
  /** Where committed jobs go: the embedded queue's table (default), or the outbox for a relay to an external queue. */
  jobs?: 'queue' | 'outbox';
  /** Make leases left by a previous process due at once (embedded mode owns the file alone). Default true. */
  recoverLeases?: boolean;
  logger?: Logger;
}

export interface SqliteStorage extends Storage {
  readonly kind: 'sqlite';
  readonly db: SqliteDatabase;
  readonly queue: SqliteJobQueue;
}

export async function createSqliteStorage(options: SqliteStorageOptions): Promise<SqliteStorage> {
  const { logger } = options;
  const onDisk = options.path !== ':memory:';
  const cleanups: Array<() => unknown> = [];
  let closing: Promise<void> | undefined;
  // Idempotent: a test may take the database away under a running gateway, which closes it again.
  const closeAll = () =>
    (closing ??= (async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    })());
  try {
    if (onDisk && options.lock !== false) {
      const dataDir = path.dirname(path.resolve(options.path));
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      cleanups.push(takeDataDirLock(dataDir));
    }
    const db = await openSqlite({ path: options.path, ...(options.synchronous ? { synchronous: options.synchronous } : {}), checkpoints: onDisk ? 'background' : 'inline' });
    cleanups.push(() => db.open && db.close());
    // Before any adapter prepares its transactions: each one reports a full disk or a read-only file.
    const health = new StoreWriteHealth({
      probe: () => probeWrite(db),
      onChange: (fault) =>
        fault
          ? logger?.error({ store: options.path, reason: fault.reason }, 'the store cannot write: new messages are refused with 500 and /readyz answers 503 until it can')
          : logger?.warn({ store: options.path }, 'the store writes again: accepting messages'),
    });
    cleanups.push(() => health.close());
    watchTransactions(db, health);
    if (onDisk) {
      // Checkpoints off the event loop: an inline one stalls every answer for tens of milliseconds.
      const checkpointer = startWalCheckpointer({
        path: options.path,
        onError: (message) => logger?.warn({ error: message }, 'background WAL checkpoint failed'),
      });
      cleanups.push(() => checkpointer.stop());
    }
    const jobs = options.jobs ?? 'queue';
    sqliteEffectsFor(db, jobs);
    const queue = new SqliteJobQueue(db);
    if (options.recoverLeases !== false) {
      // Embedded mode owns the database alone (the lock above), so any lease left over belongs to a
      // process that died: its jobs are due now, and come back flagged as unsettled.
      const orphaned = await queue.expireLeases();
      if (orphaned > 0) logger?.warn({ jobs: orphaned }, 'found work that was in flight when the previous process stopped');
    }
    return {
      kind: 'sqlite',
      db,
      messages: new SqliteMessageStore(db),
      outbox: new SqliteCallbackOutbox(db),
      templates: new SqliteTemplateStore(db),
      optOuts: new SqliteOptOutStore(db),
      inbound: new SqliteInboundLog(db),
      clickLinks: new SqliteClickLinkStore(db),
      retention: new SqliteRetentionStore(db),
      webhookRejects: new SqliteWebhookRejectLog(db),
      accounts: new SqliteAccountStore(db),
      audit: new SqliteAuditLog(db),
      events: new SqliteMessageEvents(db),
      search: new SqliteMessageSearch(db),
      activity: new SqliteAccountActivity(db),
      stats: new SqliteMessageStats(db),
      jobs,
      queue,
      jobOutbox: new SqliteJobOutbox(db),
      writeFault: () => health.fault?.reason,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * One process per data directory: two embedded gateways on one SQLite file would each treat the
 * other's in-flight sends as orphans. A lock file naming a live pid refuses the second.
 */
function takeDataDirLock(dataDir: string): () => void {
  const file = path.join(dataDir, 'wabridge.pid');
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
      throw new StoreUnavailableError(`another wabridge (pid ${pid}) is using the data directory ${dataDir} (lock file ${file}); stop it or choose another DATA_DIR`);
    }
  }
  try {
    writeFileSync(file, String(process.pid));
  } catch (error) {
    if (isStorageFault(error)) throw new StoreUnavailableError(`cannot write the lock file ${file} in the data directory: ${describeStorageFault(error)}`, { cause: error });
    throw error;
  }
  return () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
    } catch {
      // already gone
    }
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
