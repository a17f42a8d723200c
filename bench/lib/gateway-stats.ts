/**
 * After the load, how much work did the gateway really take on: messages accepted (stored) and
 * messages already handed to the Meta simulator. A fast 200 is only worth something if the message
 * behind it was stored and is being sent.
 *
 * Asks the gateway first (GET /v1/admin/stats, if it exists), else reads its SQLite store
 * read-only (table `messages`). Either source may not exist yet; both are skipped quietly.
 */
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface StoreCounts {
  source: string;
  total: number;
  /** Message count per state (accepted, submitted, sent, …) when the store records one. */
  byState?: Record<string, number>;
  /** Messages the (simulated) Cloud API took: submitted, sent, delivered or read. */
  dispatched?: number;
  /** Messages that ended `failed` (refused by the simulator or given up on). */
  failed?: number;
}

export async function fetchAdminStats(baseUrl: string, authorization: string): Promise<unknown | undefined> {
  try {
    const response = await fetch(`${baseUrl}/v1/admin/stats`, { headers: { authorization }, signal: AbortSignal.timeout(5_000) });
    if (response.status !== 200) return undefined;
    return await response.json();
  } catch {
    return undefined;
  }
}

/** Candidate names for the column holding a message's lifecycle state. */
const STATE_COLUMNS = ['state', 'status'];
/** States (src/domain/status.ts) a message reaches only once the Cloud API accepted it. */
const DISPATCHED_STATES = ['submitted', 'sent', 'delivered', 'read'];

export async function countStoredMessages(dbPath: string): Promise<StoreCounts | { skipped: string }> {
  if (!existsSync(dbPath)) return { skipped: `no store at ${dbPath}` };
  try {
    // Imported lazily: a missing native build must not stop the bench from reporting load numbers.
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 2000');
      const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'messages'").get();
      if (!table) return { skipped: 'store has no `messages` table' };
      const columns = (db.prepare('PRAGMA table_info(messages)').all() as { name: string }[]).map((c) => c.name);
      const total = (db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n;
      const stateColumn = STATE_COLUMNS.find((name) => columns.includes(name));
      if (!stateColumn) return { source: 'sqlite', total };
      const rows = db.prepare(`SELECT ${stateColumn} AS state, COUNT(*) AS n FROM messages GROUP BY ${stateColumn}`).all() as { state: string; n: number }[];
      const byState = Object.fromEntries(rows.map((row) => [String(row.state), row.n]));
      const dispatched = DISPATCHED_STATES.reduce((count, state) => count + (byState[state] ?? 0), 0);
      return { source: 'sqlite', total, byState, dispatched, failed: byState.failed ?? 0 };
    } finally {
      db.close();
    }
  } catch (error) {
    return { skipped: `could not read the store: ${(error as Error).message}` };
  }
}

/**
 * Polls the store until the dispatched count stops moving (the dispatcher caught up or stalled),
 * at most `maxWaitMs`, so the report shows the settled figure rather than a snapshot mid-drain.
 */
export async function countStoredMessagesWhenSettled(dbPath: string, maxWaitMs: number): Promise<StoreCounts | { skipped: string }> {
  const deadline = Date.now() + maxWaitMs;
  let previous = await countStoredMessages(dbPath);
  while (Date.now() < deadline && 'total' in previous && previous.dispatched !== undefined && previous.dispatched + (previous.failed ?? 0) < previous.total) {
    await sleep(2_000);
    const current = await countStoredMessages(dbPath);
    if (!('total' in current) || (current.dispatched === previous.dispatched && current.failed === previous.failed)) return current;
    previous = current;
  }
  return previous;
}
