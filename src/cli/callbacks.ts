/**
 * @module cli/callbacks
 * `wabridge callbacks dead-letters` and `wabridge callbacks replay`: the callbacks CleverTap
 * refused (4xx) or that outlived their max age, and sending them again once the cause is fixed.
 * Works on the store and queue directly, whether or not a gateway is running (a running gateway
 * picks revived callbacks up within its poll interval).
 */
import { redactCallbackUrl } from '../clevertap/callback-url.js';
import { loadConfig } from '../config/load.js';
import { CALLBACK_QUEUE } from '../store/effects.js';
import { openStore } from './open-store.js';

export async function listDeadLetters(options: { limit: number; json?: boolean }, out: (line: string) => void = (line) => process.stdout.write(line + '\n')): Promise<void> {
  const { storage, queue, close } = await openStore(loadConfig());
  try {
    const dead = await queue.listDead(CALLBACK_QUEUE, options.limit);
    const callbacks = new Map((await storage.outbox.get(dead.map((job) => job.ref))).map((callback) => [callback.id, callback]));
    const rows = dead.map((job) => {
      const callback = callbacks.get(job.ref);
      return {
        deadLetter: job.id,
        // The partition is the callback URL, tenant token included: never printed whole.
        account: callback?.accountId ?? '?',
        kind: callback?.kind ?? '?',
        msgId: callback?.msgId ?? '',
        url: redactCallbackUrl(callback?.url ?? job.partitionKey),
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
    await close();
  }
}

export async function replayDeadLetters(ids: readonly string[], options: { all?: boolean }, out: (line: string) => void = (line) => process.stdout.write(line + '\n')): Promise<number> {
  const { queue, close } = await openStore(loadConfig());
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
    await close();
  }
}
