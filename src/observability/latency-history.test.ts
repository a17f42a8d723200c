import { describe, expect, test } from 'vitest';
import { HistogramCell } from './cells.js';
import { LatencyHistories, LatencyHistory, quantile } from './latency-history.js';

const BOUNDS = [0.01, 0.1, 1];

describe('quantile', () => {
  test('interpolates within the bucket the rank falls in, answers the last bound past it, nothing when empty', () => {
    expect(quantile(0.5, [0, 10, 0, 0], BOUNDS)).toBeCloseTo(0.055);
    expect(quantile(0.99, [50, 50, 0, 0], BOUNDS)).toBeCloseTo(0.01 + 0.09 * 0.98);
    expect(quantile(0.99, [0, 0, 0, 5], BOUNDS)).toBe(1);
    expect(quantile(0.5, [0, 0, 0, 0], BOUNDS)).toBeUndefined();
  });
});

describe('LatencyHistory', () => {
  test('answers each bucket from the snapshots around it, the live histogram for the latest', () => {
    let now = 1_000_000;
    const cell = new HistogramCell({}, BOUNDS);
    const history = new LatencyHistory(cell, { keepMs: 60_000, now: () => now });
    for (let i = 0; i < 100; i++) cell.observe(0.005);
    now += 10_000;
    history.sample();
    for (let i = 0; i < 100; i++) cell.observe(0.5);
    now += 5_000;
    const points = history.range(1_000_000 - 10_000, now, 10_000);
    expect(points.map((point) => point.count)).toEqual([0, 100, 100]);
    expect(points[0]).toEqual({ at: 990_000, count: 0 });
    expect(points[1]!.p50).toBeCloseTo(0.005);
    expect(points[2]!.p50).toBeCloseTo(0.1 + 0.9 * 0.5);
    expect(points[2]!.p99).toBeCloseTo(0.1 + 0.9 * 0.99);
  });

  test('counts observations past the last bound, and forgets snapshots older than it keeps', () => {
    let now = 0;
    const cell = new HistogramCell({}, BOUNDS);
    const history = new LatencyHistory(cell, { keepMs: 20_000, now: () => now });
    for (let step = 0; step < 10; step++) {
      cell.observe(30);
      now += 10_000;
      history.sample();
    }
    const points = history.range(0, now, 10_000);
    // The first buckets reach back past what is kept: no base snapshot, nothing to say.
    expect(points.slice(0, 7).every((point) => point.count === 0)).toBe(true);
    expect(points.slice(8).map((point) => [point.count, point.p99])).toEqual([
      [1, 1],
      [1, 1],
    ]);
  });

  test('histories sample together on one timer', async () => {
    const histories = new LatencyHistories({ answer: new HistogramCell({}, BOUNDS), lag: new HistogramCell({}, BOUNDS) }, { intervalMs: 5 });
    const { answer, lag } = histories.histories;
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (answer.size >= 3) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    histories.stop();
    expect(lag.size).toBe(answer.size);

  });
});
