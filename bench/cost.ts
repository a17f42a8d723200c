/**
 * `npm run bench:cost` — what one message costs the shared infrastructure on Postgres + BullMQ, for
 * the full cycle (accepted → sent to Graph → sent/delivered/read webhooks → three callbacks to
 * CleverTap): Postgres transactions, statements, rows written and table bytes; Redis commands and
 * memory per queued job; HTTP requests each way. The figures behind docs/scaling.md.
 *
 * One gateway (`start --workers 1`) on a throwaway database and a Redis server of its own (so
 * INFO commandstats counts nothing else). Phases:
 *   idle    — 10 s with nothing to do: the background rate (leases, polling), subtracted below;
 *   queued  — messages to a number held at 1 msg/s, so their jobs wait in Redis: bytes per job;
 *   cycle   — messages to a number at 1,000 msg/s, until every one is reported read to CleverTap.
 * Statements are counted inside the gateway (bench/lib/scale-pg-counter.ts) because
 * pg_stat_statements needs shared_preload_libraries; the bench says whether it could use it.
 *
 * Flags: --messages <n> (5000)  --queued <n> (2000)  --concurrency <n> (100)  --quick (1000 / 500)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Pool } from 'undici';
import { startOwnRedis } from '../test/support/redis-server.js';
import { AUTHORIZATION, REPO_ROOT } from './lib/bench-gateway.js';
import { bodyTemplate } from './lib/payload.js';
import { installCleanupHandlers, killAllChildren, waitForCpuQuiet } from './lib/processes.js';
import { delta, perMessage, snapshot, type Delta } from './lib/scale-cost-meters.js';
import { benchNumbers, startTarget } from './lib/scale-targets.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string' },
    queued: { type: 'string' },
    concurrency: { type: 'string', default: '100' },
    quick: { type: 'boolean', default: false },
  },
});
const MESSAGES = Number(values.messages ?? (values.quick ? 1000 : 5000));
const QUEUED = Number(values.queued ?? (values.quick ? 500 : 2000));
const CONCURRENCY = Number(values.concurrency);

async function send(baseUrl: string, account: string, wabaNumber: string, campaign: string, count: number): Promise<number> {
  const { template } = bodyTemplate();
  const body = JSON.parse(template) as Record<string, unknown>;
  const pool = new Pool(baseUrl, { connections: CONCURRENCY });
  let next = 0;
  let ok = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const response = await pool.request({
        path: `/v1/clevertap/${account}/messages`,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: AUTHORIZATION },
        body: JSON.stringify({ ...body, wabaNumber, to: `91${7_100_000_000 + Number(campaign) * 100_000 + i}`, msgId: `cost|${campaign}|${i}` }),
      });
      const text = await response.body.text();
      if (response.statusCode === 200 && text.includes('"status":"success"')) ok++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await pool.close();
  return ok;
}

async function until(what: string, check: () => Promise<boolean>, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${maxMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function getJson<T>(url: string): Promise<T> {
  return (await (await fetch(url, { signal: AbortSignal.timeout(5_000) })).json()) as T;
}

async function pgStatStatementsNote(db: pg.Client): Promise<string> {
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await db.query('SELECT 1 FROM pg_stat_statements LIMIT 1');
    return 'pg_stat_statements is loaded (its figures would match the counted statements)';
  } catch (error) {
    return `pg_stat_statements not usable here (${(error as Error).message}); statements counted in the gateway instead`;
  }
}

const fmt = (n: number, digits = 2) => n.toFixed(digits);

function renderPhase(title: string, d: Delta, idle: Delta, messages: number): string[] {
  const lines = [`${title}: ${messages} messages in ${fmt(d.seconds, 1)} s`];
  const idleRate = (n: number) => n / idle.seconds;
  lines.push(`  Postgres transactions/msg   ${fmt(perMessage(d.commits, idleRate(idle.commits), d.seconds, messages))}`);
  lines.push(`  Postgres statements/msg     ${fmt(perMessage(d.statementTotal, idleRate(idle.statementTotal), d.seconds, messages))}  (BEGIN/COMMIT included)`);
  for (const [label, calls] of Object.entries(d.statements).sort((a, b) => b[1] - a[1]).slice(0, 12)) {
    lines.push(`      ${fmt(calls / messages).padStart(6)}  ${label}`);
  }
  lines.push(`  rows/msg inserted ${fmt(d.rows.inserted / messages)}, updated ${fmt(d.rows.updated / messages)} (HOT ${fmt(d.rows.hotUpdated / messages)}), deleted ${fmt(d.rows.deleted / messages)}`);
  for (const [name, t] of Object.entries(d.tables).filter(([, t]) => t.inserted + t.updated + t.deleted + t.bytes !== 0)) {
    lines.push(`      ${name.padEnd(24)} ins ${fmt(t.inserted / messages)}  upd ${fmt(t.updated / messages)}  del ${fmt(t.deleted / messages)}  size ${fmt((t.bytes / messages) * 1000 / 1024, 0)} KiB per 1,000 msgs`);
  }
  lines.push(`  WAL bytes/msg               ${fmt(d.walBytes / messages, 0)}  (server-wide: other databases' writes included while this ran)`);
  lines.push(`  Redis commands/msg          ${fmt(perMessage(d.redisTotal, idleRate(idle.redisTotal), d.seconds, messages))}`);
  for (const [name, calls] of Object.entries(d.redisCommands).sort((a, b) => b[1] - a[1]).slice(0, 10)) lines.push(`      ${fmt(calls / messages).padStart(6)}  ${name}`);
  lines.push(`  Redis used_memory change    ${fmt(d.redisMemory / messages, 0)} bytes/msg`);
  const cpu = (busy: number, idleBusy: number) => `${fmt(perMessage(busy, idleBusy / idle.seconds, d.seconds, messages) * 1e6, 0)} µs`;
  lines.push(`  CPU per message: gateway ${cpu(d.cpu.gateway, idle.cpu.gateway)}, Postgres backends ${cpu(d.cpu.postgres, idle.cpu.postgres)}, Redis ${cpu(d.cpu.redis, idle.cpu.redis)} (idle rates subtracted)`);
  return lines;
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const started = new Date();
  const runDir = join(REPO_ROOT, '.bench', `cost-${started.toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(runDir, { recursive: true });
  const quiet = await waitForCpuQuiet([], 1_000);
  const disturbed = quiet.otherBusyCores > 0.2 ? `other processes used ${quiet.otherBusyCores.toFixed(1)} cores when the bench started (counts are unaffected; durations are)` : undefined;
  const ownRedis = await startOwnRedis();
  const numbers = benchNumbers(2);
  const countsFile = join(runDir, 'pg-counts.json');
  const target = await startTarget({ kind: 'postgres', label: 'cost', workers: 1, replicas: 1 }, {
    runDir,
    numbers,
    messagesPerSecond: 1000,
    messagesPerSecondOf: (index) => (index === 1 ? 1 : undefined),
    redisUrl: ownRedis.url,
    nodeFlags: ['--import', join(REPO_ROOT, 'bench/lib/scale-pg-counter.ts')],
    env: { WABRIDGE_PG_COUNTS: countsFile },
  });
  const db = new pg.Client({ connectionString: target.databaseUrl });
  await db.connect();
  const redis = new Redis(ownRedis.url);
  try {
    const pgssNote = await pgStatStatementsNote(db);
    const baseUrl = target.baseUrls[0]!;
    // The simulators are the first pid; the gateway and its workers the rest.
    const gatewayPids = () => target.pids().slice(1);
    const outboxEmpty = async () => Number((await db.query('SELECT count(*) AS n FROM job_outbox')).rows[0].n) === 0;

    process.stdout.write('idle 10 s…\n');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const idleFrom = await snapshot(db, redis, countsFile, gatewayPids());
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const idle = delta(idleFrom, await snapshot(db, redis, countsFile, gatewayPids()));

    process.stdout.write(`queued: ${QUEUED} messages to a number held at 1 msg/s…\n`);
    const queuedFrom = await snapshot(db, redis, countsFile, gatewayPids());
    const queuedOk = await send(baseUrl, numbers[1]!.account, numbers[1]!.wabaNumber, '1', QUEUED);
    await until('the relay to empty the job outbox', outboxEmpty, 60_000);
    const queued = delta(queuedFrom, await snapshot(db, redis, countsFile, gatewayPids()));

    process.stdout.write(`cycle: ${MESSAGES} messages to a number at 1,000 msg/s, until each is reported read…\n`);
    const cycleFrom = await snapshot(db, redis, countsFile, gatewayPids());
    const metaBefore = await getJson<{ accepted: number; webhooks: { ok: number } }>(`${target.sims.metaUrl}/_sim/stats`);
    const dlrBefore = (await getJson<{ count: number }>(`${target.sims.clevertapUrl}/_sim/dlr?limit=1`)).count;
    const cycleOk = await send(baseUrl, numbers[0]!.account, numbers[0]!.wabaNumber, '2', MESSAGES);
    await until('every message reported read', async () => (await getJson<{ read: number }>(`${target.sims.clevertapUrl}/_sim/funnel/2`)).read >= cycleOk, 600_000);
    await until('the job outbox to empty', outboxEmpty, 60_000);
    await waitForCpuQuiet(target.pids(), 30_000);
    const cycle = delta(cycleFrom, await snapshot(db, redis, countsFile, gatewayPids()));
    const metaAfter = await getJson<{ accepted: number; webhooks: { ok: number } }>(`${target.sims.metaUrl}/_sim/stats`);
    const dlrAfter = (await getJson<{ count: number }>(`${target.sims.clevertapUrl}/_sim/dlr?limit=1`)).count;
    const heldSends = Math.round(cycle.seconds); // the held number sends 1 msg/s meanwhile

    const lines = [
      `wabridge cost bench — npm run bench:cost${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      `run directory: ${runDir}`,
      pgssNote,
      ...(disturbed ? [`note: ${disturbed}`] : []),
      '',
      `idle background: ${fmt(idle.commits / idle.seconds, 1)} transactions/s, ${fmt(idle.statementTotal / idle.seconds, 1)} statements/s, ${fmt(idle.redisTotal / idle.seconds, 1)} Redis commands/s`,
      '',
      `queued jobs: ${queuedOk} accepted; Redis used_memory +${fmt(queued.redisMemory / queuedOk, 0)} bytes per job waiting in Redis; ` +
        `Postgres ${fmt(perMessage(queued.commits, idle.commits / idle.seconds, queued.seconds, queuedOk))} transactions, ${fmt(perMessage(queued.statementTotal, idle.statementTotal / idle.seconds, queued.seconds, queuedOk))} statements, ` +
        `${fmt(perMessage(queued.redisTotal, idle.redisTotal / idle.seconds, queued.seconds, queuedOk))} Redis commands per accepted message (accept + relay)`,
      '',
      ...renderPhase('full cycle', cycle, idle, cycleOk),
      `  HTTP per message: ${fmt((metaAfter.accepted - metaBefore.accepted) / (cycleOk + heldSends))} Graph sends, ${fmt((metaAfter.webhooks.ok - metaBefore.webhooks.ok) / cycleOk, 3)} Meta webhook POSTs (batched statuses), ${fmt((dlrAfter - dlrBefore) / cycleOk, 3)} CleverTap callback POSTs`,
      `  (the held number sent about ${heldSends} messages meanwhile: ${fmt((100 * heldSends) / cycleOk, 1)} % on top of the figures above)`,
    ];
    process.stdout.write(`\n${lines.join('\n')}\n`);
    const summary = { bench: 'cost', date: started.toISOString(), messages: cycleOk, queued: queuedOk, pgStatStatements: pgssNote, disturbed, idle, queuedDelta: queued, cycle };
    writeFileSync(join(runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    process.stdout.write(`\nBENCH_SUMMARY ${JSON.stringify({ bench: 'cost', date: summary.date, messages: cycleOk, queued: queuedOk })}\n`);
  } finally {
    await db.end();
    redis.disconnect();
    await target.stop();
    await ownRedis.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`\nbench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  killAllChildren('SIGKILL');
  process.exit(1);
});
