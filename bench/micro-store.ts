/**
 * `npx tsx bench/micro-store.ts` — CPU cost of the store operations on the hot paths, in-process,
 * on a real SQLite file (WAL, synchronous=NORMAL), with realistic ~1 KB template messages:
 *
 * - accept: `Acceptor` group commit of a burst (message row + send job per message);
 * - reserve: the send dispatcher's reservation (one job per call, as at 1,000 mps, and 50 per call);
 * - submitted: `recordSubmitted` + `ack` as the dispatcher does per Graph answer, one per turn and 50 per turn;
 * - status: `StatusIngest.apply` for sent → delivered → read, 100 statuses per webhook, with and
 *   without a delivery-report URL (outbox row + callback job per report).
 *
 * Reports µs of CPU (user + system) per operation, median of --rounds. A development tool for
 * comparing two versions of the store; `npm run bench:ingest` remains the benchmark of record.
 *
 * Flags: --messages <n> (20000)  --rounds <n> (3)  --only accept,reserve,submitted,status
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { parseSendRequest } from '../src/clevertap/index.js';
import { newMessageId } from '../src/domain/ids.js';
import type { OutboundMessage } from '../src/domain/message.js';
import { Acceptor } from '../src/pipeline/acceptor.js';
import { SEND_QUEUE } from '../src/store/effects.js';
import { OwedCallbacks } from '../src/pipeline/owe-callbacks.js';
import { StatusIngest } from '../src/pipeline/status-ingest.js';
import { createSqliteStorage } from '../src/store/sqlite/create-sqlite-storage.js';
import type { StatusUpdate } from '../src/whatsapp/webhook-statuses.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string', default: 'accept,reserve,submitted,status' },
  },
});
const N = Number(values.messages);
const only = new Set(values.only.split(','));
const PHONE_NUMBER_ID = '100000000000777';

const fixture = JSON.parse(readFileSync(new URL('../test/fixtures/clevertap/requests/template-file-header-multi-button.json', import.meta.url), 'utf8'));
const parsed = parseSendRequest(fixture, {});
if (parsed.kind !== 'message') throw new Error('fixture did not parse');
const request = parsed.request;

const turn = () => new Promise((resolve) => setImmediate(resolve));
function cpuUs(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

async function round(stamp: number): Promise<Record<string, number>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wabridge-micro-'));
  const storage = await createSqliteStorage({ path: path.join(dir, 'micro.db') });
  const { messages: store, queue } = storage;
  const acceptor = new Acceptor({ store, maxPending: 1_000_000 });
  const results: Record<string, number> = {};
  const messages: OutboundMessage[] = Array.from({ length: N }, (_, i) => ({
    ...request,
    to: `91${7_000_000_000 + stamp * 1_000_000 + i}`,
    msgId: `${stamp}|${i}|x`,
    id: newMessageId(),
    accountId: 'bench',
    acceptedAt: Date.now(),
  }));

  // accept: bursts of 300 (what a turn at 1,500 connections brings)
  let start = cpuUs();
  for (let i = 0; i < N; i += 300) await Promise.all(messages.slice(i, i + 300).map((message) => acceptor.accept(message)));
  results['accept (per message, bursts of 300)'] = (cpuUs() - start) / N;
  if (!only.has('accept')) delete results['accept (per message, bursts of 300)'];

  // reserve + submitted + ack, as the dispatcher does
  const half = Math.floor(N / 2);
  const wamids = new Map<string, string>();
  if (only.has('reserve') || only.has('submitted') || only.has('status')) {
    start = cpuUs();
    const jobs = [];
    for (let i = 0; i < half; i++) jobs.push(...(await queue.reserve(SEND_QUEUE, { partitionKey: 'bench', limit: 1, leaseMs: 60_000 })));
    results['reserve (limit 1)'] = (cpuUs() - start) / half;
    start = cpuUs();
    for (let i = half; i < N; i += 50) jobs.push(...(await queue.reserve(SEND_QUEUE, { partitionKey: 'bench', limit: 50, leaseMs: 60_000 })));
    results['reserve (limit 50, per job)'] = (cpuUs() - start) / (N - half);

    start = cpuUs();
    for (let i = 0; i < half; i++) {
      const job = jobs[i]!;
      const wamid = `wamid.${job.ref}`;
      wamids.set(job.ref, wamid);
      await Promise.all([store.recordSubmitted(job.ref, wamid, Date.now()), queue.ack(job)]);
    }
    results['submitted + ack (one per turn)'] = (cpuUs() - start) / half;
    start = cpuUs();
    for (let i = half; i < N; i += 50) {
      await Promise.all(jobs.slice(i, i + 50).flatMap((job) => {
        const wamid = `wamid.${job.ref}`;
        wamids.set(job.ref, wamid);
        return [store.recordSubmitted(job.ref, wamid, Date.now()), queue.ack(job)];
      }));
    }
    results['submitted + ack (50 per turn)'] = (cpuUs() - start) / (N - half);
    if (!only.has('reserve')) { delete results['reserve (limit 1)']; delete results['reserve (limit 50, per job)']; }
    if (!only.has('submitted')) { delete results['submitted + ack (one per turn)']; delete results['submitted + ack (50 per turn)']; }
  }

  if (only.has('status')) {
    const logger = pino({ level: 'silent' });
    const plain = new StatusIngest({ store, logger });
    const owing = new StatusIngest({
      store,
      logger,
      callbacks: new OwedCallbacks({ deliveryReportUrl: () => 'http://127.0.0.1:9/dlr', onOwed: () => {} }),
    });
    const updatesFor = (from: number, to: number, status: StatusUpdate['status']): StatusUpdate[] =>
      messages.slice(from, to).map((message) => ({
        phoneNumberId: PHONE_NUMBER_ID,
        wamid: wamids.get(message.id)!,
        status,
        at: Date.now(),
        recipientId: message.to,
        bizOpaqueCallbackData: message.id,
      }));
    for (const [label, ingest, from, to] of [['status (no DLR URL)', plain, 0, half], ['status (with DLR: outbox + job)', owing, half, N]] as const) {
      start = cpuUs();
      let count = 0;
      for (const status of ['sent', 'delivered', 'read'] as const) {
        for (let i = from; i < to; i += 100) {
          const updates = updatesFor(i, Math.min(i + 100, to), status);
          count += updates.length;
          await Promise.all(updates.map((update) => ingest.apply('bench', update)));
        }
      }
      results[label] = (cpuUs() - start) / count;
    }
  }
  await turn();
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
  return results;
}

const all: Record<string, number[]> = {};
for (let r = 0; r < Number(values.rounds); r++) {
  const result = await round(Math.floor(Date.now() / 1000) % 100_000 + r);
  for (const [key, value] of Object.entries(result)) (all[key] ??= []).push(value);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [key, xs] of Object.entries(all)) {
  process.stdout.write(`${key.padEnd(40)} ${median(xs).toFixed(1).padStart(7)} µs CPU  (rounds: ${xs.map((x) => x.toFixed(1)).join(' / ')})\n`);
}
