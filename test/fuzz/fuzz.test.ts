/**
 * A few thousand fuzz cases against a real gateway on every `npm test` (the long runs are
 * `npm run fuzz -- --cases 1000000`). A failure prints the seed and the fast-check path to
 * replay it: `FUZZ_SEED=<seed> FUZZ_PATH=<path> npx vitest run test/fuzz/fuzz.test.ts`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXCLUDED } from './fuzz-config.js';
import { mb, runFuzz, writeFailureFixture } from './harness.js';
import { startFuzzTarget, type FuzzTarget } from './target.js';

const CASES = Number(process.env['FUZZ_CASES'] ?? 3_000);
let target: FuzzTarget;
beforeAll(async () => {
  target = await startFuzzTarget();
});
afterAll(async () => {
  await target?.close();
});

describe('fuzz', () => {
  it(`answers ${CASES} hostile requests clearly, with bounded memory`, async () => {
    const seed = process.env['FUZZ_SEED'] === undefined ? undefined : Number(process.env['FUZZ_SEED']);
    const report = await runFuzz(target, {
      numRuns: CASES,
      ...(seed !== undefined ? { seed } : {}),
      ...(process.env['FUZZ_PATH'] ? { path: process.env['FUZZ_PATH'] } : {}),
      exclude: new Set(EXCLUDED.keys()),
      maxHeapGrowthBytes: 64 * 1024 * 1024,
      // ~15 s on an idle machine; on a very busy one the run stops here rather than hold up the suite.
      timeLimitMs: 50_000,
    });
    const summary = `${report.interrupted ? 'interrupted by the time limit after ' : ''}${report.cases} cases in ${(report.elapsedMs / 1000).toFixed(1)} s (${Math.round(report.cases / (report.elapsedMs / 1000))}/s), seed ${report.seed}, heap ${report.heapGrowthBytes === undefined ? 'not measured' : mb(report.heapGrowthBytes)}, slowest ${report.slowest.ms} ms (${report.slowest.branch}), ${report.callbacks} callbacks`;
    console.log(summary, JSON.stringify(report.branches), JSON.stringify(report.statuses));
    if (report.failure) {
      const fixture = report.failure.fuzzCase.steps.length > 0 ? writeFailureFixture(report.failure) : undefined;
      expect.fail(`${report.failure.violation}\nreplay: FUZZ_SEED=${report.failure.seed} FUZZ_PATH=${report.failure.path} npx vitest run test/fuzz/fuzz.test.ts${fixture ? `\nwritten to ${fixture}` : ''}`);
    }
    // Every case ran, unless the time limit cut a run on a very busy machine short (said above).
    if (!report.interrupted) expect(report.cases).toBe(CASES);
    expect(report.cases).toBeGreaterThan(0);
  }, 180_000);
});
