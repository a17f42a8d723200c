/**
 * The dispatchers as replicas: two of each on one store, sharing one lease table as replicas
 * share Redis. A number is sent from by one replica at a time, at its rate across both; a
 * callback URL is posted to by one replica at a time, in order; a replica that stops hands its
 * work over.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLeaseTable, MemoryLeases } from '../cluster/memory/memory-leases.js';
import { SEND_QUEUE } from '../store/effects.js';
import { sampleMessage } from '../store/message-store.conformance.js';
import { createSqliteStorage, type SqliteStorage } from '../store/sqlite/create-sqlite-storage.js';
import type { SendOutcome } from '../whatsapp/graph-client.js';
import type { GraphSendBody } from '../whatsapp/graph-types.js';
import { CallbackDispatcher } from './callback-dispatcher.js';
import { SendDispatcher, type MessageSender } from './send-dispatcher.js';

const logger = pino({ level: 'silent' });
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function storage(): Promise<SqliteStorage> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wabridge-leases-'));
  const created = await createSqliteStorage({ path: path.join(dir, 'db.sqlite') });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => created.close());
  return created;
}

async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A Graph stand-in that records who sent what, when. */
function recordingSender(replica: string, sends: Array<{ replica: string; ref: string; at: number }>): MessageSender {
  let counter = 0;
  return {
    async sendMessage(_phoneNumberId: string, body: GraphSendBody): Promise<SendOutcome> {
      sends.push({ replica, ref: body.biz_opaque_callback_data ?? '', at: Date.now() });
      return { kind: 'accepted', wamid: `wamid.${replica}.${++counter}` };
    },
  };
}

/** The most sends in any window of `windowMs`. */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe('SendDispatcher replicas sharing leases', () => {
  it('send from a number one replica at a time, at its rate across both, and hand it over when one stops', async () => {
    const store = await storage();
    const table = new MemoryLeaseTable();
    const sends: Array<{ replica: string; ref: string; at: number }> = [];
    const MPS = 100;
    const replica = (name: string) =>
      new SendDispatcher({
        store: store.messages,
        queue: store.queue,
        logger,
        lanes: [{ accountId: 'acme', phoneNumberId: '100001', messagesPerSecond: MPS, maxInFlight: 16, sender: recordingSender(name, sends) }],
        leaseMs: 60_000,
        uncertainHoldMs: 60_000,
        maxAttempts: 3,
        maxAgeMs: 3_600_000,
        leases: new MemoryLeases({ owner: name, table }),
        leaseTtlMs: 900,
      });
    const a = replica('a');
    const b = replica('b');
    cleanups.push(() => a.stop(), () => b.stop());
    const accept = (count: number) => {
      const messages = Array.from({ length: count }, () => sampleMessage({ acceptedAt: Date.now() }));
      return store.messages
        .acceptMessages(messages.map((message) => ({ message, effects: { jobs: [{ queue: SEND_QUEUE, partitionKey: 'acme', ref: message.id }] } })))
        .then(() => messages.map((message) => message.id));
    };
    const first = await accept(250);
    a.start();
    b.start();
    await eventually(() => sends.length === first.length, 'the first batch to go out');
    const firstSender = sends[0]!.replica;
    expect(new Set(sends.map((send) => send.replica))).toEqual(new Set([firstSender]));
    expect(busiestWindow(sends.map((send) => send.at), 1000)).toBeLessThanOrEqual(MPS);

    // The sending replica stops (a deploy): the other takes the number over.
    await (firstSender === 'a' ? a : b).stop();
    const second = await accept(50);
    await eventually(() => sends.length === first.length + second.length, 'the second batch to go out from the other replica');
    expect(new Set(sends.slice(first.length).map((send) => send.replica))).toEqual(new Set([firstSender === 'a' ? 'b' : 'a']));
    expect(sends.map((send) => send.ref).sort()).toEqual([...first, ...second].sort());
  });
});

describe('CallbackDispatcher replicas sharing leases', () => {
  it('post to a URL one replica at a time, in the order the callbacks were owed', async () => {
    const store = await storage();
    const table = new MemoryLeaseTable();
    let inFlight = 0;
    let overlapped = false;
    const received: string[] = [];
    const server = createServer((request, response) => {
      inFlight++;
      if (inFlight > 1) overlapped = true;
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        for (const status of JSON.parse(body).statuses ?? []) received.push(status.msgId);
        setTimeout(() => {
          inFlight--;
          response.writeHead(200).end('{"status":"success"}');
        }, 5);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/dlr`;
    const replica = (name: string) =>
      new CallbackDispatcher({ outbox: store.outbox, queue: store.queue, logger, maxAgeMs: 3_600_000, maxBatch: 5, leases: new MemoryLeases({ owner: name, table }), leaseTtlMs: 900 });
    const a = replica('a');
    const b = replica('b');
    cleanups.push(() => a.stop(), () => b.stop());
    await Promise.all([a.start(), b.start()]);

    const msgIds = Array.from({ length: 60 }, (_, index) => `m|${String(index).padStart(2, '0')}`);
    for (const batch of [msgIds.slice(0, 20), msgIds.slice(20, 40), msgIds.slice(40)]) {
      await store.outbox.owe(batch.map((msgId) => ({ accountId: 'acme', kind: 'dlr' as const, url, msgId, payload: JSON.stringify({ msgId, status: 'delivered', at: Date.now() }) })));
      // Both replicas hear of the work, as a published wake-up reaches every replica.
      a.wake(url);
      b.wake(url);
    }
    await eventually(() => received.length === msgIds.length, 'every report to arrive');
    expect(received).toEqual(msgIds);
    expect(overlapped).toBe(false);
  });
});
