/**
 * Load with autocannon, run inside the load child process (bench/lib/load-child.ts) — the fallback
 * when wrk is not installed, so the bench works from a fresh clone after `npm install`.
 * Warm-up is a separate autocannon instance whose numbers are dropped; msgIds keep counting
 * across both, so no (msgId, to) pair repeats.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { LoadOptions, LoadResult } from './load.js';
import { makeBodyBuilder } from './payload.js';

/** The slice of autocannon's API used here (it ships no TypeScript types). */
interface AutocannonRequest {
  method: string;
  headers: Record<string, string>;
  setupRequest: (request: Record<string, unknown>) => Record<string, unknown>;
  onResponse: (status: number, body: string) => void;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  timeout: number;
  overallRate?: number;
  requests: AutocannonRequest[];
}
interface AutocannonResult {
  duration: number;
  requests: { total: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
}
type Autocannon = (options: AutocannonOptions) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export async function runAutocannon(options: LoadOptions): Promise<LoadResult> {
  const buildBody = makeBodyBuilder(readFileSync(options.templatePath, 'utf8'), options.msgIdPrefix, options.firstRecipient);
  let sequence = 0;
  let non200 = 0;
  let failureBody = 0;
  const request: AutocannonRequest = {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: options.authorization },
    setupRequest: (req) => ({ ...req, body: buildBody(sequence++) }),
    onResponse: (status, body) => {
      if (status !== 200) non200++;
      else if (!body.includes('"status":"success"')) failureBody++;
    },
  };
  const run = (seconds: number) =>
    autocannon({
      url: options.url,
      connections: options.connections,
      duration: seconds,
      timeout: options.timeoutSeconds,
      ...(options.offeredRate !== undefined ? { overallRate: options.offeredRate } : {}),
      requests: [request],
    });

  if (options.warmupSeconds > 0) await run(options.warmupSeconds);
  non200 = 0;
  failureBody = 0;
  const result = await run(options.durationSeconds);
  return {
    tool: 'autocannon',
    requests: result.requests.total,
    durationSeconds: result.duration,
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    non200,
    failureBody,
    socketErrors: result.errors - result.timeouts,
    timeouts: result.timeouts,
    percentOver1s: null,
  };
}
