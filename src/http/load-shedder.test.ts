import { describe, expect, it } from 'vitest';
import { LoadShedder } from './load-shedder.js';

const EVERY = 50;

/** A shedder sampled by hand every 50 ms of a made-up clock, so each case is exact. */
function shedder(maxLagMs = 300, maxRequestAgeMs = 800, random = () => 0) {
  return new LoadShedder({ maxLagMs, maxRequestAgeMs, sampleEveryMs: EVERY, timer: false, now: 0, random });
}

describe('LoadShedder', () => {
  it('does not shed after one long event-loop turn (a burst of connections into an idle gateway)', () => {
    const loop = shedder();
    // The first sample, due at 50 ms, runs at 700 ms: one turn of 650 ms.
    loop.sample(700);
    expect(loop.lagMs).toBe(650);
    expect(loop.shouldShed(650, 700)).toBe(false);
    // The next one is on time: the burst is over.
    loop.sample(700 + EVERY);
    expect(loop.shouldShed(740, 760)).toBe(false);
    expect(loop.shed).toEqual({ lag: 0, age: 0 });
  });

  it('sheds while the loop stays late at two samples in a row (sustained overload)', () => {
    const loop = shedder();
    loop.sample(400); // due at 50: 350 late
    expect(loop.shouldShed(undefined, 400)).toBe(false);
    loop.sample(400 + EVERY + 320); // due at 450: 320 late
    expect(loop.overloaded).toBe(true);
    expect(loop.shouldShed(760, 770)).toBe(true);
    expect(loop.shed).toEqual({ lag: 1, age: 0 });
    loop.sample(770 + EVERY); // on time again
    expect(loop.shouldShed(815, 820)).toBe(false);
  });

  it('refuses a share of requests that grows with the lag, never all of them', () => {
    // Lag 320 over a 300 threshold: the floor, a quarter. Lag 3,000: nine in ten, the ceiling.
    const cases: Array<[lagMs: number, share: number]> = [[320, 0.25], [600, 0.5], [1200, 0.75], [3000, 0.9]];
    for (const [lagMs, share] of cases) {
      for (const [draw, shed] of [[share - 0.001, true], [share + 0.001, false]] as const) {
        const loop = shedder(300, 800, () => draw);
        loop.sample(EVERY + lagMs);
        loop.sample(2 * EVERY + 2 * lagMs);
        expect(loop.shouldShed(undefined, 2 * EVERY + 2 * lagMs), `lag ${lagMs}, draw ${draw}`).toBe(shed);
      }
    }
  });

  it('counts the sample that is overdue right now as the second late one', () => {
    const loop = shedder();
    loop.sample(400); // 350 late
    // The next sample was due at 450; at 800 it is 350 overdue: the loop is still behind.
    expect(loop.shouldShed(790, 800)).toBe(true);
    // At 600 it is only 150 overdue.
    const fresh = shedder();
    fresh.sample(400);
    expect(fresh.shouldShed(590, 600)).toBe(false);
  });

  it('sheds a request that is already too old to be answered within the second, whatever the loop', () => {
    const loop = shedder(300, 800);
    loop.sample(EVERY);
    expect(loop.shouldShed(1000, 1800)).toBe(false);
    expect(loop.shouldShed(1000, 1801)).toBe(true);
    expect(loop.shed).toEqual({ lag: 0, age: 1 });
    // Without an age (the fastify route), only the loop decides.
    expect(loop.shouldShed(undefined, 5000)).toBe(false);
  });

  it('samples on its own with a timer and stops', async () => {
    const loop = new LoadShedder({ maxLagMs: 300, sampleEveryMs: 5 });
    const until = performance.now() + 20;
    while (performance.now() < until) {
      // A turn of 20 ms: sampled once it ends.
    }
    await new Promise<void>((resolve) => {
      const check = () => (loop.lagMs > 0 ? resolve() : setImmediate(check));
      check();
    });
    expect(loop.lagMs).toBeGreaterThan(0);
    loop.stop();
  });
});
