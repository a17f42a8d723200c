import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.js';
import { CALLBACK_QUEUE, SEND_QUEUE } from '../store/effects.js';
import type { JobOutbox } from '../store/job-outbox.js';
import { sampleMessage } from '../store/message-store.conformance.js';
import { createSqliteStorage, type SqliteStorage } from '../store/sqlite/create-sqlite-storage.js';
import type { BullmqJobQueue } from './bullmq/bullmq-job-queue.js';
import { throwawayBullmqQueue } from './bullmq/throwaway-bullmq-queue.js';
import { OutboxRelay, outboxJobId, type OutboxRelayOptions, type RelayedPartition } from './outbox-relay.js';

const logger = pino({ level: 'silent' });
const DLR_URL = 'https://ct.example/dlr';

describe('OutboxRelay (SQLite job outbox → BullMQ)', () => {
  let dir: string;
  let storage: SqliteStorage;
  let queue: BullmqJobQueue;
  let closeQueue: () => Promise<void>;
  const relays: OutboxRelay[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'wabridge-relay-'));
    storage = await createSqliteStorage({ path: path.join(dir, 'store.db'), jobs: 'outbox' });
    ({ queue, close: closeQueue } = await throwawayBullmqQueue());
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
    await storage.close();
    await closeQueue();
    rmSync(dir, { recursive: true, force: true });
  });

  const relay = (options: Partial<Pick<OutboxRelayOptions, 'outbox' | 'batch' | 'pollMs' | 'onRelayed'>> = {}) => {
    const made = new OutboxRelay({ outbox: storage.jobOutbox, queue, logger, ...options });
    relays.push(made);
    return made;
  };

  /** Commits one message per ref, each with a send job in partition `acme`. */
  const commitSends = async (refs: string[]) => {
    for (const ref of refs) await storage.messages.acceptMessages([{ message: sampleMessage(), effects: { jobs: [{ queue: SEND_QUEUE, partitionKey: 'acme', ref }] } }]);
  };

  const reserveAll = async (queueName: string, partitionKey: string) =>
    (await queue.reserve(queueName, { partitionKey, limit: 100, leaseMs: 10_000 })).map((job) => job.ref);

  it('moves committed jobs into the queue in commit order, batch after batch, and empties the outbox', async () => {
    const refs = Array.from({ length: 11 }, (_, index) => `m${index}`);
    await commitSends(refs);
    await storage.outbox.owe([{ accountId: 'acme', kind: 'dlr', url: DLR_URL, payload: '{}' }]);
    expect(await relay({ batch: 3 }).drain()).toBe(12);
    expect(await storage.jobOutbox.take(100)).toEqual([]);
    expect(await reserveAll(SEND_QUEUE, 'acme')).toEqual(refs);
    expect(await reserveAll(CALLBACK_QUEUE, DLR_URL)).toHaveLength(1);
  });

  it('keeps a future due time', async () => {
    const later = Date.now() + 3_600_000;
    await storage.messages.acceptMessages([{ message: sampleMessage(), effects: { jobs: [{ queue: SEND_QUEUE, partitionKey: 'acme', ref: 'later', runAt: later }] } }]);
    await relay().drain();
    expect(await queue.counts()).toEqual([{ queue: SEND_QUEUE, partitionKey: 'acme', ready: 0, scheduled: 1, leased: 0, dead: 0, oldestReadyAt: null }]);
    expect((await queue.reserve(SEND_QUEUE, { partitionKey: 'acme', limit: 5, leaseMs: 1000, now: later })).map((job) => job.ref)).toEqual(['later']);
  });

  it('a crash between enqueue and remove: the re-run enqueues nothing twice', async () => {
    await commitSends(['m1', 'm2', 'm3']);
    // The first relay "crashes" after enqueueing: its remove never happens.
    const crashing: JobOutbox = {
      take: (limit) => storage.jobOutbox.take(limit),
      remove: async () => {
        throw new Error('process died');
      },
    };
    await expect(relay({ outbox: crashing }).drain()).rejects.toThrow('process died');
    expect(await storage.jobOutbox.take(10)).toHaveLength(3);
    // One of them was already delivered and acknowledged before the restart.
    const [first] = await queue.reserve(SEND_QUEUE, { partitionKey: 'acme', limit: 1, leaseMs: 10_000 });
    expect(await queue.ack(first!)).toBe(true);
    await commitSends(['m4']);
    expect(await relay().drain()).toBe(4);
    expect(await storage.jobOutbox.take(10)).toEqual([]);
    expect(await reserveAll(SEND_QUEUE, 'acme')).toEqual(['m2', 'm3', 'm4']);
    expect(await queue.counts()).toEqual([{ queue: SEND_QUEUE, partitionKey: 'acme', ready: 0, scheduled: 0, leased: 3, dead: 0, oldestReadyAt: null }]);
  });

  it('two relays on one outbox add each job once, in order', async () => {
    const refs = Array.from({ length: 20 }, (_, index) => `m${index}`);
    await commitSends(refs);
    await Promise.all([relay({ batch: 4 }).drain(), relay({ batch: 7 }).drain()]);
    expect(await reserveAll(SEND_QUEUE, 'acme')).toEqual(refs);
  });

  it('relays on wake() and on its poll, and retries after an error', async () => {
    let failures = 1;
    const flaky: JobOutbox = {
      take: (limit) => storage.jobOutbox.take(limit),
      remove: async (ids) => {
        if (failures-- > 0) throw new Error('store briefly unavailable');
        await storage.jobOutbox.remove(ids);
      },
    };
    const running = relay({ outbox: flaky, pollMs: 50 });
    running.start();
    await commitSends(['m1']);
    running.wake();
    const outboxEmpty = async () => (await storage.jobOutbox.take(10)).length === 0;
    await eventually(outboxEmpty, 'the woken relay to empty the outbox (after one failed round)');
    await commitSends(['m2']); // not announced: found by the poll
    await eventually(outboxEmpty, 'the polling relay to empty the outbox');
    expect(await reserveAll(SEND_QUEUE, 'acme')).toEqual(['m1', 'm2']);
    await running.stop();
  });

  it('names the partitions it filled only once their jobs are in the queue, so a woken worker finds them', async () => {
    await commitSends(['m1', 'm2']);
    await storage.outbox.owe([{ accountId: 'acme', kind: 'dlr', url: DLR_URL, payload: '{}' }]);
    const seen: Array<{ partitions: readonly RelayedPartition[]; reservable: string[] }> = [];
    const pending: Promise<void>[] = [];
    await relay({
      batch: 2,
      onRelayed: (partitions) => {
        pending.push(
          (async () => {
            const counts = await queue.counts();
            const reservable = partitions.filter((partition) => counts.some((row) => row.queue === partition.queue && row.partitionKey === partition.partitionKey && row.ready > 0));
            seen.push({ partitions, reservable: reservable.map((partition) => partition.partitionKey) });
          })(),
        );
      },
    }).drain();
    await Promise.all(pending);
    expect(seen.map(({ partitions }) => partitions)).toEqual([
      [{ queue: SEND_QUEUE, partitionKey: 'acme' }],
      [{ queue: CALLBACK_QUEUE, partitionKey: DLR_URL }],
    ]);
    expect(seen.map(({ reservable }) => reservable)).toEqual([['acme'], [DLR_URL]]);
  });

  it('a failing wake-up does not fail the round', async () => {
    await commitSends(['m1']);
    expect(
      await relay({
        onRelayed: () => {
          throw new Error('no listener');
        },
      }).drain(),
    ).toBe(1);
    expect(await storage.jobOutbox.take(10)).toEqual([]);
  });

  it('gives outbox jobs ids that sort as they were committed', () => {
    expect(outboxJobId('9') < outboxJobId('10')).toBe(true);
    expect(outboxJobId('42')).toBe('o00000000000000000042');
  });
});
