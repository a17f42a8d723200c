/**
 * @module test/fuzz/harness
 * Runs generated cases against a fuzz target with fast-check: seeded, so `FUZZ_SEED` (and
 * `FUZZ_PATH` for one shrunk case) replays a run exactly; shrinks a failure to a small input;
 * checks after every case that the gateway still answers its health check, at progress points
 * and at the end that every callback it posted passes CleverTap's format check, and after the
 * run that its heap has not grown past a bound. A failing case is written as a fixture into
 * test/fixtures/fuzz/, which test/fuzz/regressions.test.ts replays.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import type { FuzzCase } from './cases.js';
import { fuzzCaseArb } from './generators.js';
import { violation } from './invariants.js';
import type { FuzzTarget, SentRequest } from './target.js';

export const FUZZ_FIXTURES = new URL('../fixtures/fuzz/', import.meta.url);
const SIMULATOR_RESET_EVERY = 20_000;
/** Cases kept for a refused callback's fixture: its cause is among them. */
const RECENT_CASES = 30;

export interface FuzzOptions {
  numRuns: number;
  seed?: number;
  /** fast-check's counterexample path: replays one (shrunk) case of `seed`. */
  path?: string;
  exclude: ReadonlySet<string>;
  /** Called every `progressEvery` cases. */
  onProgress?(done: number, elapsedMs: number): void;
  progressEvery?: number;
  /** Shrink a failure (slower, smaller input); the runner can turn it off for speed. */
  shrink?: boolean;
  /** Heap growth allowed over the run, after a full collection. */
  maxHeapGrowthBytes: number;
  /** Stop (without failing) after this long: bounds a test's time on a loaded machine. */
  timeLimitMs?: number;
}

export interface FuzzReport {
  seed: number;
  cases: number;
  elapsedMs: number;
  /** True when the time limit ended the run before all its cases. */
  interrupted: boolean;
  /** Cases per branch, to show every generator ran. */
  branches: Record<string, number>;
  statuses: Record<string, number>;
  slowest: { ms: number; branch: string; target: string };
  heapGrowthBytes: number | undefined;
  /** Callbacks CleverTap's simulator received during the run: hostile input reached them too. */
  callbacks: number;
  failure?: FuzzFailure;
}

export interface FuzzFailure {
  seed: number;
  path: string;
  violation: string;
  fuzzCase: FuzzCase;
  /** Set when a callback to CleverTap broke: the fixture's replay then checks callbacks too. */
  callback?: 'dlr' | 'imo';
}

/** One case's verdict: the first broken invariant, or undefined. */
export async function runCase(target: FuzzTarget, fuzzCase: FuzzCase, record?: (sent: SentRequest) => void): Promise<string | undefined> {
  const state: { msgId?: string } = {};
  for (const request of fuzzCase.steps) {
    let sent: SentRequest;
    try {
      sent = await target.send(request, state);
    } catch (error) {
      return `no readable answer to ${request.method} ${request.target.slice(0, 100)}: ${(error as Error).message}`;
    }
    record?.(sent);
    const broken = violation(sent, target.context);
    if (broken) return `${request.method} ${request.target.slice(0, 100)}: ${broken}`;
  }
  return healthProblem(target);
}

/** The gateway must still answer `/healthz` after any input (on a kept-alive connection: it runs after every case). */
async function healthProblem(target: FuzzTarget): Promise<string | undefined> {
  try {
    const status = await target.health();
    return status === 200 ? undefined : `/healthz answered ${status} after this case`;
  } catch (error) {
    return `/healthz did not answer after this case: ${(error as Error).message}`;
  }
}

export async function runFuzz(target: FuzzTarget, options: FuzzOptions): Promise<FuzzReport> {
  const arbitrary = fuzzCaseArb({ ...target.context, exclude: options.exclude });
  const branches: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  let slowest = { ms: 0, branch: '', target: '' };
  let done = 0;
  const progressEvery = options.progressEvery ?? 10_000;
  const started = performance.now();
  let crash: Error | undefined;
  const onCrash = (error: unknown) => {
    crash ??= error instanceof Error ? error : new Error(String(error));
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);

  let callbackFault: string | undefined;
  const baseline = await settledHeap(target);
  const recent: FuzzCase[] = [];
  const property = fc.asyncProperty(arbitrary, async (fuzzCase) => {
    // A refused callback is found after its cause: fail once, on the case that found it, and let
    // every shrink attempt pass, so fast-check stops there instead of "shrinking" an innocent case.
    if (callbackFault) return;
    const verdict = await runCase(target, fuzzCase, (sent) => {
      const key = `${sent.response.status}`;
      statuses[key] = (statuses[key] ?? 0) + 1;
      if (sent.response.ms > slowest.ms) slowest = { ms: Math.round(sent.response.ms), branch: fuzzCase.branch, target: sent.request.target.slice(0, 80) };
    });
    branches[fuzzCase.branch] = (branches[fuzzCase.branch] ?? 0) + 1;
    done++;
    if (done % progressEvery === 0) options.onProgress?.(done, performance.now() - started);
    recent.push(fuzzCase);
    if (recent.length > RECENT_CASES) recent.shift();
    callbackFault = callbackProblem(target);
    if (callbackFault) throw new Error(callbackFault);
    // The simulators remember every send; over a million cases that memory is theirs, not the gateway's.
    if (done % SIMULATOR_RESET_EVERY === 0) target.resetSimulators();
    if (crash) throw new Error(`the process crashed: ${crash.stack ?? crash.message}`);
    if (verdict) throw new Error(verdict);
  });

  let result: fc.RunDetails<[FuzzCase]>;
  try {
    result = await fc.check(property, {
      numRuns: options.numRuns,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.path !== undefined ? { path: options.path } : {}),
      endOnFailure: options.shrink === false,
      ...(options.timeLimitMs !== undefined ? { interruptAfterTimeLimit: options.timeLimitMs, markInterruptAsFailure: false } : {}),
    });
  } finally {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  }
  const elapsedMs = performance.now() - started;
  if (!result.failed) callbackFault = callbackProblem(target);
  const callbacks = target.clevertap.deliveryReports().length + target.clevertap.inboundMessages().length;
  const after = await settledHeap(target);
  const heapGrowthBytes = baseline !== undefined && after !== undefined ? after - baseline : undefined;
  const report: FuzzReport = { seed: result.seed, cases: done, interrupted: result.interrupted, elapsedMs, branches, statuses, slowest, heapGrowthBytes, callbacks };

  if (callbackFault) {
    // The cause is one of the cases before (callbacks leave after the answer): keep them all, in order.
    report.failure = {
      seed: result.seed,
      path: '',
      violation: callbackFault,
      fuzzCase: { branch: 'callbacks', steps: recent.flatMap((fuzzCase) => fuzzCase.steps) },
      callback: callbackFault.includes('(/imo') ? 'imo' : 'dlr',
    };
  } else if (result.failed && result.counterexample) {
    const message = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
    report.failure = { seed: result.seed, path: result.counterexamplePath ?? '', violation: message, fuzzCase: result.counterexample[0] };
  } else if (result.failed) {
    report.failure = { seed: result.seed, path: result.counterexamplePath ?? '', violation: `fast-check stopped: ${String(result.errorInstance)}`, fuzzCase: { branch: 'none', steps: [] } };
  } else if (heapGrowthBytes !== undefined && heapGrowthBytes > options.maxHeapGrowthBytes) {
    report.failure = {
      seed: result.seed,
      path: '',
      violation: `heap grew by ${mb(heapGrowthBytes)} over ${done} cases (bound ${mb(options.maxHeapGrowthBytes)})`,
      fuzzCase: { branch: 'memory', steps: [] },
    };
  }
  return report;
}

/** Writes a failing case as a fixture for regressions.test.ts; returns its path. */
export function writeFailureFixture(failure: FuzzFailure): string {
  mkdirSync(FUZZ_FIXTURES, { recursive: true });
  const name = `${failure.fuzzCase.branch.replace(/[^a-z0-9+-]+/gi, '-')}-seed${failure.seed}.json`;
  const file = new URL(name, FUZZ_FIXTURES);
  const fixture = {
    found: new Date().toISOString().slice(0, 10),
    violation: failure.violation,
    replay: failure.path ? `FUZZ_SEED=${failure.seed} FUZZ_PATH=${failure.path} npm run fuzz` : `FUZZ_SEED=${failure.seed} npm run fuzz`,
    ...(failure.callback ? { callback: failure.callback } : {}),
    case: failure.fuzzCase,
  };
  writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
  return file.pathname;
}

/**
 * Whatever was sent to the gateway, what it posts to CleverTap must pass CleverTap's format
 * check (the simulator's validators). Checked at progress points and at the end, since
 * callbacks leave after the answer; the failing input is then one of the cases before.
 */
export function callbackProblem(target: FuzzTarget): string | undefined {
  const invalid = target.clevertap.rejectedBodies().find((rejected) => rejected.kind === 'invalid');
  if (!invalid) return undefined;
  return `the gateway posted CleverTap a callback its format check refuses (${invalid.path}): ${invalid.reason.slice(0, 300)}; body ${JSON.stringify(invalid.body).slice(0, 300)}`;
}

/** heapUsed after a full collection (undefined if no collection can be forced), simulators emptied first. */
async function settledHeap(target: FuzzTarget): Promise<number | undefined> {
  target.resetSimulators();
  const gc = forcedGc();
  if (!gc) return undefined;
  // Let in-flight work (dispatches, callbacks) settle, then collect twice (weak refs, finalizers).
  await new Promise((resolve) => setTimeout(resolve, 200));
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  return process.memoryUsage().heapUsed;
}

function forcedGc(): (() => void) | undefined {
  const global = globalThis as { gc?: () => void };
  if (global.gc) return global.gc;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
