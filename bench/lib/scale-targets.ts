/**
 * The deployments `bench:scale` compares, each started fresh on its own state and torn down after:
 * SQLite in one process, Postgres + BullMQ as one process with `--workers N`, and Postgres + BullMQ
 * as R replicas (separate processes on their own ports). Each gets its own throwaway database on the
 * machine's Postgres and its own key prefix on the machine's Redis, both removed at the end.
 *
 * Single-process targets are pinned to the server core like the baseline, so SQLite, one worker and
 * the bare server are compared on one core. Several workers or replicas are not pinned: using more
 * than one core is their point (they share core 1 with the load generator and the simulators).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { AUTHORIZATION, BEARER_TOKEN, REPO_ROOT } from './bench-gateway.js';
import { cpuPinning, findFreePort, SERVER_CPU, ServiceDiedError, startService, type Service } from './processes.js';
import { SIMS_PREFIX, type BenchNumber, type SimsOptions, type SimsUrls } from './scale-sims.js';

export const POSTGRES_ADMIN_URL = process.env.POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const SIM_SECRETS = { accessToken: 'bench-graph-token', appSecret: 'bench-app-secret' };

export type TargetSpec =
  | { kind: 'sqlite'; label: string }
  | { kind: 'postgres'; label: string; workers: number; replicas: number };

export interface RunningTarget {
  spec: TargetSpec;
  baseUrls: string[];
  sims: SimsUrls;
  /** The gateway processes (workers included) and the simulators, for CPU-quiet waits. */
  pids(): number[];
  /** Postgres backends serving this target's database (their CPU is the target's too). */
  databasePids(): Promise<number[]>;
  databaseUrl?: string;
  redisPrefix?: string;
  /** Fails with the process's stderr if a gateway died. */
  assertAlive(): void;
  stop(): Promise<void>;
}

export function benchNumbers(count: number): BenchNumber[] {
  // Account 0 carries the body fixture's own business number (payload.ts).
  return Array.from({ length: count }, (_, i) => ({
    account: `bench${i}`,
    wabaNumber: i === 0 ? '919888888888' : `91988888${String(8800 + i)}`,
    phoneNumberId: `10000000000${String(7700 + i)}`,
    wabaId: `20000000000${String(7700 + i)}`,
  }));
}

export interface StartOptions {
  runDir: string;
  numbers: BenchNumber[];
  messagesPerSecond: number;
  /** A number's own rate, overriding messagesPerSecond (bench:cost holds one number back to keep jobs queued). */
  messagesPerSecondOf?: (index: number) => number | undefined;
  /** Default: the machine's Redis (REDIS_URL or 127.0.0.1:6379). */
  redisUrl?: string;
  extraConfig?: Record<string, unknown>;
  /** Extra node flags for the gateway processes, after tsx's (e.g. --cpu-prof, or --import of a .ts preload). */
  nodeFlags?: string[];
  /** Extra environment for the gateway processes. */
  env?: NodeJS.ProcessEnv;
}

export async function startTarget(spec: TargetSpec, options: StartOptions): Promise<RunningTarget> {
  const dir = join(options.runDir, spec.label.replace(/[^a-z0-9-]+/gi, '-'));
  await import('node:fs').then((fs) => fs.mkdirSync(dir, { recursive: true }));
  const processes = spec.kind === 'sqlite' ? 1 : spec.replicas;
  const ports = await Promise.all(Array.from({ length: processes }, () => findFreePort()));
  const baseUrls = ports.map((port) => `http://127.0.0.1:${port}`);
  const simsService = startService({
    name: `${spec.label} simulators`,
    argv: [...cpuPinning(1), process.execPath, '--import', 'tsx', join(REPO_ROOT, 'bench/lib/scale-sims.ts'),
      JSON.stringify({ numbers: options.numbers, replicaUrls: baseUrls, ...SIM_SECRETS, simulatorMps: 10_000 } satisfies SimsOptions)],
    cwd: REPO_ROOT,
    logFile: join(dir, 'simulators.log'),
  });
  const sims = JSON.parse((await simsService.waitForStdout(new RegExp(`${SIMS_PREFIX}(.*)`), 30_000))[1]!) as SimsUrls;

  const database = spec.kind === 'postgres' ? await createDatabase() : undefined;
  const redisPrefix = spec.kind === 'postgres' ? `wabridge-bench-${randomBytes(4).toString('hex')}` : undefined;
  const gateways: Service[] = [];
  const cleanup = async () => {
    // Gateways first, with their own grace (a clean exit also writes --cpu-prof profiles), then the simulators.
    await Promise.all(gateways.map((g) => stopGracefully(g, 45_000)));
    await simsService.stop();
    if (database) await database.drop();
    if (redisPrefix) await deleteRedisPrefix(redisPrefix, options.redisUrl);
  };
  try {
    for (const [index, port] of ports.entries()) {
      const config = {
        mode: 'sandbox',
        server: { host: '127.0.0.1', port, mediaSigningSecret: 'bench-media-signing-secret' },
        store: spec.kind === 'sqlite' ? { path: join(dir, 'wabridge.db') } : { kind: 'postgres', url: database!.url, path: join(dir, 'unused.db') },
        ...(spec.kind === 'postgres' ? { queue: { kind: 'bullmq', redisUrl: options.redisUrl ?? REDIS_URL, prefix: redisPrefix } } : {}),
        accounts: options.numbers.map((n, i) => ({
          id: n.account,
          wabaNumber: n.wabaNumber,
          clevertap: { auth: { kind: 'bearer', token: BEARER_TOKEN }, deliveryReportUrl: `${sims.clevertapUrl}/dlr/${n.account}` },
          whatsapp: { graphBaseUrl: sims.graphBaseUrl, phoneNumberId: n.phoneNumberId, wabaId: n.wabaId, ...SIM_SECRETS, webhookVerifyToken: 'bench-verify', messagesPerSecond: options.messagesPerSecondOf?.(i) ?? options.messagesPerSecond },
        })),
        ...options.extraConfig,
      };
      const configPath = join(dir, `wabridge-${index}.json`);
      writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
      const workers = spec.kind === 'postgres' ? spec.workers : 1;
      const pin = processes === 1 && workers === 1 ? cpuPinning(SERVER_CPU) : [];
      gateways.push(startService({
        name: `${spec.label} #${index}`,
        argv: [...pin, process.execPath, '--max-semi-space-size=64', '--import', 'tsx', ...(options.nodeFlags ?? []), join(REPO_ROOT, 'src/cli/main.ts'), 'start', '--workers', String(workers)],
        cwd: dir,
        env: { WABRIDGE_CONFIG: configPath, LOG_LEVEL: 'warn', ...options.env },
        logFile: join(dir, `gateway-${index}.log`),
      }));
    }
    await Promise.all(gateways.map((gateway, index) => waitReady(gateway, baseUrls[index]!, spec.kind === 'postgres' ? spec.workers : 1)));
  } catch (error) {
    await cleanup();
    throw error;
  }
  const all = () => [simsService, ...gateways].flatMap((s) => [s.pid, ...descendants(s.pid)]);
  return {
    spec,
    baseUrls,
    sims,
    pids: all,
    databasePids: async () => (database ? database.backendPids() : []),
    ...(database ? { databaseUrl: database.url } : {}),
    ...(redisPrefix ? { redisPrefix } : {}),
    assertAlive() {
      for (const service of [simsService, ...gateways]) {
        if (service.child.exitCode !== null || service.child.signalCode !== null) throw new ServiceDiedError(service);
      }
    },
    stop: cleanup,
  };
}

/** Ready when /readyz answers 200 on fresh connections `2 × workers` times in a row (the primary deals connections round-robin). */
async function waitReady(service: Service, baseUrl: string, workers: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  let streak = 0;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null || service.child.signalCode !== null) throw new ServiceDiedError(service);
    streak = (await readyOnFreshConnection(baseUrl)) ? streak + 1 : 0;
    if (streak >= 2 * workers) return;
    await sleep(streak > 0 ? 20 : 200);
  }
  throw new Error(`${service.name}: ${baseUrl}/readyz not 200 within 60 s. Its stderr:\n${service.stderrTail()}`);
}

function readyOnFreshConnection(baseUrl: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpRequest(`${baseUrl}/readyz`, { agent: false, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** SIGTERM, then up to `graceMs` for the gateway's own shutdown (it may take 15 s) before Service.stop's SIGKILL. */
async function stopGracefully(service: Service, graceMs: number): Promise<void> {
  const { child } = service;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // Already gone.
    }
    await Promise.race([exited, sleep(graceMs)]);
  }
  await service.stop();
}

/** Child processes, recursively (node:cluster workers of a primary). */
export function descendants(pid: number): number[] {
  const found: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      for (const child of children) found.push(child, ...descendants(child));
    }
  } catch {
    // Gone.
  }
  return found;
}

export interface Database {
  url: string;
  name: string;
  backendPids(): Promise<number[]>;
  drop(): Promise<void>;
}

export async function createDatabase(): Promise<Database> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  const name = `wabridge_bench_${randomBytes(5).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    backendPids: async () => (await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [name])).rows.map((r) => r.pid),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

export async function deleteRedisPrefix(prefix: string, redisUrl = REDIS_URL): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export { AUTHORIZATION };
