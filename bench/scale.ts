/**
 * `npm run bench:scale` — ingest and full cycle for each way of deploying the gateway, in one run,
 * each against the bare node:http baseline measured just before it on one core.
 *
 * Deployments (--targets): sqlite (one process), pg-w1 / pg-w2 (Postgres + BullMQ, `start --workers
 * 1|2`), replicas-1 / replicas-2 / replicas-3 (separate processes on their own ports, the load
 * spread over them by one wrk per replica). Each starts fresh (own database, own Redis key prefix,
 * own simulators) and is torn down after. Per round and scenario: baseline, then the deployment;
 * the full cycle (accepted → Graph → status webhooks → callbacks) is counted at the CleverTap
 * simulator's receiver while and after the load runs. Details: docs/benchmarks.md.
 *
 * Flags: --targets <list> (all)  --rounds <n> (2)  --duration <s> (10)  --warmup <s> (2)
 *        --connections <n> (1500)  --rate <req/s> (3000)  --scenarios closed-loop,fixed-rate
 *        --numbers <n> (4 numbers, one account each)  --mps <n> (1000 per number)
 *        --settle-max <s> (180)  --cpu-prof (profiles of every gateway process in the run dir)
 *        --quick (1 round × 5 s, closed loop only)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AUTHORIZATION, REPO_ROOT, startBareServer } from './lib/bench-gateway.js';
import { commandExists, installCleanupHandlers, killAllChildren, waitForCpuQuiet } from './lib/processes.js';
import { recipientBlockStart } from './lib/payload.js';
import { progressLine, renderGoals, type ScenarioName } from './lib/report.js';
import { watchFullCycle } from './lib/scale-fullcycle.js';
import { runSpreadLoad, writeTemplates, type SpreadLoad } from './lib/scale-load.js';
import { checkScaleGoals, renderScaleTable, summarizeRows, type ScaleRound } from './lib/scale-report.js';
import { benchNumbers, startTarget, type RunningTarget, type TargetSpec } from './lib/scale-targets.js';

const ALL_TARGETS: Record<string, TargetSpec> = {
  sqlite: { kind: 'sqlite', label: 'sqlite' },
  'pg-w1': { kind: 'postgres', label: 'pg-w1', workers: 1, replicas: 1 },
  'pg-w2': { kind: 'postgres', label: 'pg-w2', workers: 2, replicas: 1 },
  'replicas-1': { kind: 'postgres', label: 'replicas-1', workers: 1, replicas: 1 },
  'replicas-2': { kind: 'postgres', label: 'replicas-2', workers: 1, replicas: 2 },
  'replicas-3': { kind: 'postgres', label: 'replicas-3', workers: 1, replicas: 3 },
};
/** On a 2-core machine, anything else using more than a fifth of a core shows up in the results. */
const OTHER_LOAD_WARNING_CORES = 0.2;

function parseSettings(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      targets: { type: 'string', default: Object.keys(ALL_TARGETS).join(',') },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string', default: '2' },
      connections: { type: 'string', default: '1500' },
      rate: { type: 'string', default: '3000' },
      scenarios: { type: 'string' },
      numbers: { type: 'string', default: '4' },
      mps: { type: 'string', default: '1000' },
      'settle-max': { type: 'string', default: '180' },
      'cpu-prof': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]!.replace(/^\/?\s?\*+ ?/gm, '')}\n`);
    process.exit(0);
  }
  const targets = values.targets.split(',').map((name) => {
    const spec = ALL_TARGETS[name.trim()];
    if (!spec) throw new Error(`unknown target ${name}; known: ${Object.keys(ALL_TARGETS).join(', ')}`);
    return spec;
  });
  const scenarios = (values.scenarios ?? (values.quick ? 'closed-loop' : 'closed-loop,fixed-rate')).split(',').map((s) => s.trim()) as ScenarioName[];
  for (const s of scenarios) if (s !== 'closed-loop' && s !== 'fixed-rate') throw new Error(`unknown scenario ${s}`);
  const number = (raw: string | undefined, fallback: number) => (raw === undefined ? fallback : Number(raw));
  return {
    targets,
    scenarios,
    rounds: number(values.rounds, values.quick ? 1 : 2),
    durationSeconds: number(values.duration, values.quick ? 5 : 10),
    warmupSeconds: number(values.warmup, 2),
    connections: number(values.connections, 1500),
    offeredRate: number(values.rate, 3000),
    numbers: number(values.numbers, 4),
    messagesPerSecond: number(values.mps, 1000),
    settleMaxSeconds: number(values['settle-max'], 180),
    cpuProfile: values['cpu-prof'],
  };
}

type Settings = ReturnType<typeof parseSettings>;

async function sanityCheck(baseUrl: string, account: string, body: string): Promise<void> {
  const response = await fetch(`${baseUrl}/v1/clevertap/${account}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: AUTHORIZATION },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (response.status !== 200 || !text.includes('"status":"success"')) throw new Error(`${baseUrl} rejected a sample request: HTTP ${response.status} ${text.slice(0, 500)}`);
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const argv = process.argv.slice(2);
  const settings: Settings = parseSettings(argv);
  if (!commandExists('wrk')) throw new Error('bench:scale needs wrk for the closed loop (apt-get install -y wrk)');
  const command = `npm run bench:scale${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  const startedAt = new Date();
  const runName = `scale-${startedAt.toISOString().replace(/[:.]/g, '-')}`;
  const runStamp = Math.floor(startedAt.getTime() / 1000);
  const runDir = join(REPO_ROOT, '.bench', runName);
  mkdirSync(runDir, { recursive: true });
  const numbers = benchNumbers(settings.numbers);
  const templates = writeTemplates(runDir, numbers[0]!);
  const sampleBody = readFileSync(templates.firstAccount, 'utf8').replace('"__TO__"', '"919000000001"').replace('"__MSG_ID__"', `"${runStamp}|sanity|1"`);
  process.stdout.write(`wabridge scale bench — ${command}\nrun directory: ${runDir}\n`);

  const bare = await startBareServer(runDir);
  const bareUrl = `http://127.0.0.1:${bare.port}`;
  await sanityCheck(bareUrl, numbers[0]!.account, sampleBody);

  const rounds: ScaleRound[] = [];
  const notes: string[] = [];
  let invocation = 1;
  for (const spec of settings.targets) {
    process.stdout.write(`\n— ${spec.label}: starting…\n`);
    const target: RunningTarget = await startTarget(spec, {
      runDir,
      numbers,
      messagesPerSecond: settings.messagesPerSecond,
      ...(settings.cpuProfile ? { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${join(runDir, spec.label, 'profiles')}`] } : {}),
    });
    try {
      for (const [index, url] of target.baseUrls.entries()) await sanityCheck(url, numbers[0]!.account, sampleBody.replace('sanity|1', `sanity|${spec.label}-${index}`));
      for (let round = 1; round <= settings.rounds; round++) {
        for (const scenario of settings.scenarios) {
          const roundNotes: string[] = [];
          const quiet = async (what: string) => {
            const pids = [bare.service.pid, ...target.pids(), ...(await target.databasePids())];
            const settle = await waitForCpuQuiet(pids, settings.settleMaxSeconds * 1000);
            if (!settle.quiet) roundNotes.push(`${what}: the servers were still busy after ${(settle.waitedMs / 1000).toFixed(0)} s — measured anyway`);
            if (settle.otherBusyCores > OTHER_LOAD_WARNING_CORES) roundNotes.push(`${what}: other processes used ${settle.otherBusyCores.toFixed(1)} cores just before — disturbed`);
          };
          const load = (baseUrls: string[], id: number): SpreadLoad => ({
            baseUrls,
            numbers,
            templates,
            authorization: AUTHORIZATION,
            connections: settings.connections,
            warmupSeconds: settings.warmupSeconds,
            durationSeconds: settings.durationSeconds,
            ...(scenario === 'fixed-rate' ? { offeredRate: settings.offeredRate } : {}),
            msgIdPrefix: `${runStamp}|${id}`,
            firstRecipient: recipientBlockStart(id),
            timeoutSeconds: 10,
          });
          await quiet('baseline');
          const baseline = await runSpreadLoad(load([bareUrl], invocation++));
          process.stdout.write(`${progressLine(round, settings.rounds, 'baseline', scenario, baseline.result)}\n`);
          await quiet(spec.label);
          target.assertAlive();
          const id = invocation++;
          const loadStarted = Date.now();
          const running = runSpreadLoad(load(target.baseUrls, id));
          const fullCycle = watchFullCycle(target.sims.clevertapUrl, String(id), loadStarted, running.then((r) => r.accepted), { stallSeconds: 15, maxSeconds: settings.settleMaxSeconds });
          const measured = await running;
          process.stdout.write(`${progressLine(round, settings.rounds, spec.label, scenario, measured.result)}\n`);
          const cycle = await fullCycle;
          process.stdout.write(`    full cycle: ${cycle.done} of ${cycle.expected} read at CleverTap; ${cycle.messagesPerSecond === null ? '–' : cycle.messagesPerSecond.toFixed(0)} msg/s sustained${cycle.allDoneSeconds === null ? '' : `, all in ${cycle.allDoneSeconds.toFixed(1)} s`}${cycle.stalled ? ` (${cycle.stalled})` : ''}\n`);
          for (const note of roundNotes) process.stdout.write(`    (${note})\n`);
          notes.push(...roundNotes.map((note) => `${spec.label} round ${round} ${scenario}: ${note}`));
          rounds.push({ target: spec.label, round, scenario, baseline: baseline.result, result: measured.result, accepted: measured.accepted, fullCycle: cycle, notes: roundNotes });
        }
      }
    } finally {
      await target.stop();
    }
  }

  const rows = summarizeRows(rounds);
  const goals = checkScaleGoals(rows, 'pg-w2');
  process.stdout.write(`\n=== scale bench: medians of ${settings.rounds} × ${settings.durationSeconds} s (after ${settings.warmupSeconds} s warm-up), ${settings.connections} connections; ${settings.numbers} numbers at ${settings.messagesPerSecond} mps each ===\n`);
  process.stdout.write('ratio = deployment req/s ÷ the bare node:http server on one core, measured just before it; p99/max of spread load = the worst generator\'s\n\n');
  process.stdout.write(`${renderScaleTable(rows)}\n\ngoals (issue 10 point 7):\n${renderGoals(goals)}\n`);
  if (notes.length) process.stdout.write(`\nrounds not measured on a quiet machine:\n${notes.map((n) => `  ${n}`).join('\n')}\n`);
  else process.stdout.write('\nevery round started on a quiet machine (no other process above 0.2 cores)\n');
  const summary = {
    bench: 'scale',
    date: startedAt.toISOString(),
    command,
    settings: { ...settings, targets: settings.targets.map((t) => t.label) },
    machine: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism() },
    rows,
    goals,
    notes,
  };
  writeFileSync(join(runDir, 'summary.json'), `${JSON.stringify({ ...summary, rounds }, null, 2)}\n`);
  process.stdout.write(`\nBENCH_SUMMARY ${JSON.stringify(summary)}\n`);
  await bare.service.stop();
}

main().catch((error: unknown) => {
  process.stderr.write(`\nbench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  killAllChildren('SIGKILL');
  process.exit(1);
});
