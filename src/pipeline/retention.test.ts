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
import { CALLBACK_QUEUE } from '../store/effects.js';
import { createSqliteStorage } from '../store/sqlite/create-sqlite-storage.js';
import { PRUNE_BATCH, RetentionJob } from './retention.js';

const DAY = 24 * 3600_000;
let cleanup: () => Promise<void> = async () => undefined;
afterEach(async () => cleanup());

describe('RetentionJob', () => {
  it('removes every old record in batches and keeps young and unfinished ones', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wabridge-retention-job-'));
    const storage = await createSqliteStorage({ path: path.join(dir, 'test.db') });
    const { messages } = storage;
    cleanup = async () => {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    };
    const now = 1_800_000_000_000;
    const old = Array.from({ length: PRUNE_BATCH * 2 + 17 }, () => sampleMessage({ acceptedAt: now - 40 * DAY }));
    const young = sampleMessage({ acceptedAt: now - 40 * DAY });
    const unfinished = sampleMessage({ acceptedAt: now - 40 * DAY });
    await messages.acceptMessages([...old, young, unfinished].map((message) => ({ message })));
    await Promise.all(old.map((message) => messages.advanceState(message.id, 'delivered', now - 35 * DAY)));
    await messages.advanceState(young.id, 'read', now - 5 * DAY);

    const logged: unknown[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line)) });
    const job = new RetentionJob({
      store: storage.retention,
      queue: storage.queue,
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

  it('forgets dead letters in the queue and the callbacks they carried, by the same age', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wabridge-retention-dead-'));
    const storage = await createSqliteStorage({ path: path.join(dir, 'test.db') });
    cleanup = async () => {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    };
    const url = 'https://ct.example/dlr';
    await storage.outbox.owe(['a', 'b'].map((msgId) => ({ accountId: 'acme', kind: 'dlr' as const, url, msgId, payload: '{}' })));
    const jobs = await storage.queue.reserve(CALLBACK_QUEUE, { partitionKey: url, limit: 10, leaseMs: 60_000 });
    expect(jobs).toHaveLength(2);
    // Dead-lettered now, as the dispatcher does on a 4xx: the job to the queue's dead letters, the callback marked.
    for (const job of jobs) await storage.queue.deadLetter(job, 'HTTP 400');
    await storage.outbox.markDead(jobs.map((job) => job.ref), Date.now());

    const policy = { everyMs: 3600_000, keepDays: { messages: 30, deliveredCallbacks: 7, deadLetters: 30, inboundMessages: 30, clickLinks: 90 } };
    const soon = new RetentionJob({ store: storage.retention, queue: storage.queue, logger: pino({ level: 'silent' }), policy });
    expect(await soon.runOnce()).toMatchObject({ deadLetters: 0 });
    expect(await storage.queue.listDead(CALLBACK_QUEUE, 10)).toHaveLength(2);

    const later = new RetentionJob({ store: storage.retention, queue: storage.queue, logger: pino({ level: 'silent' }), policy, now: () => Date.now() + 31 * DAY });
    // Two callbacks and their two dead letters.
    expect(await later.runOnce()).toMatchObject({ deadLetters: 4 });
    expect(await storage.queue.listDead(CALLBACK_QUEUE, 10)).toEqual([]);
    expect(await storage.outbox.get(jobs.map((job) => job.ref))).toEqual([]);
    await Promise.all([soon.stop(), later.stop()]);
  });
});
