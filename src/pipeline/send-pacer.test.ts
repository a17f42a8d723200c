import { describe, expect, it } from 'vitest';
import { DEFAULT_JITTER_MS, SendPacer } from './send-pacer.js';

/**
 * Drives a pacer the way the send dispatcher does — ask how long until a batch is available,
 * wait exactly that long, take what is granted — over a made-up clock, and returns every grant time.
 */
function drive(pacer: SendPacer, untilMs: number, batch: number, start = 0): number[] {
  const sent: number[] = [];
  let now = start;
  while (now < untilMs) {
    const wait = pacer.msUntilAvailable(now, batch);
    if (wait > 0) {
      now += wait;
      continue;
    }
    const granted = pacer.take(batch, now);
    for (let index = 0; index < granted; index++) {
      pacer.stamp(now);
      sent.push(now);
    }
    if (granted === 0) now += 1;
  }
  return sent;
}

/** The most grants inside any window of `windowMs` (half-open, so grants exactly a window apart do not share one). */
function busiestWindow(times: number[], windowMs = 1000): number {
  let most = 0;
  for (let first = 0, last = 0; last < times.length; last++) {
    while (times[last]! - times[first]! >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

describe('SendPacer', () => {
  it('never grants more than the rate in any second, from the very first one', () => {
    for (const rate of [1, 7, 80, 200, 1000]) {
      const pacer = new SendPacer({ ratePerSecond: rate, now: 0 });
      const batch = Math.max(1, Math.floor(rate / 50));
      const sent = drive(pacer, 10_000, batch);
      expect(busiestWindow(sent)).toBeLessThanOrEqual(rate);
      // …and still sends at (almost) the full rate: the window costs only its jitter allowance.
      expect(sent.length).toBeGreaterThanOrEqual(Math.floor(rate * 10 * (1000 / pacer.windowMs)) - batch);
    }
  });

  it('keeps the rule however greedy the caller, and after an idle spell', () => {
    const pacer = new SendPacer({ ratePerSecond: 200, burst: 200, now: 0 });
    // With a bucket as large as the rate, the window alone must hold: 200 at once, then nothing.
    expect(pacer.take(1000, 0)).toBe(200);
    for (let index = 0; index < 200; index++) pacer.stamp(0);
    expect(pacer.take(1000, 999)).toBe(0);
    expect(pacer.msUntilAvailable(999, 1)).toBe(1 + DEFAULT_JITTER_MS);
    const later = drive(pacer, 60_000, 4, 30_000);
    expect(busiestWindow(later)).toBeLessThanOrEqual(200);
  });

  it('holds a place in the window for each reservation until it is stamped or given back', () => {
    const pacer = new SendPacer({ ratePerSecond: 2, burst: 2, jitterMs: 0, now: 0 });
    expect(pacer.take(2, 0)).toBe(2);
    // Neither is stamped yet, but both places are taken.
    expect(pacer.take(1, 500)).toBe(0);
    expect(pacer.msUntilAvailable(500)).toBeGreaterThan(0);
    pacer.stamp(600);
    pacer.giveBack(1);
    // One place is free again; the stamp at 600 holds the other until 1600.
    expect(pacer.take(2, 700)).toBe(1);
    pacer.stamp(700);
    expect(pacer.take(1, 1599)).toBe(0);
    expect(pacer.msUntilAvailable(1599)).toBe(1);
    expect(pacer.take(1, 1600)).toBe(1);
  });

  it('counts a request written late at its stamp, not at its reservation', () => {
    const pacer = new SendPacer({ ratePerSecond: 10, burst: 10, jitterMs: 0, now: 0 });
    // Ten reserved at 0 but written only at 900 (the dispatcher was busy): they count from 900.
    expect(pacer.take(10, 0)).toBe(10);
    for (let index = 0; index < 10; index++) pacer.stamp(900);
    expect(pacer.take(10, 1000)).toBe(0);
    expect(pacer.msUntilAvailable(1000, 1)).toBe(900);
  });

  it('grants nothing while paused, then restarts from empty within the window rule', () => {
    const pacer = new SendPacer({ ratePerSecond: 100, now: 0 });
    const before = drive(pacer, 2000, 2);
    pacer.pauseUntil(3000);
    expect(pacer.take(10, 2500)).toBe(0);
    expect(pacer.msUntilAvailable(2500)).toBe(500);
    const after = drive(pacer, 6000, 2, 3000);
    expect(after[0]).toBeGreaterThanOrEqual(3000);
    expect(busiestWindow([...before, ...after])).toBeLessThanOrEqual(100);
  });
});
