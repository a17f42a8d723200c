/**
 * Load for `bench:scale`, spread over several entry points the way a load balancer would: one
 * generator per replica URL, the connections (and the offered rate) divided between them, all on
 * the load core. Closed loop uses wrk with bench/lib/scale-post.lua (each request to the next
 * account, so sends spread over several numbers); fixed rate uses the paced generator
 * (bench/lib/load-paced.ts) with account 0's body. Results are merged: rates and counts add up,
 * p50 is the request-weighted mean of the parts' p50s, p99 and max are the worst part's (an upper bound).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad, type LoadOptions, type LoadResult } from './load.js';
import { bodyTemplate, MSG_ID_MARKER, TO_MARKER } from './payload.js';
import { cpuPinning, LOAD_CPU, runToCompletion } from './processes.js';
import type { BenchNumber } from './scale-sims.js';

const SCALE_LUA = fileURLToPath(new URL('./scale-post.lua', import.meta.url));
const WRK_PREFIX = 'WRK_JSON ';
export const WABA_MARKER = '__WABA__';
/** Warm-up recipients sit in the upper half of the invocation's block of ten million. */
const WARMUP_RECIPIENT_OFFSET = 5_000_000;

export interface Templates {
  /** Markers for wabaNumber, to and msgId, in that order (scale-post.lua). */
  multiAccount: string;
  /** Account 0's body (markers for to and msgId), for the paced generator. */
  firstAccount: string;
}

export function writeTemplates(runDir: string, first: BenchNumber): Templates {
  const { template } = bodyTemplate();
  const body = JSON.parse(template) as Record<string, unknown>;
  const multi = JSON.stringify({ ...body, wabaNumber: WABA_MARKER, to: TO_MARKER, msgId: MSG_ID_MARKER });
  const single = JSON.stringify({ ...body, wabaNumber: first.wabaNumber, to: TO_MARKER, msgId: MSG_ID_MARKER });
  const paths = { multiAccount: join(runDir, 'body-multi-account.json'), firstAccount: join(runDir, 'body-first-account.json') };
  writeFileSync(paths.multiAccount, multi);
  writeFileSync(paths.firstAccount, single);
  return paths;
}

export interface SpreadLoad {
  /** Base URLs (http://127.0.0.1:port), one generator each. */
  baseUrls: string[];
  numbers: BenchNumber[];
  templates: Templates;
  authorization: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** undefined: closed loop (wrk); else req/s across all generators (paced). */
  offeredRate?: number;
  msgIdPrefix: string;
  firstRecipient: number;
  timeoutSeconds: number;
}

export interface SpreadResult {
  result: LoadResult;
  /** 200 answers with a success body, warm-up included: messages the gateway took on. */
  accepted: number;
  /** Campaign ids (the msgId's second field) the accepted messages carry. */
  campaigns: string[];
}

export async function runSpreadLoad(load: SpreadLoad): Promise<SpreadResult> {
  const parts = load.baseUrls.length;
  const share = (total: number, index: number) => Math.floor(total / parts) + (index < total % parts ? 1 : 0);
  // Each generator gets its own msgId prefix and recipient block (a tenth of the invocation's).
  const results = await Promise.all(
    load.baseUrls.map((baseUrl, index) => {
      const prefix = `${load.msgIdPrefix}|g${index}`;
      const firstRecipient = load.firstRecipient + index * 1_000_000;
      const connections = share(load.connections, index);
      return load.offeredRate === undefined
        ? runScaleWrk(load, baseUrl, connections, prefix, firstRecipient)
        : runPacedPart(load, baseUrl, connections, (load.offeredRate / parts), prefix, firstRecipient);
    }),
  );
  const merged = mergeResults(results.map((r) => r.result));
  return { result: merged, accepted: results.reduce((sum, r) => sum + r.accepted, 0), campaigns: [load.msgIdPrefix.split('|')[1]!] };
}

async function runPacedPart(load: SpreadLoad, baseUrl: string, connections: number, rate: number, prefix: string, firstRecipient: number): Promise<{ result: LoadResult; accepted: number }> {
  const options: LoadOptions = {
    url: `${baseUrl}/v1/clevertap/${load.numbers[0]!.account}/messages`,
    authorization: load.authorization,
    connections,
    warmupSeconds: load.warmupSeconds,
    durationSeconds: load.durationSeconds,
    offeredRate: rate,
    templatePath: load.templates.firstAccount,
    msgIdPrefix: prefix,
    firstRecipient,
    timeoutSeconds: load.timeoutSeconds,
  };
  const result = await runLoad('paced', options);
  // The paced generator does not report its warm-up; its sends are counted as offered.
  const warmup = Math.round(rate * load.warmupSeconds);
  return { result, accepted: result.requests - result.non200 - (result.failureBody ?? 0) - result.socketErrors - result.timeouts + warmup };
}

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

async function runScaleWrk(load: SpreadLoad, baseUrl: string, connections: number, prefix: string, firstRecipient: number): Promise<{ result: LoadResult; accepted: number }> {
  let warmupAccepted = 0;
  if (load.warmupSeconds > 0) {
    // The warm-up's msgIds carry the same campaign (second field), so the full cycle counts them too.
    const warm = await invokeWrk(load, baseUrl, connections, load.warmupSeconds, `${prefix}w`, firstRecipient + WARMUP_RECIPIENT_OFFSET);
    warmupAccepted = warm.requests - warm.non200 - warm.failureBody;
  }
  const raw = await invokeWrk(load, baseUrl, connections, load.durationSeconds, prefix, firstRecipient);
  const durationSeconds = raw.durationUs / 1e6;
  const result: LoadResult = {
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
  return { result, accepted: warmupAccepted + raw.requests - raw.non200 - raw.failureBody };
}

async function invokeWrk(load: SpreadLoad, baseUrl: string, connections: number, seconds: number, prefix: string, firstRecipient: number): Promise<WrkJson> {
  const accounts = load.numbers.map((n) => `${n.account}:${n.wabaNumber}`).join(',');
  const argv = [
    ...cpuPinning(LOAD_CPU),
    'wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', `${load.timeoutSeconds}s`,
    '-s', SCALE_LUA, `${baseUrl}/`,
    '--', load.templates.multiAccount, prefix, String(firstRecipient), load.authorization, accounts,
  ];
  const { exitCode, stdout, stderr } = await runToCompletion(argv);
  const line = stdout.split('\n').find((candidate) => candidate.startsWith(WRK_PREFIX));
  if (exitCode !== 0 || !line) throw new Error(`wrk failed (exit ${exitCode}):\n${stdout}\n${stderr}`);
  return JSON.parse(line.slice(WRK_PREFIX.length)) as WrkJson;
}

export function mergeResults(parts: LoadResult[]): LoadResult {
  if (parts.length === 1) return parts[0]!;
  const sum = (pick: (r: LoadResult) => number) => parts.reduce((total, r) => total + pick(r), 0);
  const requests = sum((r) => r.requests);
  const over = parts.map((r) => r.percentOver1s);
  const failureBodies = parts.map((r) => r.failureBody);
  return {
    tool: parts[0]!.tool,
    requests,
    durationSeconds: Math.max(...parts.map((r) => r.durationSeconds)),
    requestsPerSecond: sum((r) => r.requestsPerSecond),
    p50Ms: requests > 0 ? sum((r) => r.p50Ms * r.requests) / requests : 0,
    p99Ms: Math.max(...parts.map((r) => r.p99Ms)),
    maxMs: Math.max(...parts.map((r) => r.maxMs)),
    non200: sum((r) => r.non200),
    failureBody: failureBodies.every((v) => v !== null) ? failureBodies.reduce((a, b) => a! + b!, 0) : null,
    socketErrors: sum((r) => r.socketErrors),
    timeouts: sum((r) => r.timeouts),
    percentOver1s: over.every((v) => v !== null) && requests > 0 ? parts.reduce((t, r) => t + r.percentOver1s! * r.requests, 0) / requests : null,
  };
}
