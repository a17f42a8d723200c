/**
 * `npm run bench:webhooks` — how fast the gateway acknowledges Meta's signed status webhooks at
 * Meta's capacity guidance (3 × outbound mps: 3,000 statuses/s for a 1,000 mps number), and how
 * long until CleverTap has the delivery report for each status, next to a bare node:http receiver
 * (read, verify HMAC, parse, 200) measured in the same run.
 *
 * Preloads real messages through the messaging endpoint (sent to the Meta simulator, which
 * sends no webhooks of its own here), then drives sent → delivered → read for each of them with
 * an open-loop paced generator; a CleverTap receiver records when each report arrives.
 * See docs/benchmarks.md (Webhooks) for the goals and the reasoning.
 *
 * Flags: --rate <statuses/s> (3000)  --duration <s> (10)  --rounds <n> (3)  --warmup <s> (3)
 *        --gap <s> (1, between a message's sent, delivered and read)  --modes batch,single
 *        --max-batch <n> (5)  --connections <n> (64)  --quick (1 round × 5 s)
 *        --settle-max <s> (30)  --preload-concurrency <n> (64)
 *        --cpu-prof (write the gateway's CPU profile to the run directory, for `node --cpu-prof` analysis)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  cpuPinning,
  findFreePort,
  installCleanupHandlers,
  killAllChildren,
  LOAD_CPU,
  SERVER_CPU,
  startService,
  waitForCpuQuiet,
  waitForHttpOk,
  type Service,
} from './lib/processes.js';
import { runWebhookLoadChild, type WebhookLoadOptions, type WebhookLoadRecord } from './lib/webhook-load.js';
import { buildWebhook, gapMessages, messagesNeeded, type BatchMode, type PoolMessage, type WebhookSource } from './lib/webhook-payload.js';
import { dispatcherStats, preloadFixture, preloadMessages, readPool, waitForSubmitted } from './lib/webhook-preload.js';
import {
  checkGoals,
  computeLag,
  owedReports,
  progressLine,
  renderGoals,
  renderTable,
  summarizeMode,
  type WebhookRound,
  type WebhookTarget,
} from './lib/webhook-report.js';

const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const ACCOUNT_ID = 'bench';
const AUTHORIZATION = 'Bearer bench-token';
/** The gateway's admin API token, configured rather than generated: the bench reads the stats with it. */
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const ADMIN_AUTHORIZATION = `Bearer ${ADMIN_TOKEN}`;
const WEBHOOK_PATH = '/v1/whatsapp/webhook';
const LOAD_TIMEOUT_SECONDS = 10;
/** On a 2-core machine, anything else using more than a fifth of a core shows up in the results. */
const OTHER_LOAD_WARNING_CORES = 0.2;
const SIM = { accessToken: 'bench-graph-token', appSecret: 'bench-app-secret', phoneNumberId: '100000000000777', wabaId: '200000000000777' };

interface Settings {
  rate: number;
  durationSeconds: number;
  rounds: number;
  warmupSeconds: number;
  gapSeconds: number;
  modes: BatchMode[];
  maxBatch: number;
  connections: number;
  settleMaxSeconds: number;
  preloadConcurrency: number;
  cpuProfile: boolean;
}

function parseSettings(argv: string[]): Settings {
  const { values } = parseArgs({
    args: argv,
    options: {
      rate: { type: 'string', default: '3000' },
      duration: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string', default: '3' },
      gap: { type: 'string', default: '1' },
      modes: { type: 'string', default: 'batch,single' },
      'max-batch': { type: 'string', default: '5' },
      connections: { type: 'string', default: '64' },
      quick: { type: 'boolean', default: false },
      'settle-max': { type: 'string', default: '30' },
      'preload-concurrency': { type: 'string', default: '64' },
      'cpu-prof': { type: 'boolean', default: false },
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
  const modes = values.modes.split(',').map((m) => m.trim());
  for (const mode of modes) if (mode !== 'batch' && mode !== 'single') throw new Error(`unknown mode ${mode} (batch, single)`);
  return {
    rate: number('rate', values.rate, 3000, 1),
    durationSeconds: number('duration', values.duration, values.quick ? 5 : 10, 1),
    rounds: Math.round(number('rounds', values.rounds, values.quick ? 1 : 3, 1)),
    warmupSeconds: number('warmup', values.warmup, 3),
    gapSeconds: number('gap', values.gap, 1, 0.01),
    modes: modes as BatchMode[],
    maxBatch: Math.round(number('max-batch', values['max-batch'], 5, 1)),
    connections: Math.round(number('connections', values.connections, 64, 1)),
    settleMaxSeconds: number('settle-max', values['settle-max'], 30),
    preloadConcurrency: Math.round(number('preload-concurrency', values['preload-concurrency'], 64, 1)),
    cpuProfile: values['cpu-prof'],
  };
}

function preflightWarnings(settings: Settings): string[] {
  const warnings: string[] = [];
  if (cpuPinning(SERVER_CPU).length === 0) {
    warnings.push(`no CPU pinning (taskset missing or ${availableParallelism()} core(s)): servers and load share cores, numbers are noisier`);
  }
  if (settings.warmupSeconds < 2 * settings.gapSeconds) {
    warnings.push(`--warmup ${settings.warmupSeconds} s < 2 × --gap (${settings.gapSeconds} s): the offered rate is still ramping up (delivered/read not yet due) when measuring starts`);
  }
  return warnings;
}

async function startBaseline(runDir: string): Promise<{ service: Service; baseUrl: string }> {
  const port = await findFreePort();
  const service = startService({
    name: 'baseline',
    argv: [...cpuPinning(SERVER_CPU), process.execPath, '--import', 'tsx', join(REPO_ROOT, 'bench/lib/webhook-bare-server.ts'), String(port), SIM.appSecret],
    cwd: REPO_ROOT,
    logFile: join(runDir, 'baseline.log'),
  });
  await service.waitForStdout(/listening \d+/, 15_000);
  return { service, baseUrl: `http://127.0.0.1:${port}` };
}

async function startReceiver(runDir: string): Promise<{ service: Service; baseUrl: string }> {
  const port = await findFreePort();
  const service = startService({
    name: 'clevertap-receiver',
    argv: [...cpuPinning(LOAD_CPU), process.execPath, '--import', 'tsx', join(REPO_ROOT, 'bench/lib/webhook-receiver.ts'), String(port)],
    cwd: REPO_ROOT,
    logFile: join(runDir, 'clevertap-receiver.log'),
  });
  await service.waitForStdout(/listening \d+/, 15_000);
  return { service, baseUrl: `http://127.0.0.1:${port}` };
}

/** Meta's stand-in on the load core, without a webhook URL: the statuses come from the bench. */
async function startSimulator(runDir: string, wabaNumber: string): Promise<{ service: Service; baseUrl: string }> {
  const port = await findFreePort();
  const service = startService({
    name: 'meta-simulator',
    argv: [
      ...cpuPinning(LOAD_CPU),
      process.execPath, '--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), 'sim', 'meta',
      '--port', String(port), '--access-token', SIM.accessToken, '--app-secret', SIM.appSecret,
      '--phone-number-id', SIM.phoneNumberId, '--waba-id', SIM.wabaId, '--display-phone-number', wabaNumber,
      '--mps', '5000', '--no-pair-limit',
    ],
    cwd: REPO_ROOT,
    logFile: join(runDir, 'meta-simulator.log'),
  });
  await service.waitForStdout(/listening on http/, 30_000);
  return { service, baseUrl: `http://127.0.0.1:${port}` };
}

async function startGateway(
  runDir: string,
  runName: string,
  wabaNumber: string,
  simulatorUrl: string,
  receiverUrl: string,
  cpuProfile: boolean,
): Promise<{ service: Service; baseUrl: string }> {
  const port = await findFreePort();
  const config = {
    mode: 'sandbox',
    server: { port },
    admin: { token: ADMIN_TOKEN },
    store: { path: `.bench/${runName}/wabridge.db` },
    callbacks: { retryScheduleMs: [0, 1000] },
    accounts: [
      {
        id: ACCOUNT_ID,
        wabaNumber,
        clevertap: { auth: { kind: 'bearer', token: 'bench-token' }, deliveryReportUrl: `${receiverUrl}/dlr` },
        whatsapp: {
          graphBaseUrl: `${simulatorUrl}/v23.0`,
          phoneNumberId: SIM.phoneNumberId,
          wabaId: SIM.wabaId,
          accessToken: SIM.accessToken,
          appSecret: SIM.appSecret,
          webhookVerifyToken: 'v',
          messagesPerSecond: 5000,
          maxInFlight: 128,
        },
      },
    ],
  };
  const configPath = join(runDir, 'wabridge.json');
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  const service = startService({
    name: 'gateway',
    argv: [
      ...cpuPinning(SERVER_CPU),
      process.execPath,
      ...(cpuProfile ? ['--cpu-prof', '--cpu-prof-dir', runDir] : []),
      '--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), 'start',
    ],
    cwd: REPO_ROOT,
    env: { WABRIDGE_CONFIG: configPath, LOG_LEVEL: 'warn' },
    logFile: join(runDir, 'gateway.log'),
  });
  await waitForHttpOk(service, `${baseUrl(port)}/healthz`, 30_000);
  return { service, baseUrl: baseUrl(port) };
}

const baseUrl = (port: number) => `http://127.0.0.1:${port}`;

/** Both targets must accept a signed webhook and refuse an unsigned one, or they are not doing the same work. */
async function sanityCheck(label: string, service: Service, url: string, source: WebhookSource, sample: PoolMessage): Promise<void> {
  // A `read` for a message used by no round (the pool's last): harmless to the gateway's state.
  const { body, signature } = buildWebhook(source, [{ message: sample, stage: 'read' }], Math.floor(Date.now() / 1000));
  const post = (headers: Record<string, string>) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(5_000) });
  const signed = await post({ 'x-hub-signature-256': signature });
  const signedText = await signed.text();
  if (signed.status !== 200) throw new Error(`${label} refused a signed webhook: HTTP ${signed.status} ${signedText.slice(0, 500)}\n${service.stderrTail().slice(-2000)}`);
  const unsigned = await post({ 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` });
  await unsigned.text();
  if (unsigned.status === 200) throw new Error(`${label} accepted a webhook with a wrong signature: it is not verifying, the comparison would be unfair`);
}

interface ReceiverStats {
  requests: number;
  statuses: number;
  unique: number;
  duplicates: number;
  malformed: number;
}

async function receiverStats(receiverUrl: string): Promise<ReceiverStats> {
  const response = await fetch(`${receiverUrl}/_stats`, { signal: AbortSignal.timeout(5_000) });
  return (await response.json()) as ReceiverStats;
}

/** Waits until CleverTap has every report the gateway owes, or nothing arrived for `stallMs`. */
async function waitForReports(receiverUrl: string, owed: number, stallMs: number): Promise<ReceiverStats> {
  let stats = await receiverStats(receiverUrl);
  let lastChange = Date.now();
  while (stats.unique < owed && Date.now() - lastChange < stallMs) {
    await sleep(500);
    const next = await receiverStats(receiverUrl);
    if (next.unique !== stats.unique) lastChange = Date.now();
    stats = next;
  }
  return stats;
}

async function readArrivals(receiverUrl: string): Promise<Map<string, number>> {
  const response = await fetch(`${receiverUrl}/_arrivals`, { signal: AbortSignal.timeout(60_000) });
  const arrivals = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    const last = line.lastIndexOf('\t');
    if (last > 0) arrivals.set(line.slice(0, last), Number(line.slice(last + 1)));
  }
  return arrivals;
}

function seedFor(round: number, mode: BatchMode): number {
  return round * 7919 + (mode === 'batch' ? 1 : 2);
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const argv = process.argv.slice(2);
  const settings = parseSettings(argv);
  const command = `npm run bench:webhooks${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  const warnings = preflightWarnings(settings);
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);

  const startedAt = new Date();
  const runName = `webhooks-${startedAt.toISOString().replace(/[:.]/g, '-')}`;
  const runStamp = Math.floor(startedAt.getTime() / 1000);
  const runDir = join(REPO_ROOT, '.bench', runName);
  mkdirSync(runDir, { recursive: true });
  process.stdout.write(`wabridge webhook bench — ${command}\nrun directory: ${runDir}\n`);

  const { wabaNumber } = preloadFixture();
  const source: WebhookSource = { appSecret: SIM.appSecret, phoneNumberId: SIM.phoneNumberId, wabaId: SIM.wabaId, displayPhoneNumber: wabaNumber };
  const receiver = await startReceiver(runDir);
  const simulator = await startSimulator(runDir, wabaNumber);
  const gateway = await startGateway(runDir, runName, wabaNumber, simulator.baseUrl, receiver.baseUrl, settings.cpuProfile);
  const baseline = await startBaseline(runDir);
  const targets: Record<WebhookTarget, { service: Service; url: string }> = {
    baseline: { service: baseline.service, url: `${baseline.baseUrl}/` },
    gateway: { service: gateway.service, url: `${gateway.baseUrl}${WEBHOOK_PATH}` },
  };
  const allPids = [gateway.service.pid, baseline.service.pid, simulator.service.pid, receiver.service.pid];

  // Every (round, mode) gets its own block of fresh messages; the baseline gets the same bodies.
  const schedule = (round: number, mode: BatchMode) => ({
    rate: settings.rate,
    warmupSeconds: settings.warmupSeconds,
    durationSeconds: settings.durationSeconds,
    gapSeconds: settings.gapSeconds,
    mode,
    maxBatch: settings.maxBatch,
    seed: seedFor(round, mode),
  });
  const perInvocation = messagesNeeded(schedule(1, 'batch'));
  const invocations = settings.rounds * settings.modes.length;
  // One extra message for the sanity check.
  const preloadCount = perInvocation * invocations + 1;
  process.stdout.write(
    `preloading ${preloadCount.toLocaleString('en-US')} messages (${invocations} gateway rounds × ${perInvocation.toLocaleString('en-US')}; ` +
      `each gets sent, then delivered ${settings.gapSeconds} s later, then read ${settings.gapSeconds} s after that: ${gapMessages(schedule(1, 'batch'))} messages per gap)…\n`,
  );
  const preload = await preloadMessages({
    gatewayBaseUrl: gateway.baseUrl,
    accountId: ACCOUNT_ID,
    authorization: AUTHORIZATION,
    count: preloadCount,
    runStamp,
    concurrency: settings.preloadConcurrency,
    onProgress: (done) => process.stdout.write(`  accepted ${done.toLocaleString('en-US')}\n`),
  });
  process.stdout.write(`  all accepted in ${preload.seconds.toFixed(1)} s (${preload.retried} retried); waiting for the dispatcher to submit them…\n`);
  const submitSeconds = await waitForSubmitted(gateway.baseUrl, ADMIN_AUTHORIZATION, preloadCount, Math.max(120_000, preloadCount * 5), (submitted) =>
    process.stdout.write(`  submitted ${submitted.toLocaleString('en-US')}\n`),
  );
  const pool = await readPool(simulator.baseUrl, runStamp, preloadCount);
  const poolPath = join(runDir, 'pool.json');
  writeFileSync(poolPath, JSON.stringify(pool));
  process.stdout.write(`  all submitted ${submitSeconds.toFixed(1)} s later; wamids read from the simulator\n`);

  await sanityCheck('baseline', baseline.service, targets.baseline.url, source, pool.at(-1)!);
  await sanityCheck('gateway', gateway.service, targets.gateway.url, source, pool.at(-1)!);
  process.stdout.write(`targets up: baseline ${targets.baseline.url}, gateway ${targets.gateway.url}; CleverTap receiver ${receiver.baseUrl}/dlr\n`);

  const rounds: WebhookRound[] = [];
  const gatewayRecords: Array<{ round: WebhookRound; recordPath: string }> = [];
  const notes: string[] = [];
  let invocation = 0;
  for (let round = 1; round <= settings.rounds; round++) {
    for (const mode of settings.modes) {
      const poolOffset = invocation * perInvocation;
      invocation++;
      for (const target of ['baseline', 'gateway'] as const) {
        const { service, url } = targets[target];
        if (service.child.exitCode !== null || service.child.signalCode !== null) throw new Error(`${target} died during the run. Its stderr:\n${service.stderrTail()}`);
        const settle = await waitForCpuQuiet(allPids, settings.settleMaxSeconds * 1000);
        if (!settle.quiet || settle.waitedMs > 1500) {
          const note = `round ${round} ${mode} ${target}: waited ${(settle.waitedMs / 1000).toFixed(1)} s for the servers to go idle${settle.quiet ? '' : ' — still busy, measured anyway'}`;
          notes.push(note);
          process.stdout.write(`  (${note})\n`);
        }
        if (settle.otherBusyCores > OTHER_LOAD_WARNING_CORES) {
          const note = `round ${round} ${mode} ${target}: other processes were using ${settle.otherBusyCores.toFixed(1)} cores just before this round`;
          notes.push(note);
          process.stdout.write(`  (${note})\n`);
        }
        const recordPath = join(runDir, `posts-${round}-${mode}-${target}.json`);
        const options: WebhookLoadOptions = {
          url,
          source,
          poolPath,
          poolOffset,
          schedule: schedule(round, mode),
          connections: settings.connections,
          timeoutSeconds: LOAD_TIMEOUT_SECONDS,
          recordPath,
          watchPids: allPids,
        };
        const load = await runWebhookLoadChild(options);
        const result: WebhookRound = { round, mode, target, load, serverCores: load.coresByPid[String(service.pid)] ?? 0 };
        rounds.push(result);
        if (target === 'gateway') gatewayRecords.push({ round: result, recordPath });
        process.stdout.write(`${progressLine(round, settings.rounds, mode, target, result)}\n`);
        if (load.foreignCores > OTHER_LOAD_WARNING_CORES) {
          const note = `round ${round} ${mode} ${target}: other processes used ${load.foreignCores.toFixed(2)} cores during this round — numbers are distorted`;
          notes.push(note);
          process.stdout.write(`  (${note})\n`);
        }
      }
    }
  }

  // Every status the gateway answered 200 for owes CleverTap one report, plus the sanity check's
  // `read`, which jumps a fresh message to read and so owes sent, delivered and read.
  const records = gatewayRecords.map(({ round, recordPath }) => ({ round, record: JSON.parse(readFileSync(recordPath, 'utf8')) as WebhookLoadRecord }));
  const owed = records.reduce((total, { record }) => total + owedReports(record), 0) + 3;
  process.stdout.write(`waiting for CleverTap to receive all ${owed.toLocaleString('en-US')} delivery reports (gives up after ${settings.settleMaxSeconds} s without progress)…\n`);
  const receiverFinal = await waitForReports(receiver.baseUrl, owed, settings.settleMaxSeconds * 1000);
  const arrivals = await readArrivals(receiver.baseUrl);
  for (const { round, record } of records) round.lag = computeLag(record, pool, arrivals);
  const gatewayStats = await fetch(`${gateway.baseUrl}/v1/admin/stats`, { headers: { authorization: ADMIN_AUTHORIZATION } })
    .then((response) => response.json() as Promise<Record<string, unknown>>)
    .catch(() => undefined);
  const finalDispatcher = await dispatcherStats(gateway.baseUrl, ADMIN_AUTHORIZATION);

  const describe = (mode: BatchMode) =>
    mode === 'batch'
      ? `${settings.rate} statuses/s in POSTs of 1–${settings.maxBatch} statuses (uniform), over ≤ ${settings.connections} connections`
      : `${settings.rate} statuses/s, one status per POST, over ≤ ${settings.connections} connections`;
  const modes = settings.modes.map((mode) => summarizeMode(mode, describe(mode), rounds));
  const goals = checkGoals(modes);

  process.stdout.write(`\n=== webhook bench: medians of ${settings.rounds} × ${settings.durationSeconds} s (after ${settings.warmupSeconds} s warm-up); error and missing counts are totals ===\n`);
  for (const mode of modes) process.stdout.write(`${mode.mode}: ${mode.description}\n`);
  process.stdout.write(
    'ack = time from when a POST was due to its answer; DLR lag = time from when the webhook carrying a status was due to CleverTap receiving its delivery report; cores = CPU the server used during the round\n',
  );
  process.stdout.write(`\n${renderTable(modes)}\n`);
  process.stdout.write(`\ngoals (gateway):\n${renderGoals(goals)}\n`);
  process.stdout.write(`\nCleverTap receiver: ${JSON.stringify(receiverFinal)}; gateway dispatcher: ${JSON.stringify(finalDispatcher)}\n`);
  for (const warning of warnings) process.stdout.write(`warning: ${warning}\n`);
  if (notes.length) process.stdout.write(`notes:\n${notes.map((n) => `  ${n}`).join('\n')}\n`);

  const summary = {
    bench: 'webhooks',
    date: startedAt.toISOString(),
    command,
    settings,
    machine: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), pinned: cpuPinning(SERVER_CPU).length > 0 },
    preload: { messages: preloadCount, acceptSeconds: preload.seconds, submitSeconds, retried: preload.retried },
    modes,
    goals,
    clevertap: receiverFinal,
    gatewayStats,
    notes,
    warnings,
    rounds,
  };
  writeFileSync(join(runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const { rounds: _perRound, gatewayStats: _stats, ...compact } = summary;
  process.stdout.write(`\nBENCH_SUMMARY ${JSON.stringify(compact)}\n`);

  await Promise.all([gateway.service, baseline.service, simulator.service, receiver.service].map((service) => service.stop()));
}

main().catch((error: unknown) => {
  process.stderr.write(`\nbench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  killAllChildren('SIGKILL');
  process.exit(1);
});
