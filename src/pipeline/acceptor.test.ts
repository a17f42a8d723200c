import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobQueue } from '../queue/job-queue.js';
import { sampleMessage } from '../store/message-store.conformance.js';
import type { MessageStore } from '../store/message-store.js';
import { createSqliteStorage, type SqliteStorage } from '../store/sqlite/create-sqlite-storage.js';
import { SEND_QUEUE } from '../store/effects.js';
import { Acceptor, OverloadedError } from './acceptor.js';

describe('Acceptor (group commit)', () => {
  let dir: string;
  let storage: SqliteStorage;
  let store: MessageStore;
  let queue: JobQueue;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'wabridge-acceptor-'));
    storage = await createSqliteStorage({ path: path.join(dir, 'test.db') });
    ({ messages: store, queue } = storage);
  });
  afterEach(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits everything accepted in one turn as one batch, each with its send job', async () => {
    const woken: string[] = [];
    const acceptor = new Acceptor({ store, maxPending: 1000, onCommitted: (ids) => woken.push(...ids) });
    const messages = Array.from({ length: 50 }, () => sampleMessage());
    const results = await Promise.all(messages.map((message) => acceptor.accept(message)));
    expect(results.every((result) => !result.duplicate)).toBe(true);
    expect(acceptor.stats).toMatchObject({ commits: 1, messages: 50, largestBatch: 50 });
    expect(woken).toEqual(['acme']);
    const jobs = await queue.reserve(SEND_QUEUE, { partitionKey: 'acme', limit: 100, leaseMs: 1000 });
    expect(jobs.map((job) => job.ref).sort()).toEqual(messages.map((message) => message.id).sort());
  });

  it('stores the short links of tracked buttons with the message, and nothing for a duplicate', async () => {
    const acceptor = new Acceptor({ store, maxPending: 1000 });
    const message = sampleMessage();
    await acceptor.accept(message, { clickLinks: [{ code: 'abc123def0', url: 'https://shop.example/a' }] });
    const again = await acceptor.accept({ ...message, id: 'another-id' }, { clickLinks: [{ code: 'zzz999zzz9', url: 'https://shop.example/b' }] });
    expect(again.duplicate).toBe(true);
    expect(await storage.clickLinks.get('abc123def0')).toMatchObject({ accountId: 'acme', messageId: message.id, msgId: message.msgId, url: 'https://shop.example/a' });
    expect(await storage.clickLinks.get('zzz999zzz9')).toBeUndefined();
    const jobs = await queue.reserve(SEND_QUEUE, { partitionKey: 'acme', limit: 10, leaseMs: 1000 });
    expect(jobs.map((job) => job.ref)).toEqual([message.id]);
  });

  it('refuses new messages beyond maxPending instead of queueing without bound', async () => {
    const acceptor = new Acceptor({ store, maxPending: 5 });
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => acceptor.accept(sampleMessage())));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(5);
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected') as PromiseRejectedResult[];
    expect(refused).toHaveLength(3);
    expect(refused[0]!.reason).toBeInstanceOf(OverloadedError);
  });

  it('drain waits for a commit in flight on an asynchronous store (it used to spin on microtasks, starving that commit: SIGTERM under load never finished)', async () => {
    // A store whose commit completes on a later event-loop turn, as Postgres's does.
    const slow: MessageStore = { ...store, acceptMessages: async (batch) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return store.acceptMessages(batch);
    } };
    const acceptor = new Acceptor({ store: slow, maxPending: 100 });
    const accepted = acceptor.accept(sampleMessage());
    await new Promise((resolve) => setImmediate(resolve)); // the flush has started: a commit is in flight
    acceptor.accept(sampleMessage()).catch(() => undefined); // and another waits behind it
    await acceptor.drain();
    expect((await accepted).duplicate).toBe(false);
    expect(acceptor.stats).toMatchObject({ commits: 2, messages: 2 });
  });

  it('fails every message of a batch whose commit fails, and stores none of them', async () => {
    const acceptor = new Acceptor({ store, maxPending: 100 });
    await storage.close();
    const outcomes = await Promise.allSettled([acceptor.accept(sampleMessage()), acceptor.accept(sampleMessage())]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
  });
});
