/**
 * `npx tsx bench/dashboard.ts` — the console's dashboard over a big store: seeds N messages
 * (default 100,000) over the last hour through the store's own `acceptMessages`, gives them a
 * campaign's spread of states and times with one bulk UPDATE (85 % read, 7 % delivered, 4 % sent,
 * 2 % failed over three Meta codes, 1 % submitted, 1 % accepted), owes three delivery reports per
 * sent message (two campaigns of 20 carry tracked links, and 30 % of their messages are clicked),
 * records a reply to 5 %, then times what one dashboard poll asks the store (overview: funnel and
 * series; failures; campaigns) for all accounts, one account and one campaign.
 * Goal: a whole poll < 200 ms on SQLite. Also timed without the campaign list, which the route
 * keeps for 15 s (compose/dashboard.ts), as most polls are.
 *
 * Flags: --messages <n> (100000)  --runs <n> (20)  --targets sqlite,postgres
 * Postgres: a throwaway database on POSTGRES_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/test).
 */
import { parseArgs } from 'node:util';
import { newMessageId } from '../src/domain/ids.js';
import type { OutboundMessage } from '../src/domain/message.js';
import type { StatsQuery } from '../src/store/message-stats.js';
import type { Storage } from '../src/store/storage.js';
import { withThrowawayPostgres, withThrowawaySqlite } from './lib/throwaway-storage.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '20' },
    targets: { type: 'string', default: 'sqlite,postgres' },
  },
});
const N = Number(values.messages);
const RUNS = Number(values.runs);

const HOUR = 3600_000;
const END = Date.now();
const START = END - HOUR;
const CAMPAIGNS = 20;
const BATCH = 5_000;
const DLR_URL = 'https://ct.example/dlr';

const accountOf = (i: number) => (i % 4 === 0 ? 'small' : 'big');
const campaignOf = (i: number) => String(1_700_000 + (Math.floor(i / 500) % CAMPAIGNS));
const msgIdOf = (i: number) => `${i}|${campaignOf(i)}|20261208|${i % 4}`;

function messageOf(i: number): OutboundMessage {
  return {
    id: newMessageId(),
    accountId: accountOf(i),
    msgId: msgIdOf(i),
    to: String(919_100_000_000 + i),
    wabaNumber: '919888888888',
    content: { kind: 'template', name: 'order_update', language: 'en', bodyParams: [`Customer ${i}`], buttons: [] },
    acceptedAt: START + Math.floor((i / N) * HOUR),
  };
}

async function seed(storage: Storage): Promise<void> {
  const startedAt = performance.now();
  for (let from = 0; from < N; from += BATCH) {
    const batch = [];
    for (let i = from; i < Math.min(N, from + BATCH); i++) batch.push({ message: messageOf(i), preflight: 'passed' as const });
    await storage.messages.acceptMessages(batch);
  }
  console.log(`  seeded ${N.toLocaleString('en')} messages in ${((performance.now() - startedAt) / 1000).toFixed(0)} s`);
}

/** States, times and failures a campaign leaves behind, in one statement (`b`: a bucket 0..99 per message). */
const STATE_SQL = (bucket: string) => `
  UPDATE messages SET
    state = CASE WHEN b < 85 THEN 'read' WHEN b < 92 THEN 'delivered' WHEN b < 96 THEN 'sent' WHEN b < 98 THEN 'failed' WHEN b < 99 THEN 'submitted' ELSE 'accepted' END,
    failure = CASE WHEN b = 96 THEN '{"reason":"invalid_phone","metaCode":131026,"title":"Message undeliverable"}'
                   WHEN b = 97 AND accepted_at % 2 = 0 THEN '{"reason":"rate_limited","metaCode":131048,"title":"Spam rate limit hit"}'
                   WHEN b = 97 THEN '{"reason":"outside_window","metaCode":131047,"title":"Re-engagement message"}' END,
    submitted_at = CASE WHEN b < 99 THEN accepted_at + 200 END,
    submit_latency_ms = CASE WHEN b < 99 THEN 80 + b * 3 END,
    sent_at = CASE WHEN b < 96 THEN accepted_at + 1500 END,
    delivered_at = CASE WHEN b < 92 THEN accepted_at + 3000 END,
    read_at = CASE WHEN b < 85 THEN accepted_at + 60000 END,
    failed_at = CASE WHEN b >= 96 AND b < 98 THEN accepted_at + 5000 END
  FROM (SELECT id AS bid, ${bucket} AS b FROM messages) AS buckets WHERE messages.id = buckets.bid`;

/** Campaigns whose template has a tracked button: each of their messages carries a click link. */
const TRACKED = `('${campaignOf(0)}', '${campaignOf(500)}')`;
const LINKS_SQL = `
  INSERT INTO click_links (code, account_id, message_id, msg_id, url, created_at)
  SELECT 'c' || id, account_id, id, msg_id, 'https://shop.example/order', accepted_at FROM messages WHERE campaign IN ${TRACKED}`;
/** Three delivery reports per sent message (a click for 30 % of those with a link), delivered a few ms to seconds later; a reply for 5 %. */
const CALLBACKS_SQL = (bucket: string) => `
  INSERT INTO callbacks (account_id, kind, url, msg_id, payload, created_at, delivered_at, message_ref)
  SELECT account_id, 'dlr', '${DLR_URL}', msg_id,
         '{"msgId":"' || msg_id || '","status":"' || (CASE WHEN s = 2 AND b < 30 AND campaign IN ${TRACKED} THEN 'clicked' ELSE 'read' END) || '"}',
         accepted_at + 1500 + s * 1000, accepted_at + 1520 + s * 1000 + (b * 37) % 3000, id
    FROM (SELECT *, ${bucket} AS b FROM messages WHERE sent_at IS NOT NULL) AS m, (SELECT 0 AS s UNION ALL SELECT 1 UNION ALL SELECT 2) AS steps`;
const REPLIES_SQL = (bucket: string) => `
  INSERT INTO inbound_messages (wamid, account_id, sender, context_msg_id, received_at, kind, text)
  SELECT 'wamid.in.' || id, account_id, recipient, msg_id, accepted_at + 120000, 'text', 'thanks'
    FROM (SELECT *, ${bucket} AS b FROM messages WHERE read_at IS NOT NULL) AS m WHERE b < 5`;

interface Row {
  view: string;
  p50: number;
  p99: number;
  max: number;
  /** p50 of a poll whose campaign list is served from the route's 15 s cache (compose/dashboard.ts). */
  cachedP50: number;
}

const VIEWS: Array<{ name: string; query: StatsQuery }> = [
  { name: 'all accounts', query: {} },
  { name: 'one account (3/4 of the messages)', query: { accountId: 'big' } },
  { name: 'one campaign', query: { accountId: 'big', campaign: campaignOf(1) } },
];

/** One dashboard poll, as the admin route asks it: the three questions, over the last hour in 10 s buckets. */
async function poll(storage: Storage, query: StatsQuery, withCampaigns = true): Promise<void> {
  const range = { ...query, from: START, to: END };
  await Promise.all([
    storage.stats.overview({ ...range, bucketMs: 10_000 }),
    storage.stats.failures(range),
    withCampaigns ? storage.stats.campaigns({ ...(query.accountId ? { accountId: query.accountId } : {}), from: START, to: END, limit: 20 }) : undefined,
  ]);
}

async function measure(storage: Storage): Promise<Row[]> {
  const rows: Row[] = [];
  const { funnel } = await storage.stats.overview({ from: START, to: END, bucketMs: 10_000 });
  console.log(`  funnel: ${JSON.stringify(funnel)}`);
  for (const view of VIEWS) {
    await poll(storage, view.query);
    const timed = async (withCampaigns: boolean) => {
      const times: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const startedAt = performance.now();
        await poll(storage, view.query, withCampaigns);
        times.push(performance.now() - startedAt);
      }
      return times.sort((a, b) => a - b);
    };
    const times = await timed(true);
    const cached = await timed(false);
    const at = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    rows.push({ view: view.name, p50: at(times, 0.5), p99: at(times, 0.99), max: times[times.length - 1]!, cachedP50: at(cached, 0.5) });
  }
  return rows;
}

function print(target: string, rows: Row[]): void {
  console.log(`\n${target}: ${N.toLocaleString('en')} messages, ${RUNS} polls per view (overview in 360 buckets, failures, campaigns)`);
  console.log('| view | p50 ms | p99 ms | max ms | p50 ms, campaigns cached |');
  console.log('|---|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.view} | ${row.p50.toFixed(1)} | ${row.p99.toFixed(1)} | ${row.max.toFixed(1)} | ${row.cachedP50.toFixed(1)} |`);
}

async function benchSqlite(): Promise<Row[]> {
  return withThrowawaySqlite('dashboard', async (storage) => {
    console.log('SQLite:');
    await seed(storage);
    const bucket = '((rowid * 2654435761) >> 8) % 100';
    storage.db.exec(STATE_SQL(bucket));
    storage.db.exec(LINKS_SQL);
    storage.db.exec(CALLBACKS_SQL(bucket));
    storage.db.exec(REPLIES_SQL(bucket));
    storage.db.exec('ANALYZE');
    return measure(storage);
  });
}

async function benchPostgres(): Promise<Row[]> {
  return withThrowawayPostgres('dashboard', async (storage) => {
    console.log('Postgres:');
    await seed(storage);
    const bucket = "(('x' || substr(md5(id), 1, 8))::bit(32)::bigint % 100)";
    await storage.pool.query(STATE_SQL(bucket));
    await storage.pool.query(LINKS_SQL);
    await storage.pool.query(CALLBACKS_SQL(bucket));
    await storage.pool.query(REPLIES_SQL(bucket));
    await storage.pool.query('VACUUM ANALYZE');
    return measure(storage);
  });
}

const targets = values.targets.split(',');
const results: Record<string, Row[]> = {};
if (targets.includes('sqlite')) results['SQLite'] = await benchSqlite();
if (targets.includes('postgres')) results['Postgres'] = await benchPostgres();
for (const [target, rows] of Object.entries(results)) print(target, rows);
console.log(`BENCH_SUMMARY ${JSON.stringify({ bench: 'dashboard', messages: N, runs: RUNS, results })}`);
