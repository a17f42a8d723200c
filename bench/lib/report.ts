/**
 * Turns per-round load results into the final table, the goal check and the JSON summary line.
 * Rates and latencies are medians over rounds (robust to one noisy round on a shared machine);
 * error counts are totals (one failed request in any round matters).
 */
import type { LoadResult, LoadToolName } from './load.js';

export type ScenarioName = 'closed-loop' | 'fixed-rate';
export type TargetName = 'baseline' | 'gateway';

export interface RoundResult {
  round: number;
  scenario: ScenarioName;
  target: TargetName;
  result: LoadResult;
}

export interface TargetSummary {
  tool: LoadToolName;
  rounds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  percentOver1s: number | null;
  non200: number;
  failureBody: number | null;
  socketErrors: number;
  timeouts: number;
}

export interface ScenarioSummary {
  scenario: ScenarioName;
  description: string;
  baseline?: TargetSummary;
  gateway?: TargetSummary;
  /** gateway requests/s ÷ baseline requests/s (medians). */
  ratio?: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

export function summarizeTarget(results: LoadResult[]): TargetSummary | undefined {
  if (results.length === 0) return undefined;
  const over1s = results.map((r) => r.percentOver1s);
  const failureBodies = results.map((r) => r.failureBody);
  return {
    tool: results[0]!.tool,
    rounds: results.length,
    requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    maxMs: Math.max(...results.map((r) => r.maxMs)),
    percentOver1s: over1s.every((v) => v !== null) ? median(over1s as number[]) : null,
    non200: sum(results.map((r) => r.non200)),
    failureBody: failureBodies.every((v) => v !== null) ? sum(failureBodies as number[]) : null,
    socketErrors: sum(results.map((r) => r.socketErrors)),
    timeouts: sum(results.map((r) => r.timeouts)),
  };
}

export function summarizeScenario(scenario: ScenarioName, description: string, rounds: RoundResult[]): ScenarioSummary {
  const of = (target: TargetName) => rounds.filter((r) => r.scenario === scenario && r.target === target).map((r) => r.result);
  const baseline = summarizeTarget(of('baseline'));
  const gateway = summarizeTarget(of('gateway'));
  const summary: ScenarioSummary = { scenario, description };
  if (baseline) summary.baseline = baseline;
  if (gateway) summary.gateway = gateway;
  if (baseline && gateway && baseline.requestsPerSecond > 0) summary.ratio = gateway.requestsPerSecond / baseline.requestsPerSecond;
  return summary;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
export const formatRate = (value: number) => integer.format(value);
export const formatMs = (value: number) => (value >= 100 ? integer.format(value) : value.toFixed(1));

/** One progress line per measured round, e.g. `[round 2/3] gateway closed-loop … 6,812 req/s p99 190 ms`. */
export function progressLine(round: number, rounds: number, target: string, scenario: ScenarioName, result: LoadResult): string {
  const problems = [
    result.non200 ? `${result.non200} non-200` : '',
    result.failureBody ? `${result.failureBody} failure bodies` : '',
    result.socketErrors ? `${result.socketErrors} socket errors` : '',
    result.timeouts ? `${result.timeouts} timeouts` : '',
    result.errorsByCode && Object.keys(result.errorsByCode).length ? JSON.stringify(result.errorsByCode) : '',
  ].filter(Boolean);
  return (
    `[round ${round}/${rounds}] ${target.padEnd(8)} ${scenario.padEnd(11)} (${result.tool}) … ` +
    `${formatRate(result.requestsPerSecond)} req/s  p50 ${formatMs(result.p50Ms)} ms  p99 ${formatMs(result.p99Ms)} ms` +
    (result.generatorLate ? `  (generator late p99 ${formatMs(result.generatorLate.p99Ms)} ms, max ${formatMs(result.generatorLate.maxMs)} ms)` : '') +
    (problems.length ? `  ⚠ ${problems.join(', ')}` : '')
  );
}

export function renderTable(scenarios: ScenarioSummary[], gatewayLabel: string): string {
  const header = ['scenario', 'target', 'tool', 'req/s', 'p50 ms', 'p99 ms', 'max ms', '>1 s', 'non-200', 'fail body', 'sock err', 'timeouts', 'gw/base'];
  const rows: string[][] = [];
  for (const scenario of scenarios) {
    for (const [label, target] of [['baseline', scenario.baseline], [gatewayLabel, scenario.gateway]] as const) {
      if (!target) continue;
      rows.push([
        scenario.scenario,
        label,
        target.tool,
        formatRate(target.requestsPerSecond),
        formatMs(target.p50Ms),
        formatMs(target.p99Ms),
        formatMs(target.maxMs),
        target.percentOver1s === null ? '–' : `${target.percentOver1s.toFixed(2)}%`,
        String(target.non200),
        target.failureBody === null ? '–' : String(target.failureBody),
        String(target.socketErrors),
        String(target.timeouts),
        label === gatewayLabel && scenario.ratio !== undefined ? scenario.ratio.toFixed(2) : '',
      ]);
    }
  }
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export interface GoalCheck {
  goal: string;
  met: boolean | null;
  detail: string;
}

/** The goals from docs/benchmarks.md, checked against the gateway's numbers. */
export function checkGoals(scenarios: ScenarioSummary[]): GoalCheck[] {
  const closed = scenarios.find((s) => s.scenario === 'closed-loop');
  const fixed = scenarios.find((s) => s.scenario === 'fixed-rate');
  const checks: GoalCheck[] = [];
  const gatewayOf = (s: ScenarioSummary | undefined) => s?.gateway;
  const closedGateway = gatewayOf(closed);
  const fixedGateway = gatewayOf(fixed);
  checks.push(
    closedGateway
      ? { goal: 'closed loop: p99 well under 1 s', met: closedGateway.p99Ms < 1000, detail: `p99 ${formatMs(closedGateway.p99Ms)} ms` }
      : { goal: 'closed loop: p99 well under 1 s', met: null, detail: 'not measured' },
  );
  checks.push(
    fixedGateway
      ? { goal: 'fixed rate: p99 < 100 ms (aim)', met: fixedGateway.p99Ms < 100, detail: `p99 ${formatMs(fixedGateway.p99Ms)} ms` }
      : { goal: 'fixed rate: p99 < 100 ms (aim)', met: null, detail: 'not measured' },
  );
  const gateways = [closedGateway, fixedGateway].filter((g): g is TargetSummary => g !== undefined);
  const failures = sum(gateways.map((g) => g.non200 + (g.failureBody ?? 0) + g.socketErrors + g.timeouts));
  checks.push(
    gateways.length
      ? { goal: 'zero non-200 / failures', met: failures === 0, detail: `${failures} failed requests` }
      : { goal: 'zero non-200 / failures', met: null, detail: 'not measured' },
  );
  checks.push(
    closed?.ratio !== undefined
      ? { goal: 'gateway/baseline req/s ≥ 0.5 (closed loop)', met: closed.ratio >= 0.5, detail: `ratio ${closed.ratio.toFixed(2)}` }
      : { goal: 'gateway/baseline req/s ≥ 0.5 (closed loop)', met: null, detail: 'not measured' },
  );
  return checks;
}

export function renderGoals(checks: GoalCheck[]): string {
  const mark = (met: boolean | null) => (met === null ? ' n/a ' : met ? ' met ' : 'MISSED');
  return checks.map((check) => `  [${mark(check.met)}] ${check.goal}: ${check.detail}`).join('\n');
}
