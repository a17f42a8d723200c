/**
 * `npm run bench:soak` — does the gateway's memory stay flat under steady, partly hostile load?
 *
 * `--rate` requests per second (1,000) for `--minutes` (10) against a gateway process, one request
 * in ten garbage (bench/lib/garbage.ts: invalid JSON, wrong credentials, bad numbers, oversized and
 * deeply nested bodies, unknown accounts, random paths), the rest valid CleverTap sends that the
 * gateway stores and dispatches to the Meta simulator (its own process, high --mps,
 * --no-pair-limit, so sends drain and the status webhooks come back as in production).
 *
 * Every `--sample` seconds (10) it reads the gateway's resident set size (VmRSS in
 * /proc/<pid>/status) and prints the curve as a table and a sparkline, with start, end and max.
 * Flat means: after `--warmup` seconds (60), the max of the last half of the samples is within
 * `--tolerance` (15 %) of the max of the first half. Also checked: no 5xx, every valid send accepted
 * reached the simulator once the load stopped (waits ≤ `--drain-max` seconds, 120).
 *
 * Flags: --minutes <n> (10)  --rate <req/s> (1000)  --garbage-every <n> (10)  --sample <s> (10)
 *        --warmup <s> (60)  --tolerance <fraction> (0.15)  --mps <n> (1000)  --connections <n> (1500, CleverTap's most in flight)
 *        --drain-max <s> (120)  --keep-store (keep the run's SQLite files; deleted by default, ~1 GB for 10 minutes)
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { ACCOUNT_ID, AUTHORIZATION, machineBusyCores, processCpuSeconds, REPO_ROOT, residentBytes, simulatorAccepted, startBenchGateway } from './lib/bench-gateway.js';
import { bodyTemplate, makeBodyBuilder, recipientBlockStart } from './lib/payload.js';
import { cpuPinning, installCleanupHandlers, killAllChildren, LOAD_CPU, startService, type Service } from './lib/processes.js';
import type { SoakCounts, SoakResult, SoakSpec } from './lib/soak-load.js';

const SOAK_CHILD = fileURLToPath(new URL('./lib/soak-load.ts', import.meta.url));
/** The gateway's default `server.bodyLimitBytes`; the oversized garbage is 32 KB over it. */
const BODY_LIMIT_BYTES = 256 * 1024;
const SPARK = '▁▂▃▄▅▆▇█';

interface Sample {
  seconds: number;
  rssBytes: number;
  simulatorRssBytes: number | undefined;
  gatewayCores: number;
  machineCores: number;
  sent: number;
  validSuccess: number;
  simulatorAccepted: number | undefined;
  fiveHundreds: number;
}

export function sparkline(values: number[]): string {
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  return values.map((v) => SPARK[Math.min(SPARK.length - 1, Math.floor(((v - min) / span) * SPARK.length))]).join('');
}

export interface Flatness {
  flat: boolean;
  firstHalfMaxBytes: number;
  lastHalfMaxBytes: number;
  growth: number;
  samplesConsidered: number;
}

/** After warm-up, the last half's max against the first half's max. */
export function flatness(samples: { seconds: number; rssBytes: number }[], warmupSeconds: number, tolerance: number): Flatness | undefined {
  const considered = samples.filter((s) => s.seconds >= warmupSeconds);
  if (considered.length < 4) return undefined;
  const middle = Math.floor(considered.length / 2);
  const firstHalfMaxBytes = Math.max(...considered.slice(0, middle).map((s) => s.rssBytes));
  const lastHalfMaxBytes = Math.max(...considered.slice(middle).map((s) => s.rssBytes));
  const growth = lastHalfMaxBytes / firstHalfMaxBytes - 1;
  return { flat: growth <= tolerance, firstHalfMaxBytes, lastHalfMaxBytes, growth, samplesConsidered: considered.length };
}

const mb = (bytes: number | undefined) => (bytes === undefined ? '–' : `${(bytes / 1024 / 1024).toFixed(0)} MB`);
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

async function main(): Promise<void> {
  installCleanupHandlers();
  const argv = process.argv.slice(2);
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string', default: '10' },
      rate: { type: 'string', default: '1000' },
      'garbage-every': { type: 'string', default: '10' },
      sample: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '60' },
      tolerance: { type: 'string', default: '0.15' },
      mps: { type: 'string', default: '1000' },
      connections: { type: 'string', default: '1500' },
      'drain-max': { type: 'string', default: '120' },
      'keep-store': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    const header = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]!;
    process.stdout.write(`${header.replace(/^\/?\s?\*+ ?/gm, '')}\n`);
    return;
  }
  const positive = (name: string, raw: string) => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got ${raw}`);
    return value;
  };
  const minutes = positive('minutes', values.minutes);
  const rate = positive('rate', values.rate);
  const garbageEvery = Math.round(positive('garbage-every', values['garbage-every']));
  const sampleSeconds = positive('sample', values.sample);
  const warmupSeconds = Number(values.warmup);
  const tolerance = positive('tolerance', values.tolerance);
  const messagesPerSecond = Math.round(positive('mps', values.mps));
  const connections = Math.round(positive('connections', values.connections));
  const drainMaxSeconds = positive('drain-max', values['drain-max']);
  const command = `npm run bench:soak${argv.length ? ` -- ${argv.join(' ')}` : ''}`;

  const startedAt = new Date();
  const runDir = join(REPO_ROOT, '.bench', `soak-${startedAt.toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(runDir, { recursive: true });
  const { template, wabaNumber } = bodyTemplate();
  const templatePath = join(runDir, 'body-template.json');
  writeFileSync(templatePath, template);
  const runStamp = Math.floor(startedAt.getTime() / 1000);
  process.stdout.write(`wabridge soak — ${command}\nrun directory: ${runDir}\n`);

  const bench = await startBenchGateway({ runDir, wabaNumber, messagesPerSecond });
  let load: Service | undefined;
  try {
    const sample = makeBodyBuilder(template, `${runStamp}|sanity`, recipientBlockStart(0))(0);
    const check = await fetch(`${bench.baseUrl}${bench.messagesPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: AUTHORIZATION },
      body: sample,
      signal: AbortSignal.timeout(5_000),
    });
    const checkText = await check.text();
    if (check.status !== 200 || !checkText.includes('"status":"success"')) throw new Error(`the gateway rejected a sample request: HTTP ${check.status} ${checkText.slice(0, 300)}`);
    const busyBefore = await machineBusyCores(2000);
    process.stdout.write(`machine busy before the load: ${busyBefore.toFixed(2)} of ${availableParallelism()} cores; gateway RSS ${mb(residentBytes(bench.gateway.pid))}\n`);

    const spec: SoakSpec = {
      baseUrl: bench.baseUrl,
      accountId: ACCOUNT_ID,
      authorization: AUTHORIZATION,
      templatePath,
      msgIdPrefix: `${runStamp}|soak`,
      firstRecipient: recipientBlockStart(1),
      rate,
      seconds: Math.round(minutes * 60),
      garbageEvery,
      bodyLimitBytes: BODY_LIMIT_BYTES,
      connections,
      timeoutMs: 10_000,
      seed: runStamp,
    };
    load = startService({
      name: 'soak-load',
      argv: [...cpuPinning(LOAD_CPU), process.execPath, '--import', 'tsx', SOAK_CHILD, JSON.stringify(spec)],
      cwd: REPO_ROOT,
      logFile: join(runDir, 'soak-load.log'),
    });
    let latest: SoakCounts = { elapsedSeconds: 0, sent: 0, answered: 0, byKind: {}, validSuccess: 0, acceptedAll: 0, fiveHundreds: 0, inFlight: 0 };
    let result: SoakResult | undefined;
    let pendingText = '';
    load.child.stdout!.on('data', (chunk: Buffer) => {
      pendingText += chunk.toString();
      const lines = pendingText.split('\n');
      pendingText = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('SOAK_TICK ')) latest = JSON.parse(line.slice(10)) as SoakCounts;
        else if (line.startsWith('SOAK_JSON ')) result = JSON.parse(line.slice(10)) as SoakResult;
      }
    });
    const loadExited = new Promise<void>((resolveExit) => load!.child.once('exit', () => resolveExit()));
    let exited = false;
    void loadExited.then(() => (exited = true));

    const samples: Sample[] = [];
    const t0 = performance.now();
    let cpuBefore = processCpuSeconds(bench.gateway.pid) ?? 0;
    let machineBefore = machineTicks();
    let lastSampleAt = t0;
    const take = async () => {
      const now = performance.now();
      const cpu = processCpuSeconds(bench.gateway.pid) ?? cpuBefore;
      const machine = machineTicks();
      const wall = (now - lastSampleAt) / 1000 || 1;
      const entry: Sample = {
        seconds: Math.round((now - t0) / 1000),
        rssBytes: residentBytes(bench.gateway.pid) ?? 0,
        simulatorRssBytes: residentBytes(bench.simulator.pid),
        gatewayCores: (cpu - cpuBefore) / wall,
        machineCores: (machine - machineBefore) / wall,
        sent: latest.sent,
        validSuccess: latest.acceptedAll,
        simulatorAccepted: await simulatorAccepted(bench.simulatorUrl),
        fiveHundreds: latest.fiveHundreds,
      };
      cpuBefore = cpu;
      machineBefore = machine;
      lastSampleAt = now;
      samples.push(entry);
      process.stdout.write(
        `  ${String(entry.seconds).padStart(4)} s  gateway RSS ${mb(entry.rssBytes).padStart(7)}  cores ${entry.gatewayCores.toFixed(2)}  machine ${entry.machineCores.toFixed(2)}  ` +
          `sent ${integer.format(entry.sent)}  accepted ${integer.format(entry.validSuccess)}  at simulator ${entry.simulatorAccepted === undefined ? '–' : integer.format(entry.simulatorAccepted)}  5xx ${entry.fiveHundreds}\n`,
      );
    };
    await take();
    const deadline = t0 + (minutes * 60 + 30) * 1000;
    while (!exited && performance.now() < deadline) {
      const next = t0 + (samples.length * sampleSeconds) * 1000;
      await Promise.race([sleep(Math.max(0, next - performance.now())), loadExited]);
      if (exited) break;
      if (bench.gateway.child.exitCode !== null || bench.gateway.child.signalCode !== null) throw new Error(`the gateway died during the soak:\n${bench.gateway.stderrTail()}`);
      await take();
    }
    await Promise.race([loadExited, sleep(30_000)]);
    if (!result) throw new Error(`the load generator gave no result:\n${load.stderrTail()}`);
    await take();

    // Sends drain: everything accepted must reach the simulator.
    // The sanity check's message counts too.
    const accepted = result.acceptedAll + 1;
    process.stdout.write(`load done; waiting (≤ ${drainMaxSeconds} s) for the simulator to receive all ${integer.format(accepted)} accepted sends…\n`);
    const drainStart = performance.now();
    let atSimulator = (await simulatorAccepted(bench.simulatorUrl)) ?? 0;
    while (atSimulator < accepted && performance.now() - drainStart < drainMaxSeconds * 1000) {
      await sleep(2_000);
      atSimulator = (await simulatorAccepted(bench.simulatorUrl)) ?? atSimulator;
    }
    const drainSeconds = (performance.now() - drainStart) / 1000;
    await take();

    // Report.
    const rss = samples.map((s) => s.rssBytes);
    const flat = flatness(samples, warmupSeconds, tolerance);
    const perMinute = samples.filter((s, i) => i === 0 || i === samples.length - 1 || s.seconds % 60 < sampleSeconds);
    const lines: string[] = [];
    lines.push(`\n=== soak (${startedAt.toISOString()}): ${rate} req/s for ${minutes} min, 1 in ${garbageEvery} garbage ===`);
    lines.push('\n  time   gateway RSS   gateway cores   machine cores   sent   accepted   at simulator');
    for (const s of perMinute) {
      lines.push(
        `  ${`${Math.floor(s.seconds / 60)}:${String(s.seconds % 60).padStart(2, '0')}`.padStart(5)}  ${mb(s.rssBytes).padStart(11)}  ${s.gatewayCores.toFixed(2).padStart(14)}  ${s.machineCores.toFixed(2).padStart(14)}  ` +
          `${integer.format(s.sent).padStart(7)}  ${integer.format(s.validSuccess).padStart(9)}  ${(s.simulatorAccepted === undefined ? '–' : integer.format(s.simulatorAccepted)).padStart(12)}`,
      );
    }
    lines.push(`\nRSS every ${sampleSeconds} s (${mb(Math.min(...rss))} … ${mb(Math.max(...rss))}): ${sparkline(rss)}`);
    lines.push(`RSS start ${mb(rss[0])}, end ${mb(rss.at(-1))}, max ${mb(Math.max(...rss))}`);
    if (flat) {
      lines.push(
        `flat? ${flat.flat ? 'YES' : 'NO'}: after ${warmupSeconds} s warm-up, last half's max ${mb(flat.lastHalfMaxBytes)} vs first half's max ${mb(flat.firstHalfMaxBytes)} ` +
          `(${flat.growth >= 0 ? '+' : ''}${(flat.growth * 100).toFixed(1)} %, tolerance ${(tolerance * 100).toFixed(0)} %)`,
      );
    } else {
      lines.push('flat? too few samples after warm-up to tell');
    }
    lines.push('\nanswers by kind (status or error code × count):');
    for (const [kind, statuses] of Object.entries(result.byKind)) {
      lines.push(`  ${kind.padEnd(18)} ${Object.entries(statuses).map(([status, n]) => `${status}×${integer.format(n)}`).join('  ')}`);
    }
    lines.push(
      `valid sends: p50 ${result.valid.p50Ms.toFixed(1)} ms, p99 ${result.valid.p99Ms.toFixed(1)} ms, max ${result.valid.maxMs.toFixed(0)} ms, ${result.valid.over1s} over 1 s; ` +
        `garbage: p99 ${result.garbage.p99Ms.toFixed(1)} ms, max ${result.garbage.maxMs.toFixed(0)} ms; generator late at most ${result.lateMaxMs.toFixed(0)} ms`,
    );
    lines.push(`5xx answers: ${result.fiveHundreds}`);
    lines.push(
      `sends drained: ${integer.format(atSimulator)} send requests accepted by the simulator for ${integer.format(accepted)} messages answered success ` +
        `(${integer.format(result.validSuccess)} valid, ${integer.format(result.acceptedAll - result.validSuccess)} garbage the gateway took, 1 sanity check), ${drainSeconds.toFixed(0)} s after the load stopped`,
    );
    const machine = samples.slice(1).map((s) => s.machineCores);
    lines.push(`machine load during the soak: ${Math.min(...machine).toFixed(2)}–${Math.max(...machine).toFixed(2)} cores busy (median ${median(machine).toFixed(2)}) of ${availableParallelism()}; gateway ${median(samples.slice(1).map((s) => s.gatewayCores)).toFixed(2)} cores (median)`);
    process.stdout.write(`${lines.join('\n')}\n`);
    const summary = {
      bench: 'soak',
      date: startedAt.toISOString(),
      command,
      settings: { minutes, rate, garbageEvery, sampleSeconds, warmupSeconds, tolerance, messagesPerSecond, connections },
      machine: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism() },
      rss: { startBytes: rss[0], endBytes: rss.at(-1), maxBytes: Math.max(...rss), flatness: flat },
      result,
      drained: { atSimulator, accepted, seconds: drainSeconds },
    };
    writeFileSync(join(runDir, 'summary.json'), `${JSON.stringify({ ...summary, samples }, null, 2)}\n`);
    process.stdout.write(`\nBENCH_SUMMARY ${JSON.stringify(summary)}\n`);
    process.exitCode = flat?.flat === false || result.fiveHundreds > 0 ? 1 : 0;
  } finally {
    await load?.stop();
    await bench.stop();
    if (!values['keep-store']) {
      for (const file of readdirSync(runDir)) if (file.startsWith('wabridge.db')) rmSync(join(runDir, file), { force: true });
    }
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : 0;
}

function machineTicks(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks;
  return (user + nice + system + irq + softirq + steal) / 100;
}

main().catch((error: unknown) => {
  process.stderr.write(`\nsoak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  killAllChildren('SIGKILL');
  process.exit(1);
});
