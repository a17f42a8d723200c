/**
 * `npm run bench:preflight` — what template pre-flight adds to a send, next to the parsing every
 * send pays anyway, measured in the same run.
 *
 * For every template fixture: the baseline is JSON.parse + CleverTap parsing (what a send costs
 * before pre-flight existed); the measured path adds the index lookup and every check against
 * the simulator's seeded catalogue (the same templates a sandbox gateway syncs). Rounds alternate
 * so machine noise hits both alike; the report gives µs per send and the added share.
 *
 * Flags: --rounds <n> (5)  --iterations <n> (20000 per fixture per round)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseSendRequest } from '../src/clevertap/index.js';
import { preflightTemplate, TemplateIndex } from '../src/pipeline/template-preflight.js';
import { DEFAULT_TEMPLATES } from '../src/sim/meta/default-templates.js';
import { parseTemplateDefinition } from '../src/whatsapp/template-definitions.js';
import type { TemplateDefinition } from '../src/domain/template.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, iterations: { type: 'string', default: '20000' } } });
const rounds = Number(values.rounds);
const iterations = Number(values.iterations);

const folder = new URL('../test/fixtures/clevertap/requests/', import.meta.url);
const bodies = readdirSync(folder)
  .filter((name) => name.startsWith('template-'))
  .map((name) => ({ name, raw: readFileSync(new URL(name, folder)) }));

// The simulator's seeds as Meta lists them: id, status and parameter format are filled in.
const definitions = DEFAULT_TEMPLATES.map((seed, i) => {
  const parsed = parseTemplateDefinition({ id: String(i + 1), status: 'APPROVED', parameter_format: 'POSITIONAL', category: 'MARKETING', ...seed });
  if ('error' in parsed) throw new Error(`seed ${seed.name}: ${parsed.error}`);
  return parsed;
}) satisfies TemplateDefinition[];
const index = new TemplateIndex(definitions);

let sink = 0;
function parseOnly(raw: Buffer): void {
  const parsed = parseSendRequest(JSON.parse(raw.toString('utf8')));
  if (parsed.kind === 'message') sink += parsed.request.to.length;
}
function parseAndPreflight(raw: Buffer): void {
  const parsed = parseSendRequest(JSON.parse(raw.toString('utf8')));
  if (parsed.kind !== 'message' || parsed.request.content.kind !== 'template') throw new Error('fixture is not a template send');
  const checked = preflightTemplate(parsed.request.content, index);
  if (!checked.ok) throw new Error(checked.message);
  sink += checked.content.bodyParams.length;
}

// Every fixture must pass pre-flight, or the measurement would time the failure path.
for (const { name, raw } of bodies) {
  try {
    parseAndPreflight(raw);
  } catch (error) {
    throw new Error(`${name}: ${(error as Error).message}`);
  }
}

function timeMicros(run: (raw: Buffer) => void): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) for (const { raw } of bodies) run(raw);
  return Number(process.hrtime.bigint() - started) / 1000 / (iterations * bodies.length);
}

// Pre-flight on its own, on contents parsed once: the cost the send path adds, without parse noise.
const contents = bodies.map(({ raw }) => {
  const parsed = parseSendRequest(JSON.parse(raw.toString('utf8')));
  if (parsed.kind !== 'message' || parsed.request.content.kind !== 'template') throw new Error('fixture is not a template send');
  return parsed.request.content;
});
function timePreflightAlone(): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    for (const content of contents) {
      const checked = preflightTemplate(content, index);
      if (checked.ok) sink += 1;
    }
  }
  return Number(process.hrtime.bigint() - started) / 1000 / (iterations * contents.length);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
timeMicros(parseOnly);
timeMicros(parseAndPreflight);
timePreflightAlone();
const baseline: number[] = [];
const measured: number[] = [];
const alone: number[] = [];
for (let round = 1; round <= rounds; round++) {
  // Alternate which goes first, so warming up or a noisy neighbour does not favour one side.
  if (round % 2 === 1) {
    baseline.push(timeMicros(parseOnly));
    measured.push(timeMicros(parseAndPreflight));
  } else {
    measured.push(timeMicros(parseAndPreflight));
    baseline.push(timeMicros(parseOnly));
  }
  alone.push(timePreflightAlone());
  process.stderr.write(`round ${round}/${rounds}: parse ${baseline.at(-1)!.toFixed(2)} µs, parse + pre-flight ${measured.at(-1)!.toFixed(2)} µs\n`);
}
const base = median(baseline);
const withPreflight = median(measured);
process.stdout.write(
  [
    `bench:preflight — ${bodies.length} template fixtures × ${iterations} × ${rounds} rounds, ${definitions.length} templates in the index`,
    `baseline  JSON.parse + CleverTap parse:   ${base.toFixed(2)} µs/send`,
    `measured  + template pre-flight:           ${withPreflight.toFixed(2)} µs/send`,
    `pre-flight alone (contents parsed once): ${median(alone).toFixed(2)} µs/send`,
    `ratio measured/baseline ${(withPreflight / base).toFixed(2)} (1.00 = no measurable cost)`,
    `(checksum ${sink % 997})`,
  ].join('\n') + '\n',
);
