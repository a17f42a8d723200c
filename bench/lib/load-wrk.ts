/**
 * Closed-loop load with wrk: one thread, pinned to the load core, bodies built by bench/post.lua.
 * Warm-up is a separate wrk invocation (its own msgIds and recipients) whose numbers are dropped.
 */
import { fileURLToPath } from 'node:url';
import type { LoadOptions, LoadResult } from './load.js';
import { cpuPinning, LOAD_CPU, runToCompletion } from './processes.js';

const POST_LUA = fileURLToPath(new URL('../post.lua', import.meta.url));
const RESULT_PREFIX = 'WRK_JSON ';

/** Warm-up recipients sit in the upper half of the invocation's block of ten million. */
const WARMUP_RECIPIENT_OFFSET = 5_000_000;

interface WrkJson {
  requests: number;
  durationUs: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
  non200: number;
  failureBody: number;
  connectErrors: number;
  readErrors: number;
  writeErrors: number;
  timeouts: number;
  percentOver1s: number;
}

export async function runWrk(options: LoadOptions): Promise<LoadResult> {
  if (options.offeredRate !== undefined) throw new Error('wrk cannot hold a fixed offered rate');
  if (options.warmupSeconds > 0) {
    await invokeWrk(options, options.warmupSeconds, `${options.msgIdPrefix}w`, options.firstRecipient + WARMUP_RECIPIENT_OFFSET);
  }
  const raw = await invokeWrk(options, options.durationSeconds, options.msgIdPrefix, options.firstRecipient);
  const durationSeconds = raw.durationUs / 1e6;
  return {
    tool: 'wrk',
    requests: raw.requests,
    durationSeconds,
    requestsPerSecond: raw.requests / durationSeconds,
    p50Ms: raw.p50Us / 1000,
    p99Ms: raw.p99Us / 1000,
    maxMs: raw.maxUs / 1000,
    non200: raw.non200,
    failureBody: raw.failureBody,
    socketErrors: raw.connectErrors + raw.readErrors + raw.writeErrors,
    timeouts: raw.timeouts,
    percentOver1s: raw.percentOver1s,
  };
}

async function invokeWrk(options: LoadOptions, seconds: number, msgIdPrefix: string, firstRecipient: number): Promise<WrkJson> {
  const argv = [
    ...cpuPinning(LOAD_CPU),
    'wrk',
    '-t1',
    `-c${options.connections}`,
    `-d${seconds}s`,
    // Long enough that slow answers are measured as latency instead of vanishing as timeouts.
    `--timeout`, `${options.timeoutSeconds}s`,
    '-s', POST_LUA,
    options.url,
    '--', options.templatePath, msgIdPrefix, String(firstRecipient), options.authorization,
  ];
  const { exitCode, stdout, stderr } = await runToCompletion(argv);
  const line = stdout.split('\n').find((candidate) => candidate.startsWith(RESULT_PREFIX));
  if (exitCode !== 0 || !line) throw new Error(`wrk failed (exit ${exitCode}):\n${stdout}\n${stderr}`);
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as WrkJson;
}
