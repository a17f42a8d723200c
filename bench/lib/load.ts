/**
 * What every load tool is asked to do and what it reports, plus the dispatch to the tool.
 *
 * wrk (C, one thread pinned to core 1) is preferred for the closed loop: a Node load generator on
 * one core saturates before a fast server does. autocannon is the fallback that works from a fresh
 * clone. The fixed-rate scenario uses the paced generator (bench/lib/load-paced.ts) by default:
 * autocannon's `overallRate` releases each connection's per-second quota at the same instant on
 * all connections, so "3,000 req/s over 1,500 connections" becomes a 1,500-request burst every
 * second rather than a spread-out rate. `--rate-tool autocannon` still selects it.
 */
import { fileURLToPath } from 'node:url';
import { cpuPinning, LOAD_CPU, runToCompletion } from './processes.js';
import { runWrk } from './load-wrk.js';

export type LoadToolName = 'wrk' | 'autocannon' | 'paced';

export interface LoadOptions {
  url: string;
  authorization: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** Requests per second across all connections; undefined = closed loop at full speed. */
  offeredRate?: number;
  /** Body template with __TO__ and __MSG_ID__ markers (bench/lib/payload.ts). */
  templatePath: string;
  /** Unique per invocation, so msgIds never repeat within or across runs. */
  msgIdPrefix: string;
  /** First recipient (digits after "91") of this invocation's block of ten million. */
  firstRecipient: number;
  /** Load generator requests a single answer slower than this as a timeout. */
  timeoutSeconds: number;
}

export interface LoadResult {
  tool: LoadToolName;
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Answers whose HTTP status was not 200. */
  non200: number;
  /** HTTP 200 answers whose body was not {"status":"success"}; null when the tool cannot tell. */
  failureBody: number | null;
  /** Connection, read and write errors (not timeouts). */
  socketErrors: number;
  timeouts: number;
  /** Socket errors and timeouts by error code, when the tool reports them (paced). */
  errorsByCode?: Record<string, number>;
  /** Share of answers slower than 1 s, which CleverTap counts as failed; null when unknown. */
  percentOver1s: number | null;
  /**
   * How late the generator itself handed measured requests to the wire (paced only): latency is
   * measured from when a request was due, so a generator starved of CPU (it shares its core with
   * the Meta simulator) adds this much to what the server is charged with.
   */
  generatorLate?: { p99Ms: number; maxMs: number };
}

export async function runLoad(tool: LoadToolName, options: LoadOptions): Promise<LoadResult> {
  if (tool === 'wrk') return runWrk(options);
  return runNodeLoadChild(tool, options);
}

const LOAD_CHILD = fileURLToPath(new URL('./load-child.ts', import.meta.url));
const RESULT_PREFIX = 'LOAD_JSON ';

/** The Node-based tools run in their own process, pinned to the load core, never in the orchestrator. */
async function runNodeLoadChild(tool: 'autocannon' | 'paced', options: LoadOptions): Promise<LoadResult> {
  const argv = [...cpuPinning(LOAD_CPU), process.execPath, '--import', 'tsx', LOAD_CHILD, tool, JSON.stringify(options)];
  const { exitCode, stdout, stderr } = await runToCompletion(argv);
  const line = stdout.split('\n').find((candidate) => candidate.startsWith(RESULT_PREFIX));
  if (exitCode !== 0 || !line) {
    throw new Error(`${tool} failed (exit ${exitCode}):\n${stderr.slice(-4000)}`);
  }
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as LoadResult;
}

export function printLoadResult(result: LoadResult): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}
