/**
 * The soak's load generator (bench/soak.ts), run as its own process pinned to the load core: an
 * open loop at a fixed rate for a fixed time, one request in ten drawn from bench/lib/garbage.ts
 * (the kinds in turn), the rest valid CleverTap sends with unique msgIds and recipients.
 *
 * Prints `SOAK_TICK {...}` every 10 s (counts so far) and `SOAK_JSON {...}` at the end: answers by
 * kind and status, transport errors by kind and code, and the valid sends' answer times.
 *
 * Usage: node --import tsx bench/lib/soak-load.ts '<SoakSpec JSON>'
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { GARBAGE_KINDS, garbageMaker, type BenchRequest } from './garbage.js';
import { distribution, type Distribution } from './overload-load.js';
import { makeBodyBuilder } from './payload.js';

export interface SoakSpec {
  baseUrl: string;
  accountId: string;
  authorization: string;
  templatePath: string;
  msgIdPrefix: string;
  firstRecipient: number;
  rate: number;
  seconds: number;
  /** One request in `garbageEvery` is garbage (10 = 10 %). */
  garbageEvery: number;
  bodyLimitBytes: number;
  connections: number;
  timeoutMs: number;
  seed: number;
}

export interface SoakCounts {
  elapsedSeconds: number;
  sent: number;
  answered: number;
  /** kind → status (or error code) → count. */
  byKind: Record<string, Record<string, number>>;
  /** Valid sends answered 200 with {"status":"success"}: the messages the simulator must receive. */
  validSuccess: number;
  /** Every request answered success, garbage that the gateway still took included (e.g. a numeric `to`). */
  acceptedAll: number;
  fiveHundreds: number;
  inFlight: number;
}

export interface SoakResult extends SoakCounts {
  valid: Distribution;
  garbage: Distribution;
  /** The generator's worst lateness putting a request on the wire, ms. */
  lateMaxMs: number;
}

async function runSoak(spec: SoakSpec): Promise<SoakResult> {
  const pool = new Pool(spec.baseUrl, { connections: spec.connections, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: spec.timeoutMs, bodyTimeout: spec.timeoutMs });
  const buildValid = makeBodyBuilder(readFileSync(spec.templatePath, 'utf8'), spec.msgIdPrefix, spec.firstRecipient);
  const makeGarbage = garbageMaker({ accountId: spec.accountId, authorization: spec.authorization, bodyLimitBytes: spec.bodyLimitBytes, seed: spec.seed });
  const validHeaders = { 'content-type': 'application/json', authorization: spec.authorization };
  const validPath = `/v1/clevertap/${spec.accountId}/messages`;
  const counts: SoakCounts = { elapsedSeconds: 0, sent: 0, answered: 0, byKind: {}, validSuccess: 0, acceptedAll: 0, fiveHundreds: 0, inFlight: 0 };
  const validMs: number[] = [];
  const garbageMs: number[] = [];
  let lateMaxMs = 0;
  const count = (kind: string, key: string) => {
    const row = (counts.byKind[kind] ??= {});
    row[key] = (row[key] ?? 0) + 1;
  };

  const send = async (request: BenchRequest, dueMs: number) => {
    counts.sent++;
    counts.inFlight++;
    try {
      const { statusCode, body } = await pool.request({ method: request.method, path: request.path, headers: request.headers, body: request.body ?? null });
      const text = await body.text();
      const ms = performance.now() - dueMs;
      const success = statusCode === 200 && text.includes('"status":"success"');
      // A 200 carries CleverTap's verdict in its body: "success" means stored and to be sent.
      count(request.kind, statusCode === 200 ? (success ? '200 success' : '200 fail') : String(statusCode));
      if (statusCode >= 500) counts.fiveHundreds++;
      if (success) counts.acceptedAll++;
      if (request.kind === 'valid') {
        validMs.push(ms);
        if (success) counts.validSuccess++;
      } else {
        garbageMs.push(ms);
      }
    } catch (error) {
      count(request.kind, (error as { code?: string }).code ?? 'error');
    } finally {
      counts.answered++;
      counts.inFlight--;
    }
  };

  const start = performance.now();
  const total = Math.round(spec.rate * spec.seconds);
  const intervalMs = 1000 / spec.rate;
  let sequence = 0;
  let validSequence = 0;
  let garbageSequence = 0;
  let nextTick = start + 10_000;
  const inFlight = new Set<Promise<void>>();
  while (sequence < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor((now - start) / intervalMs) + 1);
    while (sequence < due) {
      const dueMs = start + sequence * intervalMs;
      lateMaxMs = Math.max(lateMaxMs, now - dueMs);
      const validBody = buildValid(validSequence++);
      const request: BenchRequest =
        sequence % spec.garbageEvery === spec.garbageEvery - 1
          ? makeGarbage(GARBAGE_KINDS[garbageSequence++ % GARBAGE_KINDS.length]!, validBody)
          : { kind: 'valid', method: 'POST', path: validPath, headers: validHeaders, body: validBody };
      const pending = send(request, dueMs);
      inFlight.add(pending);
      void pending.finally(() => inFlight.delete(pending));
      sequence++;
    }
    if (now >= nextTick) {
      counts.elapsedSeconds = (now - start) / 1000;
      process.stdout.write(`SOAK_TICK ${JSON.stringify(counts)}\n`);
      nextTick += 10_000;
    }
    await sleep(1);
  }
  await Promise.race([Promise.allSettled([...inFlight]), sleep(spec.timeoutMs + 1000)]);
  await pool.destroy();
  counts.elapsedSeconds = (performance.now() - start) / 1000;
  return { ...counts, valid: distribution(validMs), garbage: distribution(garbageMs), lateMaxMs };
}

const spec = JSON.parse(process.argv[2] ?? '{}') as SoakSpec;
const result = await runSoak(spec);
process.stdout.write(`SOAK_JSON ${JSON.stringify(result)}\n`);
process.exit(0);
