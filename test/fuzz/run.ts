/**
 * @module test/fuzz/run
 * Long fuzz runs: `npm run fuzz -- --cases 1000000 [--seed N] [--path P] [--progress 10000]
 * [--no-shrink] [--max-heap-growth-mb 256]`. Starts its own gateway, prints progress, stops on
 * the first failure, prints the seed and path that replay it, and writes the failing input into
 * test/fixtures/fuzz/ for test/fuzz/regressions.test.ts. `FUZZ_SEED` and `FUZZ_PATH` work too.
 * Exits 0 when every case held, 1 on a failure, 2 on bad arguments.
 */
import { parseArgs } from 'node:util';
import { EXCLUDED } from './fuzz-config.js';
import { mb, runFuzz, writeFailureFixture } from './harness.js';
import { startFuzzTarget } from './target.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    path: { type: 'string' },
    progress: { type: 'string', default: '10000' },
    'no-shrink': { type: 'boolean', default: false },
    'max-heap-growth-mb': { type: 'string', default: '256' },
  },
});

const cases = Number(values.cases);
const seedText = values.seed ?? process.env['FUZZ_SEED'];
const seed = seedText === undefined ? undefined : Number(seedText);
const path = values.path ?? process.env['FUZZ_PATH'];
const progressEvery = Number(values.progress);
const maxHeapGrowthMb = Number(values['max-heap-growth-mb']);
if (!Number.isInteger(cases) || cases < 1 || (seed !== undefined && !Number.isInteger(seed)) || !(progressEvery > 0) || !(maxHeapGrowthMb > 0)) {
  console.error('usage: npm run fuzz -- --cases N [--seed N] [--path P] [--progress N] [--no-shrink] [--max-heap-growth-mb N]');
  process.exit(2);
}

const target = await startFuzzTarget();
console.log(`fuzzing ${target.gateway.url} with ${cases} cases${seed !== undefined ? `, seed ${seed}` : ''}${EXCLUDED.size > 0 ? `; excluded while being fixed: ${[...EXCLUDED.keys()].join(', ')}` : ''}`);
let exitCode = 0;
try {
  const report = await runFuzz(target, {
    numRuns: cases,
    ...(seed !== undefined ? { seed } : {}),
    ...(path ? { path } : {}),
    exclude: new Set(EXCLUDED.keys()),
    progressEvery,
    shrink: !values['no-shrink'],
    maxHeapGrowthBytes: maxHeapGrowthMb * 1024 * 1024,
    onProgress: (done, elapsedMs) => {
      const heap = process.memoryUsage().heapUsed;
      console.log(`${done} cases, ${(elapsedMs / 1000).toFixed(0)} s, ${Math.round(done / (elapsedMs / 1000))} cases/s, heap ${mb(heap)}`);
    },
  });
  const rate = Math.round(report.cases / (report.elapsedMs / 1000));
  console.log(`${report.cases} cases in ${(report.elapsedMs / 1000).toFixed(1)} s (${rate} cases/s), seed ${report.seed}`);
  console.log(`heap growth: ${report.heapGrowthBytes === undefined ? 'not measured (no gc)' : mb(report.heapGrowthBytes)}; slowest answer ${report.slowest.ms} ms (${report.slowest.branch} ${report.slowest.target})`);
  console.log(`statuses: ${JSON.stringify(report.statuses)}; callbacks CleverTap received: ${report.callbacks}`);
  console.log(`branches: ${JSON.stringify(report.branches)}`);
  if (report.failure) {
    exitCode = 1;
    console.error(`\nFAILED: ${report.failure.violation}`);
    console.error(`seed ${report.failure.seed}, path ${report.failure.path}`);
    console.error(`replay: npm run fuzz -- --seed ${report.failure.seed} --path ${report.failure.path}`);
    if (report.failure.fuzzCase.steps.length > 0) console.error(`written to ${writeFailureFixture(report.failure)}`);
  }
} finally {
  await target.close();
}
process.exit(exitCode);
