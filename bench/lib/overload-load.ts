/**
 * The overload bench's load generator, run as its own process pinned to the load core
 * (bench/overload.ts starts it once per measurement).
 *
 * Three shapes of load, all over raw sockets (bench/lib/raw-http.ts) so the generator is cheaper
 * per request than the server it loads:
 * - `burst`: N new connections opened in the same instant, one request each — CleverTap starting
 *   a campaign against an idle gateway. Times run from the instant of the burst, connect included.
 * - `closed`: N connections at full speed for a while (the gateway's capacity, 200s per second).
 * - `paced`: an open loop at fixed rates, one phase after another. Request k of a phase is due at
 *   its start + k / rate; a free connection carries it, a new one is opened when none is free (up to
 *   `maxConnections`), else it waits in the generator, and is given up after `expireAfterMs` (as
 *   CleverTap gives up after a second). Times are kept both from when a request went on the wire
 *   (the server's share: kernel queues, accept, the gateway) and from when it was due (what a
 *   sender saw, the generator's own delays included); per-second rows are by due second.
 *
 * Usage: node --import tsx bench/lib/overload-load.ts '<LoadSpec JSON>'; prints `OVERLOAD_JSON {...}`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { makeBodyBuilder } from './payload.js';
import { RawConnection, requestBytes } from './raw-http.js';

export interface LoadTarget {
  port: number;
  path: string;
  authorization: string;
  templatePath: string;
  msgIdPrefix: string;
  firstRecipient: number;
  timeoutMs: number;
}

export type LoadSpec =
  | (LoadTarget & { mode: 'burst'; connections: number })
  | (LoadTarget & { mode: 'closed'; connections: number; warmupMs: number; durationMs: number })
  | (LoadTarget & { mode: 'paced'; phases: PacedPhase[]; maxConnections: number; prewarmConnections: number; expireAfterMs: number });

export interface PacedPhase {
  label: string;
  rate: number;
  seconds: number;
}

export interface Distribution {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  over1s: number;
}

export interface BurstResult {
  mode: 'burst';
  connections: number;
  byStatus: Record<string, number>;
  errors: Record<string, number>;
  /** Every answer, from the instant of the burst. */
  all: Distribution;
  /** The 200 answers alone. */
  ok: Distribution;
  connect: Distribution;
}

export interface ClosedResult {
  mode: 'closed';
  connections: number;
  measuredSeconds: number;
  ok200PerSecond: number;
  answersPerSecond: number;
  /** 200 answers over the measured window. */
  ok: Distribution;
  /** Over the whole run, warm-up (the connection burst) included. */
  byStatus: Record<string, number>;
  errors: Record<string, number>;
  /** 429s per second of the run (by answer time), to see whether they sit at the start. */
  shedBySecond: number[];
}

export interface PacedSecond {
  second: number;
  phase: string;
  offered: number;
  written: number;
  ok: number;
  shed: number;
  other: number;
  errors: number;
  /** Requests that waited in the generator for a free connection longer than `expireAfterMs` and were
   * given up unsent, as CleverTap gives up on a send after a second. */
  expired: number;
  /** 200 answers' times from when the request went on the wire: the server's share. */
  okP50Ms: number;
  okP99Ms: number;
  okMaxMs: number;
  okOver1s: number;
  /** The same from when the request was due: what the sender saw, generator's own delays included. */
  okP99FromDueMs: number;
  okOver1sFromDue: number;
  shedP99Ms: number;
  /** How late the generator put the second's requests on the wire (p99), ms. */
  writeLateP99Ms: number;
  /** The generator's own worst event-loop lag in that second (it reads answers this late at worst). */
  loopLagMaxMs: number;
  connectionsOpen: number;
}

export interface PacedResult {
  mode: 'paced';
  seconds: PacedSecond[];
  byStatus: Record<string, number>;
  errors: Record<string, number>;
  /** Requests still waiting in the generator for a connection when the run ended (never sent). */
  neverSent: number;
  maxConnectionsOpen: number;
}

export type LoadResult = BurstResult | ClosedResult | PacedResult;

export function distribution(values: number[]): Distribution {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]! : 0);
  let over1s = 0;
  for (let i = sorted.length - 1; i >= 0 && sorted[i]! > 1000; i--) over1s++;
  return { count: sorted.length, p50Ms: at(50), p99Ms: at(99), maxMs: sorted.length ? sorted[sorted.length - 1]! : 0, over1s };
}

const bump = (counts: Record<string, number>, key: string | number) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

function requestMaker(spec: LoadTarget): (n: number) => Buffer {
  const build = makeBodyBuilder(readFileSync(spec.templatePath, 'utf8'), spec.msgIdPrefix, spec.firstRecipient);
  const headers = { 'content-type': 'application/json', authorization: spec.authorization };
  return (n) => requestBytes('POST', spec.path, spec.port, headers, build(n));
}

async function runBurst(spec: Extract<LoadSpec, { mode: 'burst' }>): Promise<BurstResult> {
  const make = requestMaker(spec);
  const requests = Array.from({ length: spec.connections }, (_, i) => make(i));
  const byStatus: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const all: number[] = [];
  const ok: number[] = [];
  const connectTimes: number[] = [];
  const start = performance.now();
  const connections = requests.map(() => new RawConnection(spec.port, spec.timeoutMs));
  // Whatever is still open then (a connect stuck in SYN retries) is given up, so the round ends.
  const giveUp = setTimeout(() => connections.forEach((c) => c.destroy()), spec.timeoutMs * 2);
  await Promise.all(
    connections.map(async (connection, i) => {
      try {
        await connection.ready();
        connectTimes.push(performance.now() - start);
        const answer = await connection.send(requests[i]!);
        const ms = performance.now() - start;
        bump(byStatus, answer.status);
        all.push(ms);
        if (answer.status === 200) ok.push(ms);
      } catch (error) {
        bump(errors, (error as NodeJS.ErrnoException).code ?? 'unknown');
      } finally {
        connection.destroy();
      }
    }),
  );
  clearTimeout(giveUp);
  return { mode: 'burst', connections: spec.connections, byStatus, errors, all: distribution(all), ok: distribution(ok), connect: distribution(connectTimes) };
}

async function runClosed(spec: Extract<LoadSpec, { mode: 'closed' }>): Promise<ClosedResult> {
  const make = requestMaker(spec);
  const byStatus: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const okMs: number[] = [];
  const shedBySecond: number[] = [];
  let measuredAnswers = 0;
  let sequence = 0;
  const start = performance.now();
  const measureFrom = start + spec.warmupMs;
  const end = measureFrom + spec.durationMs;
  const worker = async () => {
    let connection = new RawConnection(spec.port, spec.timeoutMs);
    while (performance.now() < end) {
      if (connection.closed) connection = new RawConnection(spec.port, spec.timeoutMs);
      const sentAt = performance.now();
      try {
        const answer = await connection.send(make(sequence++));
        const now = performance.now();
        bump(byStatus, answer.status);
        if (answer.status === 429) {
          const second = Math.floor((now - start) / 1000);
          shedBySecond[second] = (shedBySecond[second] ?? 0) + 1;
        }
        if (sentAt >= measureFrom && now <= end) {
          measuredAnswers++;
          if (answer.status === 200) okMs.push(now - sentAt);
        }
      } catch (error) {
        bump(errors, (error as NodeJS.ErrnoException).code ?? 'unknown');
        connection.destroy();
        await sleep(10);
      }
    }
    connection.destroy();
  };
  await Promise.all(Array.from({ length: spec.connections }, worker));
  const measuredSeconds = spec.durationMs / 1000;
  return {
    mode: 'closed',
    connections: spec.connections,
    measuredSeconds,
    ok200PerSecond: okMs.length / measuredSeconds,
    answersPerSecond: measuredAnswers / measuredSeconds,
    ok: distribution(okMs),
    byStatus,
    errors,
    shedBySecond: Array.from(shedBySecond, (n) => n ?? 0),
  };
}

interface SecondAccumulator {
  phase: string;
  offered: number;
  written: number;
  ok: number[];
  okFromDue: number[];
  shed: number[];
  other: number;
  errors: number;
  expired: number;
  writeLate: number[];
  connectionsOpen: number;
  loopLagMaxMs: number;
}

async function runPaced(spec: Extract<LoadSpec, { mode: 'paced' }>): Promise<PacedResult> {
  const make = requestMaker(spec);
  const byStatus: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const seconds: SecondAccumulator[] = [];
  const idle: RawConnection[] = [];
  const open = new Set<RawConnection>();
  // FIFO by due time; a head index instead of shift(), which is O(n) on a queue of tens of thousands.
  const waiting: { sequence: number; dueMs: number }[] = [];
  let waitingHead = 0;
  const nextWaiting = (now: number) => {
    while (waitingHead < waiting.length) {
      const request = waiting[waitingHead++]!;
      if (now - request.dueMs <= spec.expireAfterMs) return request;
      secondOf(request.dueMs).expired++;
    }
    waiting.length = 0;
    waitingHead = 0;
    return undefined;
  };
  let maxOpen = 0;
  let sequence = 0;
  let neverSent = 0;

  const openConnection = () => {
    const connection = new RawConnection(spec.port, spec.timeoutMs);
    open.add(connection);
    maxOpen = Math.max(maxOpen, open.size);
    connection.socket.once('close', () => open.delete(connection));
    return connection;
  };
  // Connections CleverTap would already hold; opened before the clock starts.
  const prewarm = Array.from({ length: Math.min(spec.prewarmConnections, spec.maxConnections) }, openConnection);
  await Promise.allSettled(prewarm.map((c) => c.ready()));
  for (const connection of prewarm) if (!connection.closed) idle.push(connection);

  const start = performance.now();
  const bucketAt = (index: number) =>
    (seconds[Math.max(0, index)] ??= { phase: '', offered: 0, written: 0, ok: [], okFromDue: [], shed: [], other: 0, errors: 0, expired: 0, writeLate: [], connectionsOpen: 0, loopLagMaxMs: 0 });
  const secondOf = (dueMs: number) => bucketAt(Math.floor((dueMs - start) / 1000));
  // The generator's own event-loop lag: answers it reads late look slow though the server was not.
  let lagExpected = performance.now() + 10;
  const lagTimer = setInterval(() => {
    const now = performance.now();
    const bucket = secondOf(now);
    bucket.loopLagMaxMs = Math.max(bucket.loopLagMaxMs, now - lagExpected);
    lagExpected = now + 10;
  }, 10);
  const inFlight = new Set<Promise<void>>();

  const dispatch = (connection: RawConnection, request: { sequence: number; dueMs: number }) => {
    const bucket = secondOf(request.dueMs);
    bucket.written++;
    const writtenAt = performance.now();
    bucket.writeLate.push(writtenAt - request.dueMs);
    const pending = (async () => {
      try {
        if (!connection.connected) await connection.ready();
        const answer = await connection.send(make(request.sequence));
        const now = performance.now();
        bump(byStatus, answer.status);
        if (answer.status === 200) {
          bucket.ok.push(now - writtenAt);
          bucket.okFromDue.push(now - request.dueMs);
        } else if (answer.status === 429) bucket.shed.push(now - writtenAt);
        else bucket.other++;
      } catch (error) {
        bucket.errors++;
        bump(errors, (error as NodeJS.ErrnoException).code ?? 'unknown');
        connection.destroy();
      }
      const next = nextWaiting(performance.now());
      if (next) dispatch(connection.closed ? openConnection() : connection, next);
      else if (!connection.closed) idle.push(connection);
    })();
    inFlight.add(pending);
    void pending.finally(() => inFlight.delete(pending));
  };

  const offer = (request: { sequence: number; dueMs: number }) => {
    secondOf(request.dueMs).offered++;
    let connection = idle.pop();
    while (connection?.closed) connection = idle.pop();
    if (connection) dispatch(connection, request);
    else if (open.size < spec.maxConnections) dispatch(openConnection(), request);
    else waiting.push(request);
  };

  let phaseStart = start;
  for (const phase of spec.phases) {
    const intervalMs = 1000 / phase.rate;
    const total = Math.round(phase.rate * phase.seconds);
    const phaseEnd = phaseStart + phase.seconds * 1000;
    const firstSecond = Math.round((phaseStart - start) / 1000);
    for (let s = firstSecond; s < firstSecond + Math.ceil(phase.seconds); s++) bucketAt(s).phase = phase.label;
    let k = 0;
    while (k < total) {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - phaseStart) / intervalMs) + 1);
      while (k < due) offer({ sequence: sequence++, dueMs: phaseStart + k++ * intervalMs });
      secondOf(Math.min(now, phaseEnd - 1)).connectionsOpen = open.size;
      // Give up what waited too long even while no connection frees up.
      if (waitingHead < waiting.length && now - waiting[waitingHead]!.dueMs > spec.expireAfterMs) {
        const next = nextWaiting(now);
        if (next) waiting[--waitingHead] = next;
      }
      await sleep(1);
    }
    // The next phase starts on schedule, whatever this one left queued.
    const wait = phaseEnd - performance.now();
    if (wait > 0) await sleep(wait);
    phaseStart = phaseEnd;
  }
  // Requests that never found a connection are dropped, not sent late into the next measurement.
  neverSent = waiting.length - waitingHead;
  for (const request of waiting.splice(waitingHead)) secondOf(request.dueMs).expired++;
  await Promise.race([Promise.allSettled([...inFlight]), sleep(spec.timeoutMs + 1000)]);
  for (const connection of open) connection.destroy();
  clearInterval(lagTimer);

  return {
    mode: 'paced',
    seconds: seconds.map((bucket, second) => {
      const ok = distribution(bucket?.ok ?? []);
      const okFromDue = distribution(bucket?.okFromDue ?? []);
      return {
        second,
        phase: bucket?.phase ?? '',
        offered: bucket?.offered ?? 0,
        written: bucket?.written ?? 0,
        ok: ok.count,
        shed: bucket?.shed.length ?? 0,
        other: bucket?.other ?? 0,
        errors: bucket?.errors ?? 0,
        expired: bucket?.expired ?? 0,
        okP99FromDueMs: okFromDue.p99Ms,
        okOver1sFromDue: okFromDue.over1s,
        okP50Ms: ok.p50Ms,
        okP99Ms: ok.p99Ms,
        okMaxMs: ok.maxMs,
        okOver1s: ok.over1s,
        shedP99Ms: distribution(bucket?.shed ?? []).p99Ms,
        writeLateP99Ms: distribution(bucket?.writeLate ?? []).p99Ms,
        loopLagMaxMs: bucket?.loopLagMaxMs ?? 0,
        connectionsOpen: bucket?.connectionsOpen ?? 0,
      };
    }),
    byStatus,
    errors,
    neverSent,
    maxConnectionsOpen: maxOpen,
  };
}

const RESULT_PREFIX = 'OVERLOAD_JSON ';

export function parseLoadOutput(stdout: string): LoadResult | undefined {
  const line = stdout.split('\n').find((candidate) => candidate.startsWith(RESULT_PREFIX));
  return line ? (JSON.parse(line.slice(RESULT_PREFIX.length)) as LoadResult) : undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
  const result = spec.mode === 'burst' ? await runBurst(spec) : spec.mode === 'closed' ? await runClosed(spec) : await runPaced(spec);
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
  process.exit(0);
}
