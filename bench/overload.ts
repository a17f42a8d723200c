/**
 * `npm run bench:overload` — both sides of the load shedder (src/http/load-shedder.ts) in one run.
 *
 * (a) **Burst**: 1,500 new connections arrive in the same instant into an idle gateway, one
 *     CleverTap request each (one closed-loop round), repeated for a few rounds with idle gaps.
 *     Goal: zero 429s and every answer within 1 s (CleverTap counts a 429 and a late answer alike as
 *     a failed send). Baseline: the same burst against the bare node:http server (bench/bare-server.ts)
 *     in the same run, alternating, pinned to the same core.
 * (b) **Real overload**: first the gateway's capacity (200 answers per second, 1,500 connections in a
 *     closed loop), then an open loop offering `--factor` × that for `--overload-seconds`, then a
 *     calmer phase to see it recover. Per second: offered, answered 200, 429, p99 of the 200s.
 *     Goal: 429s appear, and the 200 answers stay under 1 s (shed before answers pass 1 s).
 *
 * The gateway runs as `npm start` runs it, pinned to core 0; the Meta simulator (high --mps,
 * --no-pair-limit) and the load generator (bench/lib/overload-load.ts) on core 1. Only 127.0.0.1.
 *
 * Flags: --rounds <n> (3)  --connections <n> (1500)  --gap <s> (3)  --capacity-seconds <s> (6)
 *        --factor <x> (2)  --overload-seconds <s> (8)  --recovery-seconds <s> (4)
 *        --recovery-factor <x> (0.3)  --max-connections <n> (8000)  --prewarm <n> (= max-connections:
 *        all opened before the clock starts, so the overload is requests, not a connection storm)  --mps <n> (1000)
 *        --settle-max <s> (90)  --parts burst,overload  --quick (1 round, 4 s overload)
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { AUTHORIZATION, machineBusyCores, REPO_ROOT, startBareServer, startBenchGateway } from './lib/bench-gateway.js';
import { parseLoadOutput, type BurstResult, type ClosedResult, type LoadSpec, type PacedResult, type PacedSecond } from './lib/overload-load.js';
import { bodyTemplate, makeBodyBuilder, recipientBlockStart } from './lib/payload.js';
import { cpuPinning, installCleanupHandlers, killAllChildren, LOAD_CPU, runToCompletion, waitForCpuQuiet } from './lib/processes.js';
import { formatMs, formatRate, median } from './lib/report.js';

const LOAD_CHILD = fileURLToPath(new URL('./lib/overload-load.ts', import.meta.url));
const TIMEOUT_MS = 10_000;

interface Settings {
  rounds: number;
  connections: number;
  gapSeconds: number;
  capacitySeconds: number;
  factor: number;
  overloadSeconds: number;
  recoverySeconds: number;
  recoveryFactor: number;
  maxConnections: number;
  prewarmConnections: number;
  messagesPerSecond: number;
  settleMaxSeconds: number;
  parts: string[];
}

function parseSettings(argv: string[]): Settings {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string' },
      connections: { type: 'string', default: '1500' },
      gap: { type: 'string', default: '3' },
      'capacity-seconds': { type: 'string', default: '6' },
      factor: { type: 'string', default: '2' },
      'overload-seconds': { type: 'string' },
      'recovery-seconds': { type: 'string', default: '4' },
      'recovery-factor': { type: 'string', default: '0.3' },
      'max-connections': { type: 'string', default: '8000' },
      prewarm: { type: 'string' },
      mps: { type: 'string', default: '1000' },
      'settle-max': { type: 'string', default: '90' },
      parts: { type: 'string', default: 'burst,overload' },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    const header = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]!;
    process.stdout.write(`${header.replace(/^\/?\s?\*+ ?/gm, '')}\n`);
    process.exit(0);
  }
  const number = (name: string, raw: string | undefined, fallback: number, min = 0) => {
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number ≥ ${min}, got ${raw}`);
    return value;
  };
  const parts = values.parts.split(',').map((p) => p.trim());
  for (const part of parts) if (part !== 'burst' && part !== 'overload') throw new Error(`unknown part ${part} (burst, overload)`);
  return {
    rounds: Math.round(number('rounds', values.rounds, values.quick ? 1 : 3, 1)),
    connections: Math.round(number('connections', values.connections, 1500, 1)),
    gapSeconds: number('gap', values.gap, 3),
    capacitySeconds: number('capacity-seconds', values['capacity-seconds'], 6, 1),
    factor: number('factor', values.factor, 2, 0.1),
    overloadSeconds: Math.round(number('overload-seconds', values['overload-seconds'], values.quick ? 4 : 8, 1)),
    recoverySeconds: Math.round(number('recovery-seconds', values['recovery-seconds'], 4)),
    recoveryFactor: number('recovery-factor', values['recovery-factor'], 0.3, 0.01),
    maxConnections: Math.round(number('max-connections', values['max-connections'], 8000, 1)),
    prewarmConnections: Math.round(number('prewarm', values.prewarm, Number(values['max-connections']), 0)),
    messagesPerSecond: Math.round(number('mps', values.mps, 1000, 1)),
    settleMaxSeconds: number('settle-max', values['settle-max'], 90),
    parts,
  };
}

async function runLoadChild<T>(spec: LoadSpec): Promise<T> {
  const argv = [...cpuPinning(LOAD_CPU), process.execPath, '--import', 'tsx', LOAD_CHILD, JSON.stringify(spec)];
  const { exitCode, stdout, stderr } = await runToCompletion(argv, { cwd: REPO_ROOT });
  const result = parseLoadOutput(stdout);
  if (exitCode !== 0 || !result) throw new Error(`load generator failed (exit ${exitCode}):\n${stderr.slice(-4000)}`);
  return result as T;
}

async function sanityCheck(label: string, url: string, body: string): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: AUTHORIZATION },
    body,
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  if (response.status !== 200 || !text.includes('"status":"success"')) throw new Error(`${label} rejected a sample request: HTTP ${response.status} ${text.slice(0, 300)}`);
}

const pad = (cells: string[], widths: number[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [pad(header, widths), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => pad(r, widths))].join('\n');
}
const statusText = (counts: Record<string, number>) => Object.entries(counts).map(([status, n]) => `${status}×${n}`).join(' ') || '–';

interface BurstRound {
  round: number;
  target: 'bare' | 'gateway';
  result: BurstResult;
  otherBusyCores: number;
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const argv = process.argv.slice(2);
  const settings = parseSettings(argv);
  const command = `npm run bench:overload${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  const startedAt = new Date();
  const runDir = join(REPO_ROOT, '.bench', `overload-${startedAt.toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(runDir, { recursive: true });
  const { template, wabaNumber } = bodyTemplate();
  const templatePath = join(runDir, 'body-template.json');
  writeFileSync(templatePath, template);
  const runStamp = Math.floor(startedAt.getTime() / 1000);
  process.stdout.write(`wabridge overload bench — ${command}\nrun directory: ${runDir}\n`);

  const bare = await startBareServer(runDir);
  const bench = await startBenchGateway({ runDir, wabaNumber, messagesPerSecond: settings.messagesPerSecond });
  const pids = [bare.service.pid, bench.gateway.pid, bench.simulator.pid];
  const notes: string[] = [];
  let invocation = 1;
  const target = (port: number, path: string) => ({
    port,
    path,
    authorization: AUTHORIZATION,
    templatePath,
    msgIdPrefix: `${runStamp}|${invocation}`,
    firstRecipient: recipientBlockStart(invocation++),
    timeoutMs: TIMEOUT_MS,
  });
  try {
    const sample = makeBodyBuilder(template, `${runStamp}|sanity`, recipientBlockStart(0));
    await sanityCheck('bare server', `http://127.0.0.1:${bare.port}/`, sample(0));
    await sanityCheck('gateway', `${bench.baseUrl}${bench.messagesPath}`, sample(1));
    const idleLoad = await machineBusyCores(2000);
    notes.push(`machine busy before the run: ${idleLoad.toFixed(2)} of ${availableParallelism()} cores (other sessions' work; the bench's servers were idle)`);
    process.stdout.write(`${notes.at(-1)}\n`);

    const settle = async (label: string) => {
      const quiet = await waitForCpuQuiet(pids, settings.settleMaxSeconds * 1000);
      const note = `${label}: waited ${(quiet.waitedMs / 1000).toFixed(1)} s for the servers to go idle${quiet.quiet ? '' : ' (still busy, measured anyway)'}; other processes used ${quiet.otherBusyCores.toFixed(2)} cores`;
      if (!quiet.quiet || quiet.otherBusyCores > 0.2) notes.push(note);
      process.stdout.write(`  (${note})\n`);
      return quiet.otherBusyCores;
    };

    // (a) bursts, alternating bare server and gateway.
    const bursts: BurstRound[] = [];
    if (settings.parts.includes('burst')) {
      process.stdout.write(`\n(a) burst: ${settings.connections} connections at once, one request each, ${settings.rounds} round(s)\n`);
      for (let round = 1; round <= settings.rounds; round++) {
        for (const which of ['bare', 'gateway'] as const) {
          const otherBusyCores = await settle(`burst round ${round} ${which}`);
          await sleep(settings.gapSeconds * 1000);
          const spec: LoadSpec = { mode: 'burst', connections: settings.connections, ...(which === 'bare' ? target(bare.port, '/') : target(bench.port, bench.messagesPath)) };
          const result = await runLoadChild<BurstResult>(spec);
          bursts.push({ round, target: which, result, otherBusyCores });
          process.stdout.write(
            `[round ${round}/${settings.rounds}] ${which.padEnd(7)} ${statusText(result.byStatus)}  errors ${statusText(result.errors)}  ` +
              `p50 ${formatMs(result.all.p50Ms)} ms  p99 ${formatMs(result.all.p99Ms)} ms  max ${formatMs(result.all.maxMs)} ms  >1 s ${result.all.over1s}  ` +
              `(connect max ${formatMs(result.connect.maxMs)} ms)\n`,
          );
        }
      }
    }

    // (b) capacity, then overload and recovery.
    let capacity: ClosedResult | undefined;
    let overload: PacedResult | undefined;
    let offeredRate = 0;
    let recoveryRate = 0;
    if (settings.parts.includes('overload')) {
      process.stdout.write(`\n(b) capacity: ${settings.connections} connections, closed loop, 2 s warm-up + ${settings.capacitySeconds} s\n`);
      await settle('capacity');
      capacity = await runLoadChild<ClosedResult>({
        mode: 'closed',
        connections: settings.connections,
        warmupMs: 2000,
        durationMs: settings.capacitySeconds * 1000,
        ...target(bench.port, bench.messagesPath),
      });
      process.stdout.write(
        `capacity: ${formatRate(capacity.ok200PerSecond)} × 200/s (answers ${formatRate(capacity.answersPerSecond)}/s), 200 p50 ${formatMs(capacity.ok.p50Ms)} ms p99 ${formatMs(capacity.ok.p99Ms)} ms max ${formatMs(capacity.ok.maxMs)} ms; ` +
          `whole run ${statusText(capacity.byStatus)}, errors ${statusText(capacity.errors)}, 429 per second ${JSON.stringify(capacity.shedBySecond)}\n`,
      );
      offeredRate = Math.round(settings.factor * capacity.ok200PerSecond);
      recoveryRate = Math.round(settings.recoveryFactor * capacity.ok200PerSecond);
      process.stdout.write(`\n(b) overload: ${formatRate(offeredRate)} req/s offered (${settings.factor}× capacity) for ${settings.overloadSeconds} s, then ${formatRate(recoveryRate)} req/s for ${settings.recoverySeconds} s\n`);
      await settle('overload');
      const phases = [{ label: 'overload', rate: offeredRate, seconds: settings.overloadSeconds }];
      if (settings.recoverySeconds > 0) phases.push({ label: 'recovery', rate: recoveryRate, seconds: settings.recoverySeconds });
      overload = await runLoadChild<PacedResult>({
        mode: 'paced',
        phases,
        maxConnections: settings.maxConnections,
        prewarmConnections: settings.prewarmConnections,
        expireAfterMs: 1000,
        ...target(bench.port, bench.messagesPath),
      });
    }

    // Report.
    process.stdout.write(`\n=== overload bench (${startedAt.toISOString()}) ===\n`);
    const goals: { goal: string; met: boolean; detail: string }[] = [];
    let burstSummary: Record<string, unknown> | undefined;
    if (bursts.length) {
      const rows = bursts.map((b) => [
        `${b.round} ${b.target}`,
        statusText(b.result.byStatus),
        statusText(b.result.errors),
        formatMs(b.result.all.p50Ms),
        formatMs(b.result.all.p99Ms),
        formatMs(b.result.all.maxMs),
        String(b.result.all.over1s),
        formatMs(b.result.connect.maxMs),
        b.otherBusyCores.toFixed(2),
      ]);
      process.stdout.write(`\n(a) burst of ${settings.connections} new connections, one request each (times from the burst's first connect)\n`);
      process.stdout.write(`${table(['round target', 'statuses', 'errors', 'p50 ms', 'p99 ms', 'max ms', '>1 s', 'connect max', 'other cores'], rows)}\n`);
      const of = (t: 'bare' | 'gateway') => bursts.filter((b) => b.target === t).map((b) => b.result);
      const gw = of('gateway');
      const base = of('bare');
      const shed = gw.reduce((n, r) => n + (r.byStatus['429'] ?? 0), 0);
      const non200 = gw.reduce((n, r) => n + Object.entries(r.byStatus).filter(([s]) => s !== '200').reduce((m, [, c]) => m + c, 0) + Object.values(r.errors).reduce((m, c) => m + c, 0), 0);
      const maxMs = Math.max(...gw.map((r) => r.all.maxMs));
      const ratio = (pick: (r: BurstResult) => number) => median(gw.map(pick)) / Math.max(0.001, median(base.map(pick)));
      burstSummary = {
        gateway: { p50Ms: median(gw.map((r) => r.all.p50Ms)), p99Ms: median(gw.map((r) => r.all.p99Ms)), maxMs, shed, non200 },
        bare: { p50Ms: median(base.map((r) => r.all.p50Ms)), p99Ms: median(base.map((r) => r.all.p99Ms)), maxMs: Math.max(...base.map((r) => r.all.maxMs)) },
        ratio: { p50: ratio((r) => r.all.p50Ms), p99: ratio((r) => r.all.p99Ms), max: ratio((r) => r.all.maxMs) },
      };
      const r = burstSummary.ratio as { p50: number; p99: number; max: number };
      process.stdout.write(`gateway/bare (medians of rounds): p50 ${r.p50.toFixed(2)}×, p99 ${r.p99.toFixed(2)}×, max ${r.max.toFixed(2)}×\n`);
      goals.push({ goal: 'burst: zero 429s', met: shed === 0, detail: `${shed} × 429 over ${gw.length} round(s) of ${settings.connections}` });
      goals.push({ goal: 'burst: every answer 200 within 1 s', met: non200 === 0 && maxMs < 1000, detail: `${non200} not 200 (errors included), slowest ${formatMs(maxMs)} ms` });
    }
    let overloadSummary: Record<string, unknown> | undefined;
    if (capacity && overload) {
      const rows = overload.seconds.map((s: PacedSecond) => [
        `${s.second + 1} ${s.phase}`,
        formatRate(s.offered),
        formatRate(s.written),
        formatRate(s.ok),
        formatRate(s.shed),
        String(s.other + s.errors),
        formatRate(s.expired),
        formatMs(s.okP50Ms),
        formatMs(s.okP99Ms),
        formatMs(s.okMaxMs),
        String(s.okOver1s),
        formatMs(s.okP99FromDueMs),
        formatMs(s.shedP99Ms),
        formatMs(s.writeLateP99Ms),
        formatMs(s.loopLagMaxMs),
        formatRate(s.connectionsOpen),
      ]);
      process.stdout.write(`\n(b) capacity (closed loop, ${settings.connections} conn): ${formatRate(capacity.ok200PerSecond)} × 200/s; whole run ${statusText(capacity.byStatus)}\n`);
      process.stdout.write(
        '(b) open loop, per second by when each request was due; times from when it went on the wire ("200 p99 due": from when it was due, ' +
          'the generator\'s own delay included); "gave up": waited over 1 s in the generator for a free connection\n',
      );
      process.stdout.write(
        `${table(['second phase', 'offered', 'written', '200', '429', 'other/err', 'gave up', '200 p50', '200 p99', '200 max', '200 >1 s', '200 p99 due', '429 p99', 'gen late p99', 'gen lag max', 'conns'], rows)}\n`,
      );
      const overloadSeconds = overload.seconds.filter((s) => s.phase === 'overload');
      const total = (pick: (s: PacedSecond) => number, list = overloadSeconds) => list.reduce((n, s) => n + pick(s), 0);
      const shed = total((s) => s.shed);
      const ok = total((s) => s.ok);
      const okOver1s = total((s) => s.okOver1s);
      const okOver1sFromDue = total((s) => s.okOver1sFromDue);
      const gaveUp = total((s) => s.expired);
      const worstP99 = Math.max(0, ...overloadSeconds.map((s) => s.okP99Ms));
      const worstMax = Math.max(0, ...overloadSeconds.map((s) => s.okMaxMs));
      const seconds = overloadSeconds.length || 1;
      const recovery = overload.seconds.filter((s) => s.phase === 'recovery');
      overloadSummary = {
        capacity200PerSecond: capacity.ok200PerSecond,
        capacityRun: { byStatus: capacity.byStatus, errors: capacity.errors, shedBySecond: capacity.shedBySecond, ok: capacity.ok },
        offeredRate,
        writtenPerSecond: total((s) => s.written) / seconds,
        ok200PerSecond: ok / seconds,
        shed,
        okOver1s,
        okOver1sFromDue,
        gaveUp,
        worstSecondP99Ms: worstP99,
        worstMaxMs: worstMax,
        otherOrErrors: total((s) => s.other + s.errors),
        neverSent: overload.neverSent,
        maxConnectionsOpen: overload.maxConnectionsOpen,
        recovery: { shed: total((s) => s.shed, recovery), ok: total((s) => s.ok, recovery), okOver1s: total((s) => s.okOver1s, recovery) },
        byStatus: overload.byStatus,
        errors: overload.errors,
      };
      process.stdout.write(
        `offered ${formatRate(offeredRate)}/s = ${(offeredRate / capacity.ok200PerSecond).toFixed(2)}× capacity; the generator wrote ${formatRate(total((s) => s.written) / seconds)}/s ` +
          `(${(total((s) => s.written) / seconds / capacity.ok200PerSecond).toFixed(2)}×); 200s ${formatRate(ok / seconds)}/s = ${(ok / seconds / capacity.ok200PerSecond).toFixed(2)}× capacity; ` +
          `${formatRate(shed)} × 429; never sent (no free connection) ${overload.neverSent}; peak connections ${overload.maxConnectionsOpen}\n`,
      );
      goals.push({ goal: 'overload: 429s appear', met: shed > 0, detail: `${formatRate(shed)} × 429 in ${overloadSeconds.length} s` });
      goals.push({ goal: 'overload: every 200 answered within 1 s', met: okOver1s === 0, detail: `${okOver1s} of ${formatRate(ok)} over 1 s from the wire (${okOver1sFromDue} from when due); worst second's p99 ${formatMs(worstP99)} ms, slowest ${formatMs(worstMax)} ms; ${formatRate(gaveUp)} given up unsent in the generator` });
    }
    const mark = (met: boolean) => (met ? ' met ' : 'MISSED');
    process.stdout.write(`\ngoals:\n${goals.map((g) => `  [${mark(g.met)}] ${g.goal}: ${g.detail}`).join('\n')}\n`);
    if (notes.length) process.stdout.write(`notes:\n${notes.map((n) => `  ${n}`).join('\n')}\n`);
    const summary = {
      bench: 'overload',
      date: startedAt.toISOString(),
      command,
      settings,
      machine: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), pinned: cpuPinning(LOAD_CPU).length > 0 },
      burst: burstSummary,
      overload: overloadSummary,
      goals,
      notes,
    };
    writeFileSync(join(runDir, 'summary.json'), `${JSON.stringify({ ...summary, bursts, perSecond: overload?.seconds }, null, 2)}\n`);
    process.stdout.write(`\nBENCH_SUMMARY ${JSON.stringify(summary)}\n`);
  } finally {
    await Promise.all([bare.service.stop(), bench.stop()]);
    // The run's store holds every message of every round: hundreds of MB nobody reads afterwards.
    for (const file of readdirSync(runDir)) if (file.startsWith('wabridge.db')) rmSync(join(runDir, file), { force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`\nbench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  killAllChildren('SIGKILL');
  process.exit(1);
});
