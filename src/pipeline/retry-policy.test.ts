import { describe, expect, it } from 'vitest';
import { backoffDelayMs, retryDelayMs } from './retry-policy.js';

const middle = () => 0.5;

describe('retry policy', () => {
  it('doubles the backoff up to the cap, with jitter inside ±20%', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffDelayMs(attempt, 1000, 5000, middle))).toEqual([1000, 2000, 4000, 5000]);
    expect(backoffDelayMs(1, 1000, 5000, () => 0)).toBe(800);
    expect(backoffDelayMs(1, 1000, 5000, () => 1)).toBe(1200);
  });

  it('waits 4^X seconds for the pair limit', () => {
    expect([1, 2, 3].map((attempt) => retryDelayMs('recipient', attempt, middle))).toEqual([1000, 4000, 16000]);
  });

  it('retries an unreachable Meta at most every ~30 s, so sends resume soon after an outage', () => {
    expect([1, 2, 3, 4, 5, 6, 12, 100].map((attempt) => retryDelayMs('transport', attempt, middle))).toEqual([2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
    expect(retryDelayMs('backoff', 12, middle)).toBe(300_000);
  });

  it('never retries permanent and auth failures', () => {
    expect(retryDelayMs('none', 1)).toBeUndefined();
    expect(retryDelayMs('auth', 1)).toBeUndefined();
    expect(retryDelayMs('transport', 1, middle)).toBe(2000);
  });
});
