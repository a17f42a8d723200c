import { describe, expect, it } from 'vitest';
import { ClickWindow } from './click-window.js';

describe('ClickWindow', () => {
  it('lets a link be reported once per window, and again once the window has passed', () => {
    const window = new ClickWindow({ windowMs: 60_000, maxLinks: 100 });
    expect(window.claim('a', 1000)).toBe(true);
    expect(window.claim('a', 1001)).toBe(false);
    expect(window.claim('b', 2000)).toBe(true);
    expect(window.claim('a', 60_999)).toBe(false);
    expect(window.claim('a', 61_000)).toBe(true);
    // A suppressed tap does not extend the window: a bot hitting constantly is reported once a minute.
    expect(window.claim('a', 120_999)).toBe(false);
    expect(window.claim('a', 121_000)).toBe(true);
  });

  it('stays bounded: expired links are dropped, and beyond the cap the oldest goes first', () => {
    const window = new ClickWindow({ windowMs: 1000, maxLinks: 3 });
    for (const code of ['a', 'b', 'c', 'd']) expect(window.claim(code, 0)).toBe(true);
    expect(window.size).toBe(3);
    expect(window.claim('a', 1)).toBe(true); // forgotten early: one more report, nothing lost
    expect(window.claim('d', 1)).toBe(false);
    for (let index = 0; index < 10_000; index++) window.claim(`code${index}`, 2000 + index);
    expect(window.size).toBe(3);
    window.claim('late', 1_000_000);
    expect(window.size).toBe(1);
  });

  it('releases a claim whose report failed', () => {
    const window = new ClickWindow({ windowMs: 60_000, maxLinks: 10 });
    expect(window.claim('a', 0)).toBe(true);
    window.release('a');
    expect(window.claim('a', 1)).toBe(true);
  });
});
