/**
 * Replays every failure the fuzzer ever found (test/fixtures/fuzz/*.json, written by the fuzz
 * test and `npm run fuzz`) against a fresh gateway, with the same invariants. A fixture with a
 * `pending` note is a known failure in code being fixed elsewhere: it is skipped, named, until
 * the note is removed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FuzzCase } from './cases.js';
import { FUZZ_FIXTURES, runCase } from './harness.js';
import { startFuzzTarget, type FuzzTarget } from './target.js';

interface FuzzFixture {
  violation: string;
  pending?: string;
  case: FuzzCase;
}

const fixtures = readdirSync(FUZZ_FIXTURES)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => [name, JSON.parse(readFileSync(new URL(name, FUZZ_FIXTURES), 'utf8')) as FuzzFixture] as const);

let target: FuzzTarget;
beforeAll(async () => {
  target = await startFuzzTarget();
});
afterAll(async () => {
  await target?.close();
});

describe('fuzz regressions', () => {
  it('has fixtures to replay', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  for (const [name, fixture] of fixtures) {
    const title = `${name}: ${fixture.violation.slice(0, 120)}`;
    if (fixture.pending) {
      it.skip(`${title} (pending: ${fixture.pending})`, () => undefined);
      continue;
    }
    it(title, async () => {
      expect(fixture.case.steps.length).toBeGreaterThan(0);
      expect(await runCase(target, fixture.case)).toBeUndefined();
    });
  }
});
