/**
 * Open-loop load at a fixed offered rate, run inside the load child process.
 *
 * Request k is due at start + k / rate and goes out on connection k mod C, so 3,000 req/s over
 * 1,500 connections means each connection sends one request every 0.5 s, staggered evenly —
 * steady traffic rather than a synchronised burst. Latency is measured from when the request was
 * due, not when it was written, so a server that falls behind cannot hide it (no coordinated
 * omission). Warm-up uses the same connections; only requests due after it are measured.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'undici';
import type { LoadOptions, LoadResult } from './load.js';
import { makeBodyBuilder } from './payload.js';

export async function runPaced(options: LoadOptions): Promise<LoadResult> {
  const rate = options.offeredRate;
  if (rate === undefined || rate <= 0) throw new Error('the paced generator needs an offered rate');
  const target = new URL(options.url);
  const timeoutMs = options.timeoutSeconds * 1000;
  const clients = Array.from(
    { length: options.connections },
    () => new Client(target.origin, { pipelining: 1, keepAliveTimeout: 120_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }),
  );
  const buildBody = makeBodyBuilder(readFileSync(options.templatePath, 'utf8'), options.msgIdPrefix, options.firstRecipient);
  const headers = { 'content-type': 'application/json', authorization: options.authorization };

  const startMs = performance.now();
  const measureFromMs = startMs + options.warmupSeconds * 1000;
  const measureUntilMs = measureFromMs + options.durationSeconds * 1000;
  const intervalMs = 1000 / rate;

  const latenciesMs: number[] = [];
  const lateMs: number[] = [];
  let non200 = 0;
  let failureBody = 0;
  let socketErrors = 0;
  let timeouts = 0;
  const errorsByCode: Record<string, number> = {};
  const inFlight = new Set<Promise<void>>();

  const send = (sequence: number, dueMs: number) => {
    const measured = dueMs >= measureFromMs;
    if (measured) lateMs.push(performance.now() - dueMs);
    const client = clients[sequence % clients.length]!;
    const pending = client
      .request({ path: target.pathname, method: 'POST', headers, body: buildBody(sequence) })
      .then(async ({ statusCode, body }) => {
        const text = await body.text();
        if (!measured) return;
        latenciesMs.push(performance.now() - dueMs);
        if (statusCode !== 200) non200++;
        else if (!text.includes('"status":"success"')) failureBody++;
      })
      .catch((error: { code?: string }) => {
        if (!measured) return;
        const code = error.code === 'UND_ERR_DESTROYED' ? 'unanswered at end' : (error.code ?? 'unknown');
        errorsByCode[code] = (errorsByCode[code] ?? 0) + 1;
        // DESTROYED: still queued (never answered) when the run ended and the clients were closed.
        if (error.code === 'UND_ERR_HEADERS_TIMEOUT' || error.code === 'UND_ERR_BODY_TIMEOUT' || error.code === 'UND_ERR_DESTROYED') timeouts++;
        else socketErrors++;
      })
      .finally(() => inFlight.delete(pending));
    inFlight.add(pending);
  };

  // Timers fire about once a millisecond; each wake-up sends every request that has come due.
  let sequence = 0;
  for (;;) {
    const now = performance.now();
    if (now >= measureUntilMs) break;
    const dueCount = Math.min(Math.floor((now - startMs) / intervalMs) + 1, Math.ceil((measureUntilMs - startMs) / intervalMs));
    while (sequence < dueCount) {
      send(sequence, startMs + sequence * intervalMs);
      sequence++;
    }
    await sleep(1);
  }
  await Promise.race([Promise.allSettled([...inFlight]), sleep(timeoutMs + 1000)]);
  await Promise.allSettled(clients.map((client) => client.destroy()));

  latenciesMs.sort((a, b) => a - b);
  lateMs.sort((a, b) => a - b);
  const percentileOf = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  const percentile = (p: number) => percentileOf(latenciesMs, p);
  const over1s = latenciesMs.length - lowerBound(latenciesMs, 1000);
  return {
    tool: 'paced',
    requests: latenciesMs.length,
    durationSeconds: options.durationSeconds,
    requestsPerSecond: latenciesMs.length / options.durationSeconds,
    p50Ms: percentile(50),
    p99Ms: percentile(99),
    maxMs: latenciesMs.at(-1) ?? 0,
    non200,
    failureBody,
    socketErrors,
    timeouts,
    errorsByCode,
    percentOver1s: latenciesMs.length ? (100 * over1s) / latenciesMs.length : 0,
    generatorLate: { p99Ms: percentileOf(lateMs, 99), maxMs: lateMs.at(-1) ?? 0 },
  };
}

/** Index of the first element greater than `value` in a sorted array. */
function lowerBound(sorted: number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]! <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}
