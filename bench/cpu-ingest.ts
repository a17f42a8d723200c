/**
 * `npx tsx bench/cpu-ingest.ts` — CPU cost per accepted CleverTap request: the gateway's CPU time
 * (user + system, from /proc) divided by the requests it answered, next to the bare node:http
 * server measured the same way in the same run. On a shared 2-core machine req/s moves with
 * whatever else runs; CPU time per request moves much less, so this is the number to compare
 * between two versions of the hot path. It is a development tool; `npm run bench:ingest`
 * remains the benchmark of record.
 *
 * Flags: --connections <n> (200)  --duration <s> (5)  --warmup <s> (2)  --rounds <n> (3)
 *        --mps <n> (1: the dispatcher is nearly idle, so only the ingress is measured;
 *                  1000 adds dispatch and three status webhooks per sent message)
 *        --drain <s> (4: with --mps > 1, also measure the CPU per message sent while the backlog drains)
 *        --cpu-prof <dir> (write the gateway's CPU profile there)  --no-pin (do not pin the gateway to core 0; use with --cpu-prof)
 *        --node-flag <flag> (repeatable: e.g. --node-flag=--perf-basic-prof for `perf record`)  --targets baseline,gateway
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { runLoad, type LoadOptions } from './lib/load.js';
import { bodyTemplate, recipientBlockStart } from './lib/payload.js';
import { cpuPinning, findFreePort, installCleanupHandlers, killAllChildren, LOAD_CPU, SERVER_CPU, startService, waitForCpuQuiet, waitForHttpOk, type Service } from './lib/processes.js';

const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const AUTHORIZATION = 'Bearer bench-token';
/** The gateway's admin API token, configured rather than generated: the bench reads the stats with it. */
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const ADMIN_AUTHORIZATION = `Bearer ${ADMIN_TOKEN}`;
const SIM = { accessToken: 'bench-graph-token', appSecret: 'bench-app-secret', phoneNumberId: '100000000000777', wabaId: '200000000000777' };

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '200' },
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    mps: { type: 'string', default: '1' },
    'cpu-prof': { type: 'string' },
    targets: { type: 'string', default: 'baseline,gateway' },
    drain: { type: 'string', default: '4' },
    'no-pin': { type: 'boolean', default: false },
    'node-flag': { type: 'string', multiple: true, default: [] },
  },
});

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const runDir = join(REPO_ROOT, '.bench', `cpu-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(runDir, { recursive: true });
  const { template, wabaNumber } = bodyTemplate();
  const templatePath = join(runDir, 'body-template.json');
  writeFileSync(templatePath, template);
  const wanted = new Set(values.targets.split(','));
  const targets: Array<{ name: string; service: Service; url: string }> = [];

  if (wanted.has('baseline')) {
    const port = await findFreePort();
    const service = startService({ name: 'baseline', argv: [...cpuPinning(SERVER_CPU), process.execPath, '--import', 'tsx', join(REPO_ROOT, 'bench/bare-server.ts'), String(port)], cwd: REPO_ROOT, logFile: join(runDir, 'baseline.log') });
    await service.waitForStdout(/listening \d+/, 15_000);
    targets.push({ name: 'baseline', service, url: `http://127.0.0.1:${port}/` });
  }
  let simulator: Service | undefined;
  if (wanted.has('gateway')) {
    const port = await findFreePort();
    const simPort = await findFreePort();
    const mps = Number(values.mps);
    simulator = startService({
      name: 'meta-simulator',
      argv: [...cpuPinning(LOAD_CPU), process.execPath, '--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), 'sim', 'meta', '--port', String(simPort),
        '--access-token', SIM.accessToken, '--app-secret', SIM.appSecret, '--phone-number-id', SIM.phoneNumberId, '--waba-id', SIM.wabaId,
        '--display-phone-number', wabaNumber, '--webhook-url', `http://127.0.0.1:${port}/v1/whatsapp/webhook`, '--mps', String(Math.max(1000, mps)), '--no-pair-limit'],
      cwd: REPO_ROOT,
      logFile: join(runDir, 'meta-simulator.log'),
    });
    await simulator.waitForStdout(/listening on http/, 30_000);
    const config = {
      mode: 'sandbox',
      server: { port },
      admin: { token: ADMIN_TOKEN },
      store: { path: join(runDir, 'wabridge.db') },
      accounts: [{
        id: 'bench', wabaNumber, clevertap: { auth: { kind: 'bearer', token: 'bench-token' } },
        whatsapp: { graphBaseUrl: `http://127.0.0.1:${simPort}/v23.0`, phoneNumberId: SIM.phoneNumberId, wabaId: SIM.wabaId, accessToken: SIM.accessToken, appSecret: SIM.appSecret, webhookVerifyToken: 'bench-verify', messagesPerSecond: mps },
      }],
    };
    const configPath = join(runDir, 'wabridge.json');
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    const profile = [...(values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', resolve(values['cpu-prof'])] : []), ...values['node-flag']];
    const service = startService({
      name: 'gateway',
      // Profiles of a pinned process are biased towards idle: the profiler's sampling thread
      // waits for the core the busy main thread holds.
      argv: [...(values['no-pin'] ? [] : cpuPinning(SERVER_CPU)), process.execPath, ...profile, '--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), 'start'],
      cwd: REPO_ROOT,
      env: { WABRIDGE_CONFIG: configPath, LOG_LEVEL: 'warn' },
      logFile: join(runDir, 'gateway.log'),
    });
    await waitForHttpOk(service, `http://127.0.0.1:${port}/healthz`, 30_000);
    targets.push({ name: 'gateway', service, url: `http://127.0.0.1:${port}/v1/clevertap/bench/messages` });
  }

  const results: Record<string, Array<{ rps: number; usPerRequest: number; p50: number; p99: number; non200: number }>> = {};
  let drains: number[] | undefined;
  let invocation = 1;
  const stamp = Math.floor(Date.now() / 1000);
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const target of targets) {
      const quiet = await waitForCpuQuiet([...targets.map((t) => t.service.pid), ...(simulator ? [simulator.pid] : [])], 30_000);
      const options: LoadOptions = {
        url: target.url, authorization: AUTHORIZATION, connections: Number(values.connections), warmupSeconds: 0,
        durationSeconds: Number(values.warmup), templatePath, msgIdPrefix: `${stamp}|w${invocation}`, firstRecipient: recipientBlockStart(invocation), timeoutSeconds: 10,
      };
      invocation++;
      if (Number(values.warmup) > 0) await runLoad('wrk', options);
      const before = cpuSeconds(target.service.pid);
      const result = await runLoad('wrk', { ...options, durationSeconds: Number(values.duration), msgIdPrefix: `${stamp}|${invocation}`, firstRecipient: recipientBlockStart(invocation) });
      invocation++;
      const cpu = cpuSeconds(target.service.pid) - before;
      const row = { rps: result.requestsPerSecond, usPerRequest: (cpu * 1e6) / result.requests, p50: result.p50Ms, p99: result.p99Ms, non200: result.non200 + result.socketErrors + result.timeouts };
      (results[target.name] ??= []).push(row);
      process.stdout.write(`round ${round} ${target.name.padEnd(8)} ${row.rps.toFixed(0).padStart(6)} req/s  ${row.usPerRequest.toFixed(1).padStart(6)} µs CPU/req  p50 ${row.p50.toFixed(1)} ms  p99 ${row.p99.toFixed(1)} ms  errors ${row.non200}  (foreign load ${quiet.otherBusyCores.toFixed(2)} cores)\n`);
      if (target.name === 'gateway' && Number(values.mps) > 1) {
        // The backlog the load left behind: what sending one message (and taking its three
        // status webhooks) costs, measured while nothing else arrives.
        const submitted = async () => ((await (await fetch(target.url.replace(/\/v1\/clevertap\/.*/, '/v1/admin/stats'), { headers: { authorization: ADMIN_AUTHORIZATION } })).json()) as { dispatcher: { submitted: number } }).dispatcher.submitted;
        await sleep(1000);
        const cpuBefore = cpuSeconds(target.service.pid);
        const sentBefore = await submitted();
        await sleep(Number(values.drain) * 1000);
        const sent = (await submitted()) - sentBefore;
        const drainCpu = cpuSeconds(target.service.pid) - cpuBefore;
        const perMessage = (drainCpu * 1e6) / Math.max(1, sent);
        (drains ??= []).push(perMessage);
        process.stdout.write(`        drain    ${(sent / Number(values.drain)).toFixed(0).padStart(6)} msg/s  ${perMessage.toFixed(1).padStart(6)} µs CPU per message sent (+ its statuses), ${(drainCpu / Number(values.drain)).toFixed(2)} cores\n`);
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const [name, rows] of Object.entries(results)) {
    process.stdout.write(`median ${name.padEnd(8)} ${median(rows.map((r) => r.rps)).toFixed(0).padStart(6)} req/s  ${median(rows.map((r) => r.usPerRequest)).toFixed(1).padStart(6)} µs CPU/req\n`);
  }
  if (drains) process.stdout.write(`median drain ${median(drains).toFixed(1)} µs CPU per message sent\n`);
  await sleep(100);
  await Promise.all([...targets.map((t) => t.service.stop()), simulator?.stop()]);
}

main().catch((error: unknown) => {
  process.stderr.write(`cpu-ingest failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  killAllChildren('SIGKILL');
  process.exit(1);
});
