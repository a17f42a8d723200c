/**
 * `bench:scale`'s table and goal check: per deployment and scenario, the medians over rounds of
 * ingest req/s and latency, error totals, the ratio against the bare baseline measured in the same
 * rounds, and the full-cycle rate counted at the CleverTap receiver.
 */
import type { LoadResult } from './load.js';
import { formatMs, formatRate, median, summarizeTarget, type GoalCheck, type ScenarioName, type TargetSummary } from './report.js';
import type { FullCycle } from './scale-fullcycle.js';

export interface ScaleRound {
  target: string;
  round: number;
  scenario: ScenarioName;
  baseline: LoadResult;
  result: LoadResult;
  accepted: number;
  fullCycle: FullCycle;
  notes: string[];
}

export interface ScaleRow {
  target: string;
  scenario: ScenarioName;
  baseline: TargetSummary;
  gateway: TargetSummary;
  ratio: number;
  fullCycleMps: number | null;
  allDoneSeconds: number | null;
  stalled: string[];
  disturbed: boolean;
}

export function summarizeRows(rounds: ScaleRound[]): ScaleRow[] {
  const keys = [...new Set(rounds.map((r) => `${r.target}\u0000${r.scenario}`))];
  return keys.map((key) => {
    const [target, scenario] = key.split('\u0000') as [string, ScenarioName];
    const mine = rounds.filter((r) => r.target === target && r.scenario === scenario);
    const baseline = summarizeTarget(mine.map((r) => r.baseline))!;
    const gateway = summarizeTarget(mine.map((r) => r.result))!;
    const rates = mine.map((r) => r.fullCycle.messagesPerSecond).filter((v): v is number => v !== null);
    const allDone = mine.map((r) => r.fullCycle.allDoneSeconds).filter((v): v is number => v !== null);
    return {
      target,
      scenario,
      baseline,
      gateway,
      // Median of per-round ratios: each round's gateway against the baseline measured just before it.
      ratio: median(mine.map((r) => r.result.requestsPerSecond / Math.max(1, r.baseline.requestsPerSecond))),
      fullCycleMps: rates.length ? median(rates) : null,
      allDoneSeconds: allDone.length ? median(allDone) : null,
      stalled: mine.flatMap((r) => (r.fullCycle.stalled ? [`round ${r.round}: ${r.fullCycle.stalled}`] : [])),
      disturbed: mine.some((r) => r.notes.length > 0),
    };
  });
}

export function renderScaleTable(rows: ScaleRow[]): string {
  const header = ['deployment', 'scenario', 'req/s', 'p50 ms', 'p99 ms', 'max ms', '>1 s', 'non-200+err', 'base req/s', 'ratio', 'full cycle msg/s', 'all read s', ''];
  const body = rows.map((row) => {
    const g = row.gateway;
    const errors = g.non200 + (g.failureBody ?? 0) + g.socketErrors + g.timeouts;
    return [
      row.target,
      row.scenario,
      formatRate(g.requestsPerSecond),
      formatMs(g.p50Ms),
      formatMs(g.p99Ms),
      formatMs(g.maxMs),
      g.percentOver1s === null ? '–' : `${g.percentOver1s.toFixed(2)}%`,
      String(errors),
      formatRate(row.baseline.requestsPerSecond),
      row.ratio.toFixed(2),
      row.fullCycleMps === null ? '–' : formatRate(row.fullCycleMps),
      row.allDoneSeconds === null ? '–' : row.allDoneSeconds.toFixed(1),
      [row.disturbed ? 'disturbed' : '', row.stalled.length ? 'stalled' : ''].filter(Boolean).join(', '),
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column < 2 || column === 12 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** The goal for `--workers 2` on a 2-core machine. */
export function checkScaleGoals(rows: ScaleRow[], target: string): GoalCheck[] {
  const closed = rows.find((r) => r.target === target && r.scenario === 'closed-loop');
  if (!closed) return [{ goal: `${target}: measured`, met: null, detail: 'not in this run (--targets)' }];
  const g = closed.gateway;
  const failures = rows.filter((r) => r.target === target).reduce((t, r) => t + r.gateway.non200 + (r.gateway.failureBody ?? 0) + r.gateway.socketErrors + r.gateway.timeouts, 0);
  return [
    { goal: `${target} closed loop: req/s above the single-core bare baseline (ratio > 1.0)`, met: closed.ratio > 1, detail: `ratio ${closed.ratio.toFixed(2)} (${formatRate(g.requestsPerSecond)} against ${formatRate(closed.baseline.requestsPerSecond)})` },
    // No answer at all within the round is no latency to speak of, not a met goal.
    { goal: `${target} closed loop: p99 < 1 s`, met: g.requestsPerSecond > 0 && g.p99Ms < 1000, detail: g.requestsPerSecond > 0 ? `p99 ${formatMs(g.p99Ms)} ms` : 'no answers in the measured window' },
    { goal: `${target}: zero non-200 / failures (all scenarios)`, met: g.requestsPerSecond > 0 && failures === 0, detail: `${failures} failed requests${g.requestsPerSecond > 0 ? '' : ' (and no answers in the measured window)'}` },
  ];
}
