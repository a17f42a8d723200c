/**
 * Turns the webhook bench's rounds into its table, goal check and summary: webhook
 * acknowledgement latency for both targets, and for the gateway the lag from each status
 * webhook to the delivery report CleverTap received for it. Latencies are medians over rounds
 * (robust to one noisy round on a shared machine); error and missing counts are totals.
 */
import { percentile, type WebhookLoadRecord, type WebhookLoadResult } from './webhook-load.js';
import { reportKey, STAGES, type BatchMode, type PoolMessage } from './webhook-payload.js';

export type WebhookTarget = 'baseline' | 'gateway';

/** Webhook-to-callback lag of one gateway round, over the statuses due in its measured window. */
export interface LagResult {
  /** Measured statuses whose webhook was answered 200 (so a delivery report is owed). */
  expected: number;
  arrived: number;
  missing: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  percentOver1s: number;
}

export interface WebhookRound {
  round: number;
  mode: BatchMode;
  target: WebhookTarget;
  load: WebhookLoadResult;
  /** Cores the server under test used over the round. */
  serverCores: number;
  lag?: LagResult;
}

export function computeLag(record: WebhookLoadRecord, pool: PoolMessage[], arrivals: Map<string, number>): LagResult {
  const lags: number[] = [];
  let expected = 0;
  for (const [dueEpochMs, statusCode, measured, statuses] of record.posts) {
    if (!measured || statusCode !== 200) continue;
    for (const code of statuses) {
      expected++;
      const message = pool[record.poolOffset + Math.floor(code / 3)]!;
      const arrivedAt = arrivals.get(reportKey(message.msgId, STAGES[code % 3]!));
      if (arrivedAt !== undefined) lags.push(arrivedAt - dueEpochMs);
    }
  }
  lags.sort((a, b) => a - b);
  return {
    expected,
    arrived: lags.length,
    missing: expected - lags.length,
    p50Ms: percentile(lags, 50),
    p99Ms: percentile(lags, 99),
    maxMs: lags.at(-1) ?? 0,
    percentOver1s: lags.length ? (100 * lags.filter((lag) => lag > 1000).length) / lags.length : 0,
  };
}

/** Statuses a gateway round was answered 200 for, warm-up included: the delivery reports it owes. */
export function owedReports(record: WebhookLoadRecord): number {
  let owed = 0;
  for (const [, statusCode, , statuses] of record.posts) if (statusCode === 200) owed += statuses.length;
  return owed;
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

export interface TargetSummary {
  rounds: number;
  statusesPerSecond: number;
  postsPerSecond: number;
  meanBatch: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  percentOver1s: number;
  non200: number;
  socketErrors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  serverCores: number;
  lag?: { p50Ms: number; p99Ms: number; maxMs: number; percentOver1s: number; expected: number; missing: number };
}

export interface ModeSummary {
  mode: BatchMode;
  description: string;
  baseline?: TargetSummary;
  gateway?: TargetSummary;
  /** gateway ÷ baseline, ack latency medians. */
  p50Ratio?: number;
  p99Ratio?: number;
}

function summarizeTarget(rounds: WebhookRound[]): TargetSummary | undefined {
  if (rounds.length === 0) return undefined;
  const loads = rounds.map((r) => r.load);
  const statusCodes: Record<string, number> = {};
  for (const load of loads) for (const [code, n] of Object.entries(load.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  const summary: TargetSummary = {
    rounds: rounds.length,
    statusesPerSecond: median(loads.map((l) => l.statusesPerSecond)),
    postsPerSecond: median(loads.map((l) => l.postsPerSecond)),
    meanBatch: median(loads.map((l) => l.meanBatch)),
    p50Ms: median(loads.map((l) => l.p50Ms)),
    p99Ms: median(loads.map((l) => l.p99Ms)),
    maxMs: Math.max(...loads.map((l) => l.maxMs)),
    percentOver1s: median(loads.map((l) => l.percentOver1s)),
    non200: sum(loads.map((l) => l.non200)),
    socketErrors: sum(loads.map((l) => l.socketErrors)),
    timeouts: sum(loads.map((l) => l.timeouts)),
    statusCodes,
    serverCores: median(rounds.map((r) => r.serverCores)),
  };
  const lags = rounds.map((r) => r.lag).filter((lag): lag is LagResult => lag !== undefined);
  if (lags.length) {
    summary.lag = {
      p50Ms: median(lags.map((l) => l.p50Ms)),
      p99Ms: median(lags.map((l) => l.p99Ms)),
      maxMs: Math.max(...lags.map((l) => l.maxMs)),
      percentOver1s: median(lags.map((l) => l.percentOver1s)),
      expected: sum(lags.map((l) => l.expected)),
      missing: sum(lags.map((l) => l.missing)),
    };
  }
  return summary;
}

export function summarizeMode(mode: BatchMode, description: string, rounds: WebhookRound[]): ModeSummary {
  const of = (target: WebhookTarget) => rounds.filter((r) => r.mode === mode && r.target === target);
  const summary: ModeSummary = { mode, description };
  const baseline = summarizeTarget(of('baseline'));
  const gateway = summarizeTarget(of('gateway'));
  if (baseline) summary.baseline = baseline;
  if (gateway) summary.gateway = gateway;
  if (baseline && gateway) {
    if (baseline.p50Ms > 0) summary.p50Ratio = gateway.p50Ms / baseline.p50Ms;
    if (baseline.p99Ms > 0) summary.p99Ratio = gateway.p99Ms / baseline.p99Ms;
  }
  return summary;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
export const formatRate = (value: number) => integer.format(value);
export const formatMs = (value: number) => (value >= 100 ? integer.format(value) : value.toFixed(1));

export function progressLine(round: number, rounds: number, mode: BatchMode, target: WebhookTarget, result: WebhookRound): string {
  const load = result.load;
  const problems = [
    load.non200 ? `${load.non200} non-200 ${JSON.stringify(load.statusCodes)}` : '',
    load.socketErrors ? `${load.socketErrors} socket errors` : '',
    load.timeouts ? `${load.timeouts} timeouts` : '',
    Object.keys(load.errorsByCode).length ? JSON.stringify(load.errorsByCode) : '',
    load.generatorLateP99Ms > 20 ? `generator ran late (p99 ${formatMs(load.generatorLateP99Ms)} ms)` : '',
  ].filter(Boolean);
  return (
    `[round ${round}/${rounds}] ${target.padEnd(8)} ${mode.padEnd(6)} … ${formatRate(load.statusesPerSecond)} statuses/s in ${formatRate(load.postsPerSecond)} POSTs/s` +
    `  ack p50 ${formatMs(load.p50Ms)} ms  p99 ${formatMs(load.p99Ms)} ms  max ${formatMs(load.maxMs)} ms  server ${result.serverCores.toFixed(2)} cores` +
    (problems.length ? `  ⚠ ${problems.join(', ')}` : '')
  );
}

export function renderTable(modes: ModeSummary[]): string {
  const header = ['mode', 'target', 'statuses/s', 'POSTs/s', 'ack p50', 'ack p99', 'ack max', '>1 s', 'non-200/err', 'cores', 'DLR lag p50', 'DLR lag p99', 'DLR lag max', 'DLR missing', 'gw/base p50', 'gw/base p99'];
  const rows: string[][] = [];
  for (const mode of modes) {
    for (const [label, target] of [['baseline', mode.baseline], ['gateway', mode.gateway]] as const) {
      if (!target) continue;
      const isGateway = label === 'gateway';
      rows.push([
        mode.mode,
        label,
        formatRate(target.statusesPerSecond),
        formatRate(target.postsPerSecond),
        `${formatMs(target.p50Ms)} ms`,
        `${formatMs(target.p99Ms)} ms`,
        `${formatMs(target.maxMs)} ms`,
        `${target.percentOver1s.toFixed(2)}%`,
        String(target.non200 + target.socketErrors + target.timeouts),
        target.serverCores.toFixed(2),
        target.lag ? `${formatMs(target.lag.p50Ms)} ms` : '–',
        target.lag ? `${formatMs(target.lag.p99Ms)} ms` : '–',
        target.lag ? `${formatMs(target.lag.maxMs)} ms` : '–',
        target.lag ? `${target.lag.missing} / ${formatRate(target.lag.expected)}` : '–',
        isGateway && mode.p50Ratio !== undefined ? mode.p50Ratio.toFixed(1) : '',
        isGateway && mode.p99Ratio !== undefined ? mode.p99Ratio.toFixed(1) : '',
      ]);
    }
  }
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export interface GoalCheck {
  goal: string;
  met: boolean | null;
  detail: string;
}

/** The goals from docs/benchmarks.md (Webhooks), checked per mode against the gateway's numbers. */
export function checkGoals(modes: ModeSummary[]): GoalCheck[] {
  const checks: GoalCheck[] = [];
  for (const mode of modes) {
    const gateway = mode.gateway;
    if (!gateway) continue;
    const m = mode.mode;
    checks.push({ goal: `${m}: webhook ack p99 < 250 ms`, met: gateway.p99Ms < 250, detail: `p99 ${formatMs(gateway.p99Ms)} ms` });
    checks.push({
      goal: `${m}: Meta's guidance — median ≤ 250 ms and < 1 % over 1 s`,
      met: gateway.p50Ms <= 250 && gateway.percentOver1s < 1,
      detail: `p50 ${formatMs(gateway.p50Ms)} ms, ${gateway.percentOver1s.toFixed(2)} % over 1 s`,
    });
    const failures = gateway.non200 + gateway.socketErrors + gateway.timeouts;
    checks.push({ goal: `${m}: zero non-200 / errors`, met: failures === 0, detail: `${failures} (${JSON.stringify(gateway.statusCodes)})` });
    if (gateway.lag) {
      checks.push({ goal: `${m}: webhook-to-callback lag p99 < 1 s`, met: gateway.lag.p99Ms < 1000, detail: `p99 ${formatMs(gateway.lag.p99Ms)} ms` });
      checks.push({
        goal: `${m}: every acknowledged status reported to CleverTap`,
        met: gateway.lag.missing === 0,
        detail: `${gateway.lag.missing} of ${formatRate(gateway.lag.expected)} missing`,
      });
    }
  }
  return checks;
}

export function renderGoals(checks: GoalCheck[]): string {
  const mark = (met: boolean | null) => (met === null ? ' n/a ' : met ? ' met ' : 'MISSED');
  return checks.map((check) => `  [${mark(check.met)}] ${check.goal}: ${check.detail}`).join('\n');
}
