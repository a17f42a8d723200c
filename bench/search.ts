/**
 * `npm run bench:search` — the operator's message search over a big store: seeds N messages
 * (default 1,000,000) through the store's own `acceptMessages` in large batches, gives them a
 * campaign's spread of states with one bulk UPDATE (85 % read, 7 % delivered, 4 % sent, 2 % failed,
 * 1 % submitted, 1 % still accepted), then times each kind of search the console makes, a page of
 * 50 newest first, and prints p50/p99 per kind for SQLite and Postgres. Goal: every kind < 200 ms.
 *
 * The data: 30 days of acceptances; 21 accounts (one holds half the messages, one a thousandth);
 * 200 campaigns; 200,000 recipients (5 messages each). Queries pick their parameters at random
 * from what was seeded, so every one finds something.
 *
 * Flags: --messages <n> (1000000)  --runs <n> (40 per kind)  --targets sqlite,postgres
 * Postgres: a throwaway database on POSTGRES_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/test).
 */
import { parseArgs } from 'node:util';
import { newMessageId } from '../src/domain/ids.js';
import type { OutboundMessage } from '../src/domain/message.js';
import type { MessageQuery } from '../src/store/message-search.js';
import type { Storage } from '../src/store/storage.js';
import { withThrowawayPostgres, withThrowawaySqlite } from './lib/throwaway-storage.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '40' },
    targets: { type: 'string', default: 'sqlite,postgres' },
  },
});
const N = Number(values.messages);
const RUNS = Number(values.runs);

const DAY = 24 * 3600_000;
const END = Date.parse('2026-12-08T00:00:00Z');
const START = END - 30 * DAY;
const CAMPAIGNS = 200;
const RECIPIENTS = 200_000;
const BATCH = 5_000;

/** Account of message i: half `big`, a thousandth `tiny`, the rest over 19 others. */
function accountOf(i: number): string {
  if (i % 1000 === 7) return 'tiny';
  if (i % 2 === 0) return 'big';
  return `acct${i % 19}`;
}
const campaignOf = (i: number) => String(1_700_000 + (Math.floor(i / 97) % CAMPAIGNS));
const msgIdOf = (i: number) => `${i}|${campaignOf(i)}|20261208|${i % 4}`;
const recipientOf = (i: number) => String(919_100_000_000 + ((i * 7919) % RECIPIENTS));
const acceptedAtOf = (i: number) => START + Math.floor((i / N) * 30 * DAY);

function messageOf(i: number): OutboundMessage {
  return {
    id: newMessageId(),
    accountId: accountOf(i),
    msgId: msgIdOf(i),
    to: recipientOf(i),
    wabaNumber: '919888888888',
    content: { kind: 'template', name: 'order_update', language: 'en', bodyParams: [`Customer ${i}`, `#${i}`], buttons: [] },
    acceptedAt: acceptedAtOf(i),
  };
}

async function seed(storage: Storage): Promise<void> {
  const startedAt = performance.now();
  for (let from = 0; from < N; from += BATCH) {
    const batch = [];
    for (let i = from; i < Math.min(N, from + BATCH); i++) batch.push({ message: messageOf(i), preflight: 'passed' as const });
    await storage.messages.acceptMessages(batch);
    if ((from / BATCH) % 40 === 0) process.stdout.write(`\r  seeded ${from.toLocaleString('en')} / ${N.toLocaleString('en')}`);
  }
  process.stdout.write(`\r  seeded ${N.toLocaleString('en')} messages in ${((performance.now() - startedAt) / 1000).toFixed(0)} s\n`);
}

/**
 * The states a campaign leaves behind, set in one statement (statuses one by one would take an
 * hour here and measure nothing the search depends on). At random, not by acceptance order, so
 * every state is spread over the whole table.
 */
const STATE_SQL = (bucket: string) => `
  UPDATE messages SET
    state = CASE WHEN b < 85 THEN 'read' WHEN b < 92 THEN 'delivered' WHEN b < 96 THEN 'sent' WHEN b < 98 THEN 'failed' WHEN b < 99 THEN 'submitted' ELSE 'accepted' END,
    failure = CASE WHEN b >= 96 AND b < 98 THEN '{"reason":"invalid_phone","metaCode":131026,"title":"Message undeliverable"}' END,
    failed_at = CASE WHEN b >= 96 AND b < 98 THEN accepted_at + 5000 END,
    read_at = CASE WHEN b < 85 THEN accepted_at + 60000 END
  FROM (SELECT id AS bid, ${bucket} AS b FROM messages) AS buckets WHERE messages.id = buckets.bid`;

interface Kind {
  name: string;
  query(random: () => number): Omit<MessageQuery, 'limit'>;
}

const pick = (random: () => number, n: number) => Math.floor(random() * n);
const KINDS: Kind[] = [
  { name: 'latest (no filter)', query: () => ({}) },
  { name: 'account (half the messages)', query: () => ({ accountId: 'big' }) },
  { name: 'account (a thousandth)', query: () => ({ accountId: 'tiny' }) },
  { name: 'msgId', query: (r) => ({ msgId: msgIdOf(pick(r, N)) }) },
  { name: 'phone', query: (r) => ({ phone: recipientOf(pick(r, N)) }) },
  { name: 'campaign', query: (r) => ({ campaign: campaignOf(pick(r, N)) }) },
  { name: 'state failed (2 %)', query: () => ({ state: 'failed' }) },
  { name: 'state accepted (1 %)', query: () => ({ state: 'accepted' }) },
  { name: 'state delivered (7 %)', query: () => ({ state: 'delivered' }) },
  { name: 'time window (one day)', query: (r) => ({ from: START + pick(r, 29) * DAY, to: START + (pick(r, 29) + 1) * DAY }) },
  { name: 'campaign + state failed', query: (r) => ({ campaign: campaignOf(pick(r, N)), state: 'failed' }) },
  { name: 'account + state submitted', query: () => ({ accountId: 'big', state: 'submitted' }) },
  { name: 'account + time window', query: (r) => ({ accountId: `acct${pick(r, 19)}`, from: START + 10 * DAY, to: START + 11 * DAY }) },
];

/** A seeded generator, so both stores are asked the same questions. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

interface Row {
  kind: string;
  p50: number;
  p99: number;
  max: number;
  found: number;
}

async function measure(storage: Storage): Promise<Row[]> {
  const rows: Row[] = [];
  for (const kind of KINDS) {
    const random = mulberry32(42);
    const times: number[] = [];
    let found = 0;
    // Two warm-up queries (statement preparation, first page-cache touch), then the runs.
    for (let run = -2; run < RUNS; run++) {
      const query = { ...kind.query(random), limit: 50 };
      const startedAt = performance.now();
      const page = await storage.search.search(query);
      // Half the runs ask for the next page too: a cursor costs what a first page does.
      if (run % 2 === 1 && page.nextCursor) await storage.search.search({ ...query, cursor: page.nextCursor });
      const ms = performance.now() - startedAt;
      if (run >= 0) {
        times.push(run % 2 === 1 && page.nextCursor ? ms / 2 : ms);
        found += page.data.length;
      }
    }
    times.sort((a, b) => a - b);
    rows.push({ kind: kind.name, p50: percentile(times, 50), p99: percentile(times, 99), max: times[times.length - 1]!, found: found / RUNS });
  }
  return rows;
}

function print(target: string, rows: Row[]): void {
  console.log(`\n${target}: ${N.toLocaleString('en')} messages, ${RUNS} searches per kind, a page of 50`);
  console.log('| search | p50 ms | p99 ms | max ms | rows per page |');
  console.log('|---|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.kind} | ${row.p50.toFixed(1)} | ${row.p99.toFixed(1)} | ${row.max.toFixed(1)} | ${row.found.toFixed(0)} |`);
  const slow = rows.filter((row) => row.p99 >= 200);
  console.log(slow.length === 0 ? 'goal (every kind p99 < 200 ms): met' : `goal (every kind p99 < 200 ms): MISSED by ${slow.map((row) => row.kind).join(', ')}`);
}

async function benchSqlite(): Promise<Row[]> {
  return withThrowawaySqlite('search', async (storage) => {
    console.log('SQLite:');
    await seed(storage);
    // A hash of the rowid: SQLite would evaluate random() once per mention of the bucket.
    storage.db.exec(STATE_SQL('((rowid * 2654435761) >> 8) % 100'));
    storage.db.exec('ANALYZE');
    return measure(storage);
  });
}

async function benchPostgres(): Promise<Row[]> {
  return withThrowawayPostgres('search', async (storage) => {
    console.log('Postgres:');
    await seed(storage);
    await storage.pool.query(STATE_SQL('floor(random() * 100)::integer'));
    await storage.pool.query('VACUUM ANALYZE messages');
    return measure(storage);
  });
}

const targets = values.targets.split(',');
const results: Record<string, Row[]> = {};
if (targets.includes('sqlite')) results['SQLite'] = await benchSqlite();
if (targets.includes('postgres')) results['Postgres'] = await benchPostgres();
for (const [target, rows] of Object.entries(results)) print(target, rows);
console.log(`BENCH_SUMMARY ${JSON.stringify({ bench: 'search', messages: N, runs: RUNS, results })}`);
