/**
 * @module observability/latency-history
 * Recent history of the process's latency histograms, for the console's dashboard: the gateway's
 * answer time to CleverTap and the callback lag are observed per request into histograms
 * (./metrics.ts) and stored nowhere per message, so their history over time is kept here — a
 * snapshot of the cumulative bucket counts every `intervalMs`, for `keepMs` — and a time range
 * is answered per bucket as p50/p99 from the difference of two snapshots.
 *
 * It is this process's view: since it started, and on a scaled-out gateway only the requests
 * this replica answered (Prometheus, scraping every replica, has the whole of it). Snapshots
 * cost one small array copy per histogram per interval, off the hot path.
 */
import type { HistogramCell } from './cells.js';

export interface LatencyPoint {
  /** The bucket's start, epoch ms. */
  at: number;
  /** Observations in the bucket. */
  count: number;
  /** Seconds; absent when nothing was observed. */
  p50?: number;
  p99?: number;
}

interface Snapshot {
  at: number;
  counts: Float64Array;
  count: number;
}

export interface LatencyHistoryOptions {
  intervalMs?: number;
  keepMs?: number;
  now?: () => number;
}

/** One histogram's recent history. */
export class LatencyHistory {
  readonly #cell: HistogramCell;
  readonly #keepMs: number;
  readonly #now: () => number;
  readonly #snapshots: Snapshot[] = [];
  readonly #startedAt: number;

  constructor(cell: HistogramCell, options: { keepMs: number; now: () => number }) {
    this.#cell = cell;
    this.#keepMs = options.keepMs;
    this.#now = options.now;
    this.#startedAt = this.#now();
    this.#snapshots.push({ at: this.#startedAt, counts: new Float64Array(cell.counts.length), count: 0 });
  }

  /** Snapshots kept. */
  get size(): number {
    return this.#snapshots.length;
  }

  /** Keeps the histogram as it stands now, and forgets snapshots older than `keepMs`. */
  sample(): void {
    const at = this.#now();
    this.#snapshots.push(this.#snapshot(at));
    const horizon = at - this.#keepMs;
    // The oldest one kept must still precede the horizon, so a range starting there has a base.
    while (this.#snapshots.length > 2 && this.#snapshots[1]!.at <= horizon) this.#snapshots.shift();
  }

  /** p50/p99 per bucket of `[from, to)`; a bucket that ends before the history begins has a count of 0. */
  range(from: number, to: number, bucketMs: number): LatencyPoint[] {
    const now = this.#now();
    const latest = this.#snapshot(now);
    const points: LatencyPoint[] = [];
    for (let at = from; at < to; at += bucketMs) {
      const bucketEnd = Math.min(at + bucketMs, now);
      // The bucket the history began in is answered from its beginning.
      const first = this.#snapshots[0]!;
      const start = this.#at(at, latest) ?? (first.at < bucketEnd ? first : undefined);
      const end = this.#at(bucketEnd, latest);
      const point: LatencyPoint = { at, count: 0 };
      if (start && end && end.at > start.at) {
        const counts = Array.from(end.counts, (count, index) => count - start.counts[index]!);
        counts.push(end.count - start.count - counts.reduce((sum, count) => sum + count, 0));
        point.count = end.count - start.count;
        const p50 = quantile(0.5, counts, this.#cell.bounds);
        const p99 = quantile(0.99, counts, this.#cell.bounds);
        if (p50 !== undefined) point.p50 = p50;
        if (p99 !== undefined) point.p99 = p99;
      }
      points.push(point);
    }
    return points;
  }

  /** The latest snapshot taken at or before `at` (the live one for now), if the history reaches back that far. */
  #at(at: number, latest: Snapshot): Snapshot | undefined {
    if (at >= latest.at) return latest;
    let found: Snapshot | undefined;
    for (const snapshot of this.#snapshots) {
      if (snapshot.at > at) break;
      found = snapshot;
    }
    return found;
  }

  #snapshot(at: number): Snapshot {
    return { at, counts: Float64Array.from(this.#cell.counts), count: this.#cell.count };
  }
}

/**
 * Histories of several histograms sampled together on one timer (unref'd: it never keeps the
 * process alive). Default: every 10 s, for 6 hours (2,160 snapshots of ~16 numbers each).
 */
export class LatencyHistories<K extends string> {
  readonly histories: Readonly<Record<K, LatencyHistory>>;
  readonly #timer: NodeJS.Timeout;

  constructor(cells: Readonly<Record<K, HistogramCell>>, options: LatencyHistoryOptions = {}) {
    const keepMs = options.keepMs ?? 6 * 3600_000;
    const now = options.now ?? Date.now;
    const histories = {} as Record<K, LatencyHistory>;
    for (const key of Object.keys(cells) as K[]) histories[key] = new LatencyHistory(cells[key], { keepMs, now });
    this.histories = histories;
    this.#timer = setInterval(() => this.sample(), options.intervalMs ?? 10_000);
    this.#timer.unref();
  }

  sample(): void {
    for (const history of Object.values<LatencyHistory>(this.histories)) history.sample();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/**
 * The `q` quantile of bucket counts over `bounds` (as Prometheus's `histogram_quantile`: linear
 * within the bucket it falls in; a count past the last bound answers the last bound). Undefined
 * when there is nothing to rank.
 */
export function quantile(q: number, counts: readonly number[], bounds: readonly number[]): number | undefined {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total <= 0) return undefined;
  const rank = q * total;
  let below = 0;
  for (let index = 0; index < counts.length; index++) {
    const count = counts[index]!;
    if (count > 0 && below + count >= rank) {
      if (index >= bounds.length) return bounds[bounds.length - 1]!;
      const lower = index === 0 ? 0 : bounds[index - 1]!;
      return lower + (bounds[index]! - lower) * ((rank - below) / count);
    }
    below += count;
  }
  return bounds[bounds.length - 1]!;
}
