/**
 * The retention job on a real SQLite file: it removes in batches until nothing old is left,
 * keeps what is young or still in flight, and logs what it did.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleMessage } from '../store/message-store.conformance.js';
import { openSqlite } from '../store/sqlite/open-sqlite.js';
import { SqliteMessageStore } from '../store/sqlite/sqlite-message-store.js';
import { SqliteRetentionStore } from '../store/sqlite/sqlite-retention-store.js';
import { PRUNE_BATCH, RetentionJob } from './retention.js';

const DAY = 24 * 3600_000;
let cleanup: () => Promise<void> = async () => undefined;
afterEach(async () => cleanup());

describe('RetentionJob', () => {
  it('removes every old record in batches and keeps young and unfinished ones', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wabridge-retention-job-'));
    const db = await openSqlite({ path: path.join(dir, 'test.db') });
    const messages = new SqliteMessageStore(db);
    cleanup = async () => {
      await messages.close();
      rmSync(dir, { recursive: true, force: true });
    };
    const now = 1_800_000_000_000;
    const old = Array.from({ length: PRUNE_BATCH * 2 + 17 }, () => sampleMessage({ acceptedAt: now - 40 * DAY }));
    const young = sampleMessage({ acceptedAt: now - 40 * DAY });
    const unfinished = sampleMessage({ acceptedAt: now - 40 * DAY });
    await messages.acceptMessages([...old, young, unfinished]);
    await Promise.all(old.map((message) => messages.advanceState(message.id, 'delivered', now - 35 * DAY)));
    await messages.advanceState(young.id, 'read', now - 5 * DAY);

    const logged: unknown[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line)) });
    const job = new RetentionJob({
      store: new SqliteRetentionStore(db),
      logger,
      now: () => now,
      policy: { everyMs: 3600_000, keepDays: { messages: 30, deliveredCallbacks: 7, deadLetters: 30, inboundMessages: 30, clickLinks: 90 } },
    });
    const removed = await job.runOnce();
    expect(removed).toEqual({ messages: old.length, deliveredCallbacks: 0, deadLetters: 0, inboundMessages: 0, clickLinks: 0 });
    expect(await messages.getMessage(old[0]!.id)).toBeUndefined();
    expect(await messages.getMessage(young.id)).toMatchObject({ state: 'read' });
    expect(await messages.getMessage(unfinished.id)).toMatchObject({ state: 'accepted' });
    expect(logged).toContainEqual(expect.objectContaining({ msg: `retention removed ${old.length} old records`, removed }));

    expect(await job.runOnce()).toMatchObject({ messages: 0 });
    await job.stop();
  });
});
