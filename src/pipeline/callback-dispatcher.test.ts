import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteJobQueue } from '../queue/sqlite/sqlite-job-queue.js';
import { startClevertapSimulator, type ClevertapSimulator } from '../sim/clevertap/index.js';
import { openSqlite, type SqliteDatabase } from '../store/sqlite/open-sqlite.js';
import { SqliteCallbackOutbox } from '../store/sqlite/sqlite-callback-outbox.js';
import { sqliteEffectsFor } from '../store/sqlite/sqlite-effects.js';
import { CallbackDispatcher, type CallbackDispatcherOptions } from './callback-dispatcher.js';

/** Polls `check` until it holds (never a fixed sleep: the machine may be busy). */
async function eventually<T>(check: () => T | Promise<T>, what: string, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last as NonNullable<T>;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

interface Harness {
  db: SqliteDatabase;
  queue: SqliteJobQueue;
  outbox: SqliteCallbackOutbox;
  dispatcher: CallbackDispatcher;
  /** Commits one delivery report owed to `url` and, unless `announce` is false, wakes the URL. */
  owe(url: string, msgId: string, announce?: boolean): number;
  deliveredAt(id: number): number | null;
  lastError(id: number): string | null;
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function harness(options: Partial<CallbackDispatcherOptions> = {}): Promise<Harness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wabridge-cbd-'));
  const db = await openSqlite({ path: path.join(dir, 'db.sqlite') });
  const queue = new SqliteJobQueue(db);
  const outbox = new SqliteCallbackOutbox(db);
  const dispatcher = new CallbackDispatcher({ outbox, queue, logger: pino({ level: 'silent' }), maxAgeMs: 3600_000, ...options });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => db.close(), () => dispatcher.stop());
  await dispatcher.start();
  const effects = sqliteEffectsFor(db);
  const lastCallback = db.prepare('SELECT max(id) FROM callbacks').pluck();
  // Synchronous, so a test can owe many callbacks in one turn, as a burst of webhooks does.
  const add = db.transaction((url: string, msgId: string) => {
    effects.apply({ callbacks: [{ accountId: 'acme', kind: 'dlr', url, msgId, payload: JSON.stringify({ msgId, status: 'delivered', at: Date.now() }) }] });
    return lastCallback.get() as number;
  });
  const column = (name: 'delivered_at' | 'last_error') => db.prepare(`SELECT ${name} AS value FROM callbacks WHERE id = ?`);
  return {
    db,
    queue,
    outbox,
    dispatcher,
    owe(url, msgId, announce = true) {
      const id = add.immediate(url, msgId);
      if (announce) dispatcher.wake(url);
      return id;
    },
    deliveredAt: (id) => (column('delivered_at').get(id) as { value: number | null }).value,
    lastError: (id) => (column('last_error').get(id) as { value: string | null }).value,
  };
}

async function listen(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  const address = server.address();
  return { server, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

async function simulator(): Promise<ClevertapSimulator> {
  const clevertap = await startClevertapSimulator();
  cleanups.push(() => clevertap.close());
  return clevertap;
}

describe('CallbackDispatcher: a delivery job that outlived its delivery', () => {
  it('acknowledges a callback CleverTap already accepted instead of posting it again', async () => {
    const clevertap = await simulator();
    const { dispatcher, owe, outbox, queue } = await harness();
    const url = clevertap.deliveryReportUrl('acme');
    // Posted and recorded delivered, but its job's acknowledgement was lost (an external queue
    // restarting): the job comes back.
    const id = owe(url, 'm|already', false);
    await outbox.markDelivered([String(id)], Date.now());
    const fresh = owe(url, 'm|fresh', false);
    dispatcher.wake(url);
    await eventually(() => clevertap.deliveryReports().length === 1, 'the fresh report');
    await eventually(async () => (await queue.counts()).every((row) => row.ready + row.leased + row.scheduled === 0), 'both jobs finished');
    expect(clevertap.deliveryReports().flatMap((request) => (request.body as { statuses: Array<{ msgId: string }> }).statuses.map((status) => status.msgId))).toEqual(['m|fresh']);
    expect(fresh).toBeGreaterThan(id);
  });
});

describe('CallbackDispatcher: per-URL state', () => {
  it('keeps no loop, timer or unbounded state for URLs that have nothing left to deliver', async () => {
    const clevertap = await simulator();
    const { dispatcher, owe } = await harness({ maxTrackedEndpoints: 1000 });
    const urls = Array.from({ length: 3000 }, (_, index) => `${clevertap.deliveryReportUrl('acme')}?u=${index}`);
    for (const [index, url] of urls.entries()) owe(url, `m|${index}`);
    await eventually(() => clevertap.deliveryReports().length === urls.length, 'every URL to get its report', 60_000);
    await eventually(() => dispatcher.activeLoops() === 0, 'every loop to end');
    expect(clevertap.rejectedBodies()).toEqual([]);
    // The statistics are an LRU: the cap holds, the most recent URLs are the ones kept.
    expect(dispatcher.trackedEndpoints()).toBeLessThanOrEqual(1000);
    expect(dispatcher.stats()).toMatchObject({ activeLoops: 0 });
  }, 90_000);

  it('wakes a URL again for new work, and the sweep finds work nobody announced', async () => {
    const clevertap = await simulator();
    const { dispatcher, owe, deliveredAt } = await harness({ sweepIntervalMs: 50 });
    const url = clevertap.deliveryReportUrl('acme');
    const first = owe(url, 'm|1');
    await eventually(() => deliveredAt(first) !== null && dispatcher.activeLoops() === 0, 'the first report and the loop to end');
    const second = owe(url, 'm|2');
    await eventually(() => deliveredAt(second), 'a report announced after the loop ended');
    await eventually(() => dispatcher.activeLoops() === 0, 'the loop to end again');
    // Committed without wake(), like a dead letter replayed by the CLI or a lease that ran out.
    const silent = owe(`${url}?replayed=1`, 'm|3', false);
    await eventually(() => deliveredAt(silent), 'the sweep to deliver an unannounced report');
    await eventually(() => dispatcher.activeLoops() === 0, 'the loop to end after the sweep');
  });

  it('keeps only a timer while a URL is blocked, then delivers and lets go', async () => {
    let failures = 2;
    const { url } = await listen((request, response) => {
      request.resume();
      request.on('end', () => (failures-- > 0 ? response.writeHead(503).end('busy') : response.writeHead(200).end('{"status":"success"}')));
    });
    const { dispatcher, owe, deliveredAt } = await harness({ retrySchedule: [0, 1500] });
    const id = owe(`${url}/dlr`, 'm|1');
    // The second failure blocks the URL for 1.2–1.8 s: it waits on one timer, nothing polls.
    const blocked = await eventually(() => {
      const endpoint = dispatcher.endpoints()[0];
      return endpoint?.consecutiveFailures === 2 && endpoint.blockedUntil > Date.now() ? { loops: dispatcher.activeLoops() } : undefined;
    }, 'the second failure to block the URL');
    expect(blocked).toEqual({ loops: 1 });
    await eventually(() => deliveredAt(id), 'delivery once the URL answers');
    await eventually(() => dispatcher.activeLoops() === 0, 'the loop to end');
    expect(dispatcher.endpoints()[0]).toMatchObject({ delivered: 1, consecutiveFailures: 0 });
  });
});

describe('CallbackDispatcher: hostile callback targets', () => {
  /** Streams `totalBytes` as fast as the client reads; counts what was written before the client left. */
  async function hugeAnswer(status: number, totalBytes: number) {
    const written = { bytes: 0, closed: false };
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const target = await listen((request, response) => {
      request.resume();
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.on('close', () => (written.closed = true));
      const pump = () => {
        while (written.bytes < totalBytes && !response.destroyed) {
          written.bytes += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        response.end();
      };
      pump();
    });
    return { ...target, written };
  }

  it('reads at most maxResponseBytes of a 2xx answer and still counts it delivered', async () => {
    const target = await hugeAnswer(200, 200 * 1024 * 1024);
    const { dispatcher, owe, deliveredAt } = await harness();
    const id = owe(`${target.url}/dlr`, 'm|1');
    await eventually(() => deliveredAt(id), 'the callback to be marked delivered');
    await eventually(() => target.written.closed, 'the gateway to drop the connection');
    expect(dispatcher.stats().responseBytesRead).toBeLessThanOrEqual(2 * 64 * 1024);
    // Kernel buffers hold a few MB; reading the whole answer would have taken all 200 MB.
    expect(target.written.bytes).toBeLessThan(64 * 1024 * 1024);
  }, 30_000);

  it('keeps the start of a huge refusal as the error and reads no more of it', async () => {
    const target = await hugeAnswer(500, 200 * 1024 * 1024);
    const { dispatcher, owe, lastError } = await harness({ retrySchedule: [3600_000] });
    const id = owe(`${target.url}/dlr`, 'm|1');
    const error = await eventually(() => lastError(id), 'the failure to be recorded');
    expect(error).toBe(`HTTP 500: ${'x'.repeat(500)}`);
    expect(dispatcher.stats().responseBytesRead).toBeLessThanOrEqual(2 * 64 * 1024);
    await eventually(() => target.written.closed, 'the gateway to drop the connection');
    expect(target.written.bytes).toBeLessThan(64 * 1024 * 1024);
  }, 30_000);

  it('gives up reading an answer that dribbles in, and counts a 2xx delivered', async () => {
    const { url } = await listen((request, response) => {
      request.resume();
      response.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => response.write('.'), 50);
      response.on('close', () => clearInterval(timer));
    });
    const { owe, deliveredAt } = await harness({ timeoutMs: 500 });
    const id = owe(`${url}/dlr`, 'm|1');
    await eventually(() => deliveredAt(id), 'the callback to be marked delivered despite the endless body');
  });
});
