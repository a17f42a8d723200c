/**
 * @module sim/clevertap/campaign
 * CleverTap as a sender: POSTs `count` fixture-shaped requests to the gateway's messaging endpoint
 * with `concurrency` requests in flight over an undici Pool of as many connections (CleverTap's
 * default is 1500), gives each request CleverTap's 1 s budget, and counts answers the way
 * CleverTap's stats do: only HTTP 200 + `{"status":"success"}` in time is "Sent"; a slower answer
 * is a timeout even if it was a success, because CleverTap has already given up on it.
 */
import { Pool } from 'undici';
import { campaignMsgId, todayBatchId } from './msg-id.js';
import { buildPayload, shapePicker } from './payloads.js';
import { percentile } from './percentile.js';
import type { CampaignAuth, CampaignOptions, CampaignProgress, CampaignResult } from './types.js';

export const DEFAULT_CONCURRENCY = 1500;
export const DEFAULT_TIMEOUT_MS = 1000;
export const DEFAULT_WABA_NUMBER = '919888888888';

/** A distinct 12-digit Indian mobile per message, clear of the Meta simulator's 999x magic prefixes. */
export function defaultRecipient(i: number): string {
  return `91${7_000_000_000 + i}`;
}

type Outcome = { kind: 'sent' } | { kind: 'failed'; code: string } | { kind: 'timeout' | 'http429' | 'http5xx' } | { kind: 'other'; what: string };
const MAX_OTHER_SAMPLES = 5;

export async function runCampaign(o: CampaignOptions): Promise<CampaignResult> {
  const concurrency = o.concurrency ?? DEFAULT_CONCURRENCY;
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  checkOptions(o, concurrency, timeoutMs);
  const targets = [o.endpoint, ...(o.replicas ?? [])].map((endpoint) => new URL(endpoint));
  const headers = { 'content-type': 'application/json', accept: 'application/json', ...authHeaders(o.auth) };
  const pickShape = shapePicker(o.payloadMix);
  const recipient = o.recipients ?? defaultRecipient;
  const wabaNumber = o.wabaNumber ?? DEFAULT_WABA_NUMBER;
  const batchId = o.batchId ?? todayBatchId();

  const result: CampaignResult = {
    campaignId: o.campaignId,
    count: o.count,
    sent: 0,
    failedByCode: {},
    timeouts: 0,
    http429: 0,
    http5xx: 0,
    otherErrors: 0,
    otherSamples: [],
    latencyMs: { p50: 0, p99: 0, max: 0 },
    durationMs: 0,
    msgIds: [],
    shapes: {},
  };
  // Acknowledged msgIds are kept by index so the result lists them in send order.
  const acknowledged: (string | undefined)[] = new Array(o.count);
  const latencies: number[] = [];
  const started = performance.now();
  let done = 0;
  let lastProgress = started;
  const progress = (): CampaignProgress => ({
    done,
    total: o.count,
    sent: result.sent,
    failed: done - result.sent - result.timeouts,
    timeouts: result.timeouts,
    elapsedMs: Math.round(performance.now() - started),
  });

  const pools = targets.map(
    (url) =>
      new Pool(url.origin, {
        connections: Math.ceil(concurrency / targets.length),
        pipelining: 1,
        // Our own timer enforces CleverTap's budget; undici's must never fire first.
        headersTimeout: timeoutMs + 60_000,
        bodyTimeout: timeoutMs + 60_000,
      }),
  );
  let next = 0;
  const sendOne = async (i: number) => {
    const shape = pickShape(i);
    result.shapes[shape] = (result.shapes[shape] ?? 0) + 1;
    const msgId = campaignMsgId(o.campaignId, batchId, i);
    const body = JSON.stringify(buildPayload(shape, { to: recipient(i), wabaNumber, msgId }));
    const target = i % targets.length;
    const url = targets[target]!;
    const outcome = await post(pools[target]!, url.pathname + url.search, headers, body, timeoutMs, latencies);
    if (outcome.kind === 'sent') {
      result.sent++;
      acknowledged[i] = msgId;
    } else if (outcome.kind === 'failed') result.failedByCode[outcome.code] = (result.failedByCode[outcome.code] ?? 0) + 1;
    else if (outcome.kind === 'timeout') result.timeouts++;
    else if (outcome.kind === 'http429') result.http429++;
    else if (outcome.kind === 'http5xx') result.http5xx++;
    else if (outcome.kind === 'other') {
      result.otherErrors++;
      if (result.otherSamples.length < MAX_OTHER_SAMPLES) result.otherSamples.push(outcome.what);
    }
    done++;
    const now = performance.now();
    if (o.onProgress && now - lastProgress >= (o.progressEveryMs ?? 1000)) {
      lastProgress = now;
      o.onProgress(progress());
    }
  };
  const worker = async () => {
    for (let i = next++; i < o.count; i = next++) await sendOne(i);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, o.count) }, worker));
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
  }

  result.durationMs = Math.round(performance.now() - started);
  result.msgIds = acknowledged.filter((m): m is string => m !== undefined);
  latencies.sort((a, b) => a - b);
  result.latencyMs = { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? 0 };
  o.onProgress?.(progress());
  return result;
}

async function post(
  pool: Pool,
  path: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  latencies: number[],
): Promise<Outcome> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const t0 = performance.now();
  try {
    const res = await pool.request({ method: 'POST', path, headers, body, signal: abort.signal });
    const text = await res.body.text();
    const elapsed = performance.now() - t0;
    if (elapsed > timeoutMs) return { kind: 'timeout' };
    latencies.push(Math.round(elapsed * 10) / 10);
    return classify(res.statusCode, text);
  } catch (error) {
    return abort.signal.aborted ? { kind: 'timeout' } : { kind: 'other', what: `${(error as Error).name}: ${(error as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
}

/** CleverTap reads the body only on HTTP 200 (spec §2). */
function classify(status: number, text: string): Outcome {
  if (status === 429) return { kind: 'http429' };
  if (status >= 500) return { kind: 'http5xx' };
  if (status !== 200) return { kind: 'other', what: `HTTP ${status}: ${text.slice(0, 120)}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'other', what: `HTTP 200, not JSON: ${text.slice(0, 120)}` };
  }
  const b = parsed as { status?: unknown; error?: { code?: unknown } } | null;
  if (b?.status === 'success') return { kind: 'sent' };
  const code = b?.error?.code;
  if (b?.status === 'failure' && (typeof code === 'number' || typeof code === 'string')) return { kind: 'failed', code: String(code) };
  return { kind: 'other', what: `HTTP 200, unexpected body: ${text.slice(0, 120)}` };
}

function authHeaders(auth: CampaignAuth | undefined): Record<string, string> {
  if (!auth) return {};
  switch (auth.kind) {
    case 'bearer':
      return { authorization: `Bearer ${auth.token}` };
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
    case 'headers': {
      // undici sets Host itself; letting a caller override it would break routing by origin.
      const { host: _host, Host: _Host, ...rest } = auth.headers;
      return rest;
    }
  }
}

function checkOptions(o: CampaignOptions, concurrency: number, timeoutMs: number): void {
  for (const endpoint of [o.endpoint, ...(o.replicas ?? [])]) {
    if (!/^https?:\/\//i.test(endpoint) || !URL.canParse(endpoint)) throw new RangeError(`endpoint must be an http(s) URL, got "${endpoint}"`);
  }
  if (o.campaignId === '' || o.campaignId.includes('|')) throw new RangeError('campaignId must be non-empty and contain no "|"');
  if (!Number.isInteger(o.count) || o.count < 0) throw new RangeError(`count must be a non-negative integer, got ${o.count}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError(`timeoutMs must be positive, got ${timeoutMs}`);
}
