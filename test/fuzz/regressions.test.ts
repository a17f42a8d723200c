/**
 * Replays every failure the fuzzer ever found (test/fixtures/fuzz/*.json, written by the fuzz
 * test and `npm run fuzz`) against a fresh gateway, with the same invariants. A fixture with a
 * `pending` note is a known failure in code being fixed elsewhere: it is skipped, named, until
 * the note is removed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FuzzCase } from './cases.js';
import { eventually } from '../support/gateway.js';
import { WEBHOOK_FIXTURES } from './generators.js';
import { callbackProblem, FUZZ_FIXTURES, runCase } from './harness.js';
import { fromValue } from './json-text.js';
import { startFuzzTarget, type FuzzTarget } from './target.js';

interface FuzzFixture {
  violation: string;
  pending?: string;
  /** The failure shows in a callback to CleverTap: wait for this one (`dlr` or `imo`) and check it too. */
  callback?: 'dlr' | 'imo';
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
      target.resetSimulators();
      expect(await runCase(target, fixture.case)).toBeUndefined();
      if (fixture.callback) {
        // Whether or not the case owes CleverTap a callback, one owed after it arrives after it:
        // once a sentinel reply is in (or something was refused), the case's callback has been judged.
        const sentinel = await sendSentinelReply(target);
        await eventually(
          () => JSON.stringify(target.clevertap.inboundMessages()).includes(sentinel) || target.clevertap.rejectedBodies().length > 0,
          'the sentinel reply to reach CleverTap',
        );
        expect(callbackProblem(target)).toBeUndefined();
      }
    });
  }
});

/** A signed inbound text reply with a unique body; returns the text to look for. */
async function sendSentinelReply(fuzz: FuzzTarget): Promise<string> {
  const text = `sentinel-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const hook = structuredClone(WEBHOOK_FIXTURES.find(([name]) => name === 'inbound-text-reply.json')![1]) as any;
  const value = hook.entry[0].changes[0].value;
  value.metadata.phone_number_id = fuzz.context.phoneNumberId;
  value.messages[0].id = `wamid.${text}`;
  value.messages[0].text.body = text;
  delete value.messages[0].context;
  const sent = await fuzz.send({ method: 'POST', target: '/v1/whatsapp/webhook', headers: [['content-type', 'application/json']], body: { json: fromValue(hook) }, sign: 'valid' }, {});
  expect(sent.response.status).toBe(200);
  return text;
}
