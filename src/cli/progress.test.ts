/**
 * The progress bar: drawn in place on a terminal, plain lines (throttled, the last always) in a log.
 */
import { describe, expect, it } from 'vitest';
import { createProgress, progressLine, renderBar } from './progress.js';

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, isTTY, columns: 100, write: (chunk: string) => chunks.push(chunk) };
}

describe('progress', () => {
  it('renders the bar in proportion, clamped, and an empty total as complete', () => {
    expect(renderBar(5, 10, 10)).toBe('[█████░░░░░]');
    expect(renderBar(15, 10, 4)).toBe('[████]');
    expect(renderBar(0, 0, 4)).toBe('[████]');
    expect(progressLine('sending', 20, 200, '20 accepted', 10)).toBe('sending  [█░░░░░░░░░]  20/200  10%  20 accepted');
  });

  it('on a terminal redraws one line in place, throttled, and ends it on finish', () => {
    let now = 0;
    const out = stream(true);
    const progress = createProgress({ label: 'sending', total: 10, stream: out, now: () => now });
    progress.update(1);
    progress.update(2); // within 80 ms of the last draw: skipped
    now = 100;
    progress.update(3);
    progress.finish(10, 'done');
    expect(out.chunks).toHaveLength(3);
    expect(out.chunks.every((chunk) => chunk.startsWith('\r') && chunk.includes('\x1b[K'))).toBe(true);
    expect(out.chunks[1]).toContain(' 3/10');
    expect(out.chunks[2]).toMatch(/10\/10 100%  done\x1b\[K\n$/);
  });

  it('in a log prints plain lines at most once a second, and always the last', () => {
    let now = 0;
    const out = stream(false);
    const progress = createProgress({ label: 'reports', total: 4, stream: out, now: () => now });
    progress.update(1, 'read 1');
    now = 500;
    progress.update(2, 'read 2');
    now = 1200;
    progress.update(3, 'read 3');
    progress.finish(4, 'read 4');
    progress.update(4, 'after the end');
    expect(out.chunks).toEqual(['reports: 1/4 (25%) read 1\n', 'reports: 3/4 (75%) read 3\n', 'reports: 4/4 (100%) read 4\n']);
  });
});
