/**
 * `npm run bench:ingest` — how many CleverTap messaging requests per second the gateway accepts,
 * and how fast it answers, next to a bare node:http server measured in the same run.
 *
 * Absolute numbers move from run to run on shared machines; the gateway/baseline ratio does not
 * (much). So both targets run side by side, alternating, pinned to the same core, and the report
 * compares medians. See docs/benchmarks.md for the goals and shared/design/performance.md for why.
 *
 * Flags: --duration <s> (10)  --rounds <n> (3)  --connections <n> (1500)  --quick (1 round × 5 s)
 *        --warmup <s> (2)  --rate <req/s> (3000)  --scenarios closed-loop,fixed-rate
 *        --tool auto|wrk|autocannon (closed loop)  --rate-tool paced|autocannon (fixed rate)
 *        --gateway real|stand-in|none  --settle-max <s> (180: long enough for the dispatcher to
 *        drain a round at 1,000 mps, so no baseline round runs beside the gateway's backlog)
 *        --console-poll (while the gateway is loaded, make the operator console's queries once a
 *        second, as an open console does: the cost of an operator watching)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { countStoredMessagesWhenSettled, fetchAdminStats } from './lib/gateway-stats.js';
import { runLoad, type LoadOptions, type LoadToolName } from './lib/load.js';
import { startConsolePoller, type ConsolePollResult } from './lib/console-poller.js';
import { bodyTemplate, makeBodyBuilder, recipientBlockStart } from './lib/payload.js';
import {
  commandExists,
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
import {
  checkGoals,
  progressLine,
  renderGoals,
  renderTable,
  summarizeScenario,
  type RoundResult,
  type ScenarioName,
  type TargetName,
} from './lib/report.js';

const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const ACCOUNT_ID = 'bench';
const BEARER_TOKEN = 'bench-token';
const AUTHORIZATION = `Bearer ${BEARER_TOKEN}`;
/** The gateway's admin API token, configured rather than generated: the bench reads the stats with it. */
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const ADMIN_AUTHORIZATION = `Bearer ${ADMIN_TOKEN}`;
const RECOMMENDED_BACKLOG = 4096;
const LOAD_TIMEOUT_SECONDS = 10;
/** On a 2-core machine, anything else using more than a fifth of a core shows up in the results. */
const OTHER_LOAD_WARNING_CORES = 0.2;

interface Settings {
  durationSeconds: number;
  rounds: number;
  connections: number;
  warmupSeconds: number;
  offeredRate: number;
  scenarios: ScenarioName[];
  closedLoopTool: LoadToolName;
  fixedRateTool: LoadToolName;
  gateway: 'real' | 'stand-in' | 'none';
  settleMaxSeconds: number;
  /** The sending number's throughput: 80 is Meta's default tier, 1,000 the upgraded one. */
  messagesPerSecond: number;
  /** Make the operator console's queries once a second while the gateway is loaded. */
  consolePoll: boolean;
}

function parseSettings(argv: string[]): Settings {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      rounds: { type: 'string' },
      connections: { type: 'string', default: '1500' },
      quick: { type: 'boolean', default: false },
      warmup: { type: 'string', default: '2' },
      rate: { type: 'string', default: '3000' },
      scenarios: { type: 'string', default: 'closed-loop,fixed-rate' },
      tool: { type: 'string', default: 'auto' },
      'rate-tool': { type: 'string', default: 'paced' },
      gateway: { type: 'string', default: 'real' },
      'settle-max': { type: 'string', default: '180' },
      mps: { type: 'string', default: '1000' },
      'console-poll': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    const header = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]!;
    process.stdout.write(`${header.replace(/^\/?\s?\*+ ?/gm, '')}\n`);
    process.exit(0);
  }
  const positive = (name: string, raw: string | undefined, fallback: number) => {
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number, got ${raw}`);
    return value;
  };
  const scenarios = values.scenarios.split(',').map((s) => s.trim());
  for (const scenario of scenarios) {
    if (scenario !== 'closed-loop' && scenario !== 'fixed-rate') throw new Error(`unknown scenario ${scenario}`);
  }
  const wrkAvailable = commandExists('wrk');
  let closedLoopTool: LoadToolName;
  if (values.tool === 'auto') closedLoopTool = wrkAvailable ? 'wrk' : 'autocannon';
  else if (values.tool === 'wrk' || values.tool === 'autocannon') closedLoopTool = values.tool;
  else throw new Error(`--tool must be auto, wrk or autocannon`);
  if (closedLoopTool === 'wrk' && !wrkAvailable) throw new Error('--tool wrk but wrk is not on PATH (apt-get install -y wrk)');
  const fixedRateTool = values['rate-tool'];
  if (fixedRateTool !== 'paced' && fixedRateTool !== 'autocannon') throw new Error('--rate-tool must be paced or autocannon');
  const gateway = values.gateway;
  if (gateway !== 'real' && gateway !== 'stand-in' && gateway !== 'none') throw new Error('--gateway must be real, stand-in or none');
  return {
    durationSeconds: positive('duration', values.duration, values.quick ? 5 : 10),
    rounds: Math.max(1, Math.round(positive('rounds', values.rounds, values.quick ? 1 : 3))),
    connections: Math.max(1, Math.round(positive('connections', values.connections, 1500))),
    warmupSeconds: positive('warmup', values.warmup, 2),
    offeredRate: positive('rate', values.rate, 3000),
    scenarios: scenarios as ScenarioName[],
    closedLoopTool,
    fixedRateTool,
    gateway,
    settleMaxSeconds: positive('settle-max', values['settle-max'], 180),
    messagesPerSecond: Math.max(1, Math.round(positive('mps', values.mps, 1000))),
    consolePoll: values['console-poll'],
  };
}

/** Environment problems that silently distort results; printed up front, recorded in the summary. */
function preflightWarnings(settings: Settings): string[] {
  const warnings: string[] = [];
  try {
    const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim());
    if (somaxconn < RECOMMENDED_BACKLOG) {
      warnings.push(`net.core.somaxconn is ${somaxconn} (< ${RECOMMENDED_BACKLOG}): listen backlogs are capped, connection bursts will see 1 s SYN retries (sysctl -w net.core.somaxconn=${RECOMMENDED_BACKLOG})`);
    }
  } catch {
    warnings.push('could not read net.core.somaxconn');
  }
  if (cpuPinning(SERVER_CPU).length === 0) {
    warnings.push(`no CPU pinning (taskset missing or ${availableParallelism()} core(s)): server and load generator share cores, numbers are noisier`);
  }
  if (settings.scenarios.includes('closed-loop') && settings.closedLoopTool === 'autocannon') {
    const why = commandExists('wrk') ? 'chosen with --tool' : 'wrk not found';
    warnings.push(`closed loop uses autocannon (${why}): one Node core may saturate before a fast server does, so req/s is a lower bound and noisier than with wrk (apt-get install -y wrk)`);
  }
  return warnings;
}

interface Target {
  name: TargetName;
  label: string;
  service: Service;
  url: string;
  baseUrl: string;
}

async function startBareServer(name: string, runDir: string): Promise<{ service: Service; baseUrl: string }> {
  const port = await findFreePort();
  const service = startService({
    name,
    argv: [...cpuPinning(SERVER_CPU), process.execPath, '--import', 'tsx', join(REPO_ROOT, 'bench/bare-server.ts'), String(port)],
    cwd: REPO_ROOT,
    logFile: join(runDir, `${name}.log`),
  });
  await service.waitForStdout(/listening \d+/, 15_000);
  return { service, baseUrl: `http://127.0.0.1:${port}` };
}

/** Meta's stand-in, in its own process on the load core: the real Graph API is remote, so its cost is not the gateway's. */
/** As `npm start` runs the gateway (package.json). */
const GATEWAY_NODE_FLAGS = ['--max-semi-space-size=64'];

const SIM = { accessToken: 'bench-graph-token', appSecret: 'bench-app-secret', phoneNumberId: '100000000000777', wabaId: '200000000000777' };

async function startMetaSimulatorProcess(runDir: string, wabaNumber: string, webhookUrl: string, messagesPerSecond: number): Promise<{ service: Service; graphBaseUrl: string }> {
  const port = await findFreePort();
  const service = startService({
    name: 'meta-simulator',
    argv: [
      ...cpuPinning(LOAD_CPU),
      process.execPath, '--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), 'sim', 'meta',
      '--port', String(port), '--access-token', SIM.accessToken, '--app-secret', SIM.appSecret,
      '--phone-number-id', SIM.phoneNumberId, '--waba-id', SIM.wabaId, '--display-phone-number', wabaNumber,
      '--webhook-url', webhookUrl, '--mps', String(Math.max(1000, messagesPerSecond)), '--no-pair-limit',
    ],
    cwd: REPO_ROOT,
    logFile: join(runDir, 'meta-simulator.log'),
  });
  await service.waitForStdout(/listening on http/, 30_000);
  return { service, graphBaseUrl: `http://127.0.0.1:${port}/v23.0` };
}

async function startGateway(runDir: string, runName: string, wabaNumber: string, messagesPerSecond: number): Promise<{ service: Service; baseUrl: string; simulator: Service }> {
  const entry = join(REPO_ROOT, 'src/cli/main.ts');
  if (!existsSync(entry)) {
    throw new Error(`the gateway entry point ${entry} does not exist yet; run with --gateway stand-in (a second bare server) or --gateway none (baseline only)`);
  }
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const simulator = await startMetaSimulatorProcess(runDir, wabaNumber, `${baseUrl}/v1/whatsapp/webhook`, messagesPerSecond);
  const config = {
    mode: 'sandbox',
    server: { port },
    admin: { token: ADMIN_TOKEN },
    store: { path: `.bench/${runName}/wabridge.db` },
    accounts: [
      {
        id: ACCOUNT_ID,
        wabaNumber,
        clevertap: { auth: { kind: 'bearer', token: BEARER_TOKEN } },
        whatsapp: {
          graphBaseUrl: simulator.graphBaseUrl,
          phoneNumberId: SIM.phoneNumberId,
          wabaId: SIM.wabaId,
          accessToken: SIM.accessToken,
          appSecret: SIM.appSecret,
          webhookVerifyToken: 'bench-verify',
          messagesPerSecond,
        },
      },
    ],
  };
  const configPath = join(runDir, 'wabridge.json');
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  const service = startService({
    name: 'gateway',
    argv: [...cpuPinning(SERVER_CPU), process.execPath, ...GATEWAY_NODE_FLAGS, '--import', 'tsx', entry, 'start'],
    cwd: REPO_ROOT,
    env: { WABRIDGE_CONFIG: configPath, LOG_LEVEL: 'warn' },
    logFile: join(runDir, 'gateway.log'),
  });
  await waitForHttpOk(service, `${baseUrl}/healthz`, 30_000);
  return { service, baseUrl, simulator: simulator.service };
}

/** One real request before any load: a target that rejects the payload would make every number meaningless. */
async function sanityCheck(target: Target, template: string, runStamp: number): Promise<void> {
  const body = makeBodyBuilder(template, `${runStamp}|sanity`, recipientBlockStart(0))(target.name === 'baseline' ? 0 : 1);
  const response = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: AUTHORIZATION },
    body,
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  if (response.status !== 200 || !text.includes('"status":"success"')) {
    throw new Error(`${target.label} rejected a sample request: HTTP ${response.status} ${text.slice(0, 500)}\nrequest body: ${body}\n${target.service.stderrTail().slice(-2000)}`);
  }
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const argv = process.argv.slice(2);
  const settings = parseSettings(argv);
  const command = `npm run bench:ingest${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  const warnings = preflightWarnings(settings);
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);

  const startedAt = new Date();
  const runName = startedAt.toISOString().replace(/[:.]/g, '-');
  const runStamp = Math.floor(startedAt.getTime() / 1000);
  const runDir = join(REPO_ROOT, '.bench', runName);
  mkdirSync(runDir, { recursive: true });
  const { template, wabaNumber } = bodyTemplate();
  const templatePath = join(runDir, 'body-template.json');
  writeFileSync(templatePath, template);

  process.stdout.write(`wabridge ingest bench — ${command}\nrun directory: ${runDir}\n`);
  const bare = await startBareServer('baseline', runDir);
  const targets: Target[] = [{ name: 'baseline', label: 'baseline', service: bare.service, baseUrl: bare.baseUrl, url: `${bare.baseUrl}/` }];
  // Processes that work for a target (Meta's stand-in): idle-waits include them, and their CPU
  // is not counted as foreign load.
  const helpers: Service[] = [];
  if (settings.gateway !== 'none') {
    const gateway = settings.gateway === 'real' ? await startGateway(runDir, runName, wabaNumber, settings.messagesPerSecond) : await startBareServer('stand-in', runDir);
    if ('simulator' in gateway) helpers.push(gateway.simulator as Service);
    const label = settings.gateway === 'real' ? 'gateway' : 'stand-in';
    targets.push({ name: 'gateway', label, service: gateway.service, baseUrl: gateway.baseUrl, url: `${gateway.baseUrl}/v1/clevertap/${ACCOUNT_ID}/messages` });
  }
  for (const target of targets) await sanityCheck(target, template, runStamp);
  process.stdout.write(`targets up: ${targets.map((t) => `${t.label} ${t.url}`).join(', ')}\n`);

  const rounds: RoundResult[] = [];
  const settleNotes: string[] = [];
  const consolePolls: ConsolePollResult[] = [];
  let invocation = 1;
  for (let round = 1; round <= settings.rounds; round++) {
    for (const scenario of settings.scenarios) {
      for (const target of targets) {
        if (target.service.child.exitCode !== null || target.service.child.signalCode !== null) {
          throw new Error(`${target.label} died during the run. Its stderr:\n${target.service.stderrTail()}`);
        }
        const settle = await waitForCpuQuiet([...targets.map((t) => t.service.pid), ...helpers.map((helper) => helper.pid)], settings.settleMaxSeconds * 1000);
        if (!settle.quiet || settle.waitedMs > 1500) {
          const note = `round ${round} ${scenario} ${target.label}: waited ${(settle.waitedMs / 1000).toFixed(1)} s for the servers to go idle${settle.quiet ? '' : ' — still busy, measured anyway'}`;
          settleNotes.push(note);
          process.stdout.write(`  (${note})\n`);
        }
        if (settle.otherBusyCores > OTHER_LOAD_WARNING_CORES) {
          const note = `round ${round} ${scenario} ${target.label}: other processes were using ${settle.otherBusyCores.toFixed(1)} cores just before this round — numbers are distorted`;
          settleNotes.push(note);
          process.stdout.write(`  (${note})\n`);
        }
        const options: LoadOptions = {
          url: target.url,
          authorization: AUTHORIZATION,
          connections: settings.connections,
          warmupSeconds: settings.warmupSeconds,
          durationSeconds: settings.durationSeconds,
          templatePath,
          msgIdPrefix: `${runStamp}|${invocation}`,
          firstRecipient: recipientBlockStart(invocation),
          timeoutSeconds: LOAD_TIMEOUT_SECONDS,
        };
        if (scenario === 'fixed-rate') options.offeredRate = settings.offeredRate;
        invocation++;
        const tool = scenario === 'fixed-rate' ? settings.fixedRateTool : settings.closedLoopTool;
        const poller = settings.consolePoll && target.name === 'gateway' ? startConsolePoller(target.baseUrl, ADMIN_AUTHORIZATION) : undefined;
        const result = await runLoad(tool, options);
        if (poller) {
          const polled = await poller.stop();
          consolePolls.push(polled);
          process.stdout.write(`  console polled ${polled.polls}× (${Object.entries(polled.statuses).map(([status, count]) => `${count} × ${status}`).join(', ')}), p50 ${polled.p50Ms} ms, p99 ${polled.p99Ms} ms\n`);
        }
        rounds.push({ round, scenario, target: target.name, result });
        process.stdout.write(`${progressLine(round, settings.rounds, target.label, scenario, result)}\n`);
      }
    }
  }

  const descriptions: Record<ScenarioName, string> = {
    'closed-loop': `closed loop, ${settings.connections} connections at full speed`,
    'fixed-rate': `${settings.offeredRate} req/s offered, spread over ${settings.connections} connections`,
  };
  const scenarios = settings.scenarios.map((scenario) => summarizeScenario(scenario, descriptions[scenario], rounds));
  const gatewayTarget = targets.find((t) => t.name === 'gateway');

  let store: unknown;
  if (settings.gateway === 'real' && gatewayTarget) {
    process.stdout.write('waiting for the gateway to finish dispatching to the simulator (≤ 30 s)…\n');
    const adminStats = await fetchAdminStats(gatewayTarget.baseUrl, ADMIN_AUTHORIZATION);
    const storeCounts = await countStoredMessagesWhenSettled(join(REPO_ROOT, '.bench', runName, 'wabridge.db'), 30_000);
    store = { adminStats: adminStats ?? 'GET /v1/admin/stats not available', sqlite: storeCounts };
  }

  const gatewayLabel = gatewayTarget?.label ?? 'gateway';
  process.stdout.write(`\n=== ingest bench: medians of ${settings.rounds} × ${settings.durationSeconds} s (after ${settings.warmupSeconds} s warm-up); error columns are totals ===\n`);
  for (const scenario of scenarios) process.stdout.write(`${scenario.scenario}: ${scenario.description}\n`);
  process.stdout.write(`\n${renderTable(scenarios, gatewayLabel)}\n`);
  if (settings.gateway === 'stand-in') process.stdout.write('\nNOTE: "stand-in" is a second bare server, not the gateway — the ratio only shows the bench\'s own noise.\n');
  const goals = settings.gateway === 'real' ? checkGoals(scenarios) : [];
  if (goals.length) process.stdout.write(`\ngoals (gateway):\n${renderGoals(goals)}\n`);
  if (store !== undefined) process.stdout.write(`\ngateway store after the run: ${JSON.stringify(store)}\n`);
  for (const warning of warnings) process.stdout.write(`warning: ${warning}\n`);
  if (settleNotes.length) process.stdout.write(`settling notes:\n${settleNotes.map((n) => `  ${n}`).join('\n')}\n`);

  const summary = {
    bench: 'ingest',
    date: startedAt.toISOString(),
    command,
    gateway: settings.gateway,
    settings,
    machine: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), pinned: cpuPinning(SERVER_CPU).length > 0 },
    scenarios,
    goals,
    store,
    settleNotes,
    ...(settings.consolePoll ? { consolePolls } : {}),
    warnings,
    rounds,
  };
  writeFileSync(join(runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const { rounds: _perRound, ...compact } = summary;
  process.stdout.write(`\nBENCH_SUMMARY ${JSON.stringify(compact)}\n`);

  // The simulator too: a child left running keeps this process (and its terminal) waiting.
  await Promise.all([...targets.map((target) => target.service.stop()), ...helpers.map((helper) => helper.stop())]);
}

main().catch((error: unknown) => {
  process.stderr.write(`\nbench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  killAllChildren('SIGKILL');
  process.exit(1);
});
