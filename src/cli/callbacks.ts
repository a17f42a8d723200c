/**
 * @module cli/callbacks
 * `wabridge callbacks dead-letters` and `wabridge callbacks replay`: the callbacks CleverTap
 * refused (4xx) or that outlived their max age, and sending them again once the cause is fixed.
 * Works on the data directory directly, whether or not the gateway is running (a running gateway
 * picks revived callbacks up within its poll interval).
 */
import { loadConfig } from '../config/load.js';
import { CALLBACK_QUEUE } from '../store/effects.js';
import { SqliteJobQueue } from '../queue/sqlite/sqlite-job-queue.js';
import { openSqlite } from '../store/sqlite/open-sqlite.js';
import { SqliteCallbackOutbox } from '../store/sqlite/sqlite-callback-outbox.js';

async function open() {
  const config = loadConfig();
  const db = await openSqlite({ path: config.store.path, synchronous: config.store.synchronous });
  return { db, queue: new SqliteJobQueue(db), outbox: new SqliteCallbackOutbox(db) };
}

export async function listDeadLetters(options: { limit: number; json?: boolean }, out: (line: string) => void = (line) => process.stdout.write(line + '\n')): Promise<void> {
  const { db, queue, outbox } = await open();
  try {
    const dead = await queue.listDead(CALLBACK_QUEUE, options.limit);
    const callbacks = new Map((await outbox.get(dead.map((job) => job.ref))).map((callback) => [callback.id, callback]));
    const rows = dead.map((job) => {
      const callback = callbacks.get(job.ref);
      return {
        deadLetter: job.id,
        account: job.partitionKey,
        kind: callback?.kind ?? '?',
        msgId: callback?.msgId ?? '',
        url: callback ? new URL(callback.url).origin : '',
        attempts: job.attempts,
        deadAt: new Date(job.deadAt).toISOString(),
        reason: job.reason,
      };
    });
    if (options.json) return out(JSON.stringify(rows, null, 2));
    if (rows.length === 0) return out('no dead-lettered callbacks');
    for (const row of rows) {
      out(`#${row.deadLetter}  ${row.deadAt}  ${row.account}  ${row.kind}${row.msgId ? ` ${row.msgId}` : ''}  → ${row.url}  (${row.attempts} attempt${row.attempts === 1 ? '' : 's'})`);
      out(`    ${row.reason}`);
    }
    out(`${rows.length} dead-lettered callback${rows.length === 1 ? '' : 's'}; replay with: wabridge callbacks replay <id…> | --all`);
  } finally {
    db.close();
  }
}

export async function replayDeadLetters(ids: readonly string[], options: { all?: boolean }, out: (line: string) => void = (line) => process.stdout.write(line + '\n')): Promise<number> {
  const { db, queue } = await open();
  try {
    const targets = options.all ? (await queue.listDead(CALLBACK_QUEUE, Number.MAX_SAFE_INTEGER)).map((job) => job.id) : ids;
    if (targets.length === 0) {
      out('nothing to replay (give dead-letter ids, or --all)');
      return 0;
    }
    const revived = await queue.revive(targets);
    out(`${revived} callback${revived === 1 ? '' : 's'} queued again${revived < targets.length ? `; ${targets.length - revived} id(s) not found` : ''}`);
    return revived;
  } finally {
    db.close();
  }
}
