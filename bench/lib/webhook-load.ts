/**
 * Open-loop status-webhook load at a fixed rate of statuses per second, like
 * bench/lib/load-paced.ts but for Meta's side of the gateway: signed `POST /v1/whatsapp/webhook`
 * bodies, built (and signed) before the clock starts so the generator's own work stays off the
 * timed path.
 *
 * Each POST is due when the last status it carries is due (Meta collects statuses, then sends);
 * latency is measured from that due time, so a server that falls behind — or a connection pool
 * whose connections are all waiting on it — cannot hide it. The POSTs go out over a pool of
 * keep-alive connections (Meta delivers webhooks over a bounded set of concurrent connections).
 *
 * Runs in its own process pinned to the load core (bench/lib/webhook-load-child.ts). Besides the
 * summary it writes, per POST, when it was due and how it was answered, so the orchestrator can
 * match every status to the delivery report the gateway later sends CleverTap.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { cpuPinning, LOAD_CPU, runToCompletion } from './processes.js';
import { cpuSince, cpuSnapshot } from './webhook-cpu.js';
import { buildSchedule, buildWebhook, STAGES, type PoolMessage, type ScheduleOptions, type WebhookSource } from './webhook-payload.js';

export interface WebhookLoadOptions {
  url: string;
  source: WebhookSource;
  /** JSON file with the preloaded messages (PoolMessage[]). */
  poolPath: string;
  /** Index of this invocation's first message in the pool. */
  poolOffset: number;
  schedule: ScheduleOptions;
  connections: number;
  timeoutSeconds: number;
  /** Where to write the per-POST record (WebhookLoadRecord). */
  recordPath: string;
  /** Processes whose CPU use over the timed window is reported (server, receiver, simulator). */
  watchPids: number[];
}

export interface WebhookLoadResult {
  /** POSTs due in the measured window. */
  posts: number;
  statuses: number;
  durationSeconds: number;
  postsPerSecond: number;
  statusesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  percentOver1s: number;
  non200: number;
  /** Answers by HTTP status, e.g. {"200": 9998, "429": 2}. */
  statusCodes: Record<string, number>;
  socketErrors: number;
  timeouts: number;
  errorsByCode: Record<string, number>;
  /** How late the generator itself handed POSTs to the pool (event loop of the load core): p99 / max, ms. */
  generatorLateP99Ms: number;
  generatorLateMaxMs: number;
  /** Mean statuses per POST. */
  meanBatch: number;
  meanBodyBytes: number;
  /** CPU seconds the load process used while the load ran. */
  cpuSeconds: number;
  /** Cores each watched pid used over the timed window (warm-up included). */
  coresByPid: Record<string, number>;
  /** Cores used meanwhile by processes that are neither watched nor this generator: other people's work. */
  foreignCores: number;
}

/**
 * Per POST: [due time (epoch ms), HTTP status or 0 for no answer, 1 if in the measured window,
 * statuses as message×3+stage (message = index within the invocation)].
 */
export interface WebhookLoadRecord {
  poolOffset: number;
  posts: Array<[number, number, 0 | 1, number[]]>;
}

export async function runWebhookLoad(options: WebhookLoadOptions): Promise<WebhookLoadResult> {
  const { schedule } = options;
  const pool = JSON.parse(readFileSync(options.poolPath, 'utf8')) as PoolMessage[];
  const plan = buildSchedule(schedule);
  const approxStartSeconds = Math.floor(Date.now() / 1000) + 1;
  const built = plan.map((post) => {
    const items = post.statuses.map(({ message, stage }) => {
      const pooled = pool[options.poolOffset + message];
      if (!pooled) throw new Error(`the pool has no message ${options.poolOffset + message} (size ${pool.length})`);
      return { message: pooled, stage: STAGES[stage] };
    });
    return { ...post, ...buildWebhook(options.source, items, approxStartSeconds + Math.floor(post.dueOffsetMs / 1000)) };
  });

  const target = new URL(options.url);
  const timeoutMs = options.timeoutSeconds * 1000;
  const client = new Pool(target.origin, {
    connections: options.connections,
    pipelining: 1,
    keepAliveTimeout: 120_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });

  const machineBefore = cpuSnapshot(options.watchPids);
  const cpuBefore = process.cpuUsage();
  const startMs = performance.now();
  const startEpochMs = Date.now();
  const measureFromOffsetMs = schedule.warmupSeconds * 1000;
  const record: WebhookLoadRecord['posts'] = [];
  const latenciesMs: number[] = [];
  const lateMs: number[] = [];
  const statusCodes: Record<string, number> = {};
  const errorsByCode: Record<string, number> = {};
  let non200 = 0;
  let socketErrors = 0;
  let timeouts = 0;
  let measuredStatuses = 0;
  let measuredBytes = 0;
  const inFlight = new Set<Promise<void>>();

  const send = (index: number) => {
    const post = built[index]!;
    const dueMs = startMs + post.dueOffsetMs;
    const measured = post.dueOffsetMs >= measureFromOffsetMs;
    const entry: WebhookLoadRecord['posts'][number] = [
      Math.round(startEpochMs + post.dueOffsetMs),
      0,
      measured ? 1 : 0,
      post.statuses.map(({ message, stage }) => message * 3 + stage),
    ];
    record.push(entry);
    if (measured) {
      lateMs.push(performance.now() - dueMs);
      measuredStatuses += post.statuses.length;
      measuredBytes += post.body.length;
    }
    const pending = client
      .request({
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': post.signature },
        body: post.body,
      })
      .then(async ({ statusCode, body }) => {
        await body.text();
        entry[1] = statusCode;
        if (!measured) return;
        latenciesMs.push(performance.now() - dueMs);
        statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
        if (statusCode !== 200) non200++;
      })
      .catch((error: { code?: string }) => {
        if (!measured) return;
        const code = error.code === 'UND_ERR_DESTROYED' ? 'unanswered at end' : (error.code ?? 'unknown');
        errorsByCode[code] = (errorsByCode[code] ?? 0) + 1;
        if (error.code === 'UND_ERR_HEADERS_TIMEOUT' || error.code === 'UND_ERR_BODY_TIMEOUT' || error.code === 'UND_ERR_DESTROYED') timeouts++;
        else socketErrors++;
      })
      .finally(() => inFlight.delete(pending));
    inFlight.add(pending);
  };

  // Timers fire about once a millisecond; each wake-up sends every POST that has come due.
  let next = 0;
  while (next < built.length) {
    const elapsed = performance.now() - startMs;
    while (next < built.length && built[next]!.dueOffsetMs <= elapsed) send(next++);
    await sleep(1);
  }
  await Promise.race([Promise.allSettled([...inFlight]), sleep(timeoutMs + 1000)]);
  await client.destroy().catch(() => undefined);
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const machine = cpuSince(machineBefore, cpuSeconds);

  writeFileSync(options.recordPath, JSON.stringify({ poolOffset: options.poolOffset, posts: record } satisfies WebhookLoadRecord));

  latenciesMs.sort((a, b) => a - b);
  lateMs.sort((a, b) => a - b);
  const measuredPosts = latenciesMs.length + socketErrors + timeouts;
  const over1s = latenciesMs.filter((value) => value > 1000).length;
  return {
    posts: measuredPosts,
    statuses: measuredStatuses,
    durationSeconds: schedule.durationSeconds,
    postsPerSecond: measuredPosts / schedule.durationSeconds,
    statusesPerSecond: measuredStatuses / schedule.durationSeconds,
    p50Ms: percentile(latenciesMs, 50),
    p99Ms: percentile(latenciesMs, 99),
    maxMs: latenciesMs.at(-1) ?? 0,
    // Anything unanswered counts as slower than 1 s.
    percentOver1s: measuredPosts ? (100 * (over1s + timeouts + socketErrors)) / measuredPosts : 0,
    non200,
    statusCodes,
    socketErrors,
    timeouts,
    errorsByCode,
    generatorLateP99Ms: percentile(lateMs, 99),
    generatorLateMaxMs: lateMs.at(-1) ?? 0,
    meanBatch: lateMs.length ? measuredStatuses / lateMs.length : 0,
    meanBodyBytes: lateMs.length ? measuredBytes / lateMs.length : 0,
    cpuSeconds,
    coresByPid: Object.fromEntries([...machine.coresByPid].map(([pid, cores]) => [String(pid), cores])),
    foreignCores: machine.foreignCores,
  };
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

const LOAD_CHILD = fileURLToPath(new URL('./webhook-load-child.ts', import.meta.url));
const RESULT_PREFIX = 'WEBHOOK_LOAD_JSON ';

/** Runs the generator in its own process on the load core; never in the orchestrator. */
export async function runWebhookLoadChild(options: WebhookLoadOptions): Promise<WebhookLoadResult> {
  const argv = [...cpuPinning(LOAD_CPU), process.execPath, '--import', 'tsx', LOAD_CHILD, JSON.stringify(options)];
  const { exitCode, stdout, stderr } = await runToCompletion(argv);
  const line = stdout.split('\n').find((candidate) => candidate.startsWith(RESULT_PREFIX));
  if (exitCode !== 0 || !line) throw new Error(`webhook load generator failed (exit ${exitCode}):\n${stderr.slice(-4000)}`);
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as WebhookLoadResult;
}

export function printWebhookLoadResult(result: WebhookLoadResult): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}
