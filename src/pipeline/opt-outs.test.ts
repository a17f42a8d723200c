import { describe, expect, it } from 'vitest';
import { DEFAULT_START_KEYWORDS, DEFAULT_STOP_KEYWORDS, matchKeyword, OptOutRegistry, trimPunctuation } from './opt-outs.js';

const text = (body: string) => ({ kind: 'text' as const, body });

describe('matchKeyword', () => {
  it('matches whole messages, case-insensitively, ignoring spaces and punctuation', () => {
    for (const body of ['STOP', 'stop', ' Stop. ', 'unsubscribe!', '"STOP"']) {
      expect(matchKeyword(text(body), DEFAULT_STOP_KEYWORDS, DEFAULT_START_KEYWORDS)?.kind).toBe('stop');
    }
    expect(matchKeyword(text('start'), DEFAULT_STOP_KEYWORDS, DEFAULT_START_KEYWORDS)).toEqual({ kind: 'start', keyword: 'START' });
  });

  it('ignores the keyword inside a longer message and non-text messages', () => {
    expect(matchKeyword(text('please do not stop'), DEFAULT_STOP_KEYWORDS, DEFAULT_START_KEYWORDS)).toBeUndefined();
    expect(matchKeyword({ kind: 'location', latitude: 1, longitude: 2 }, DEFAULT_STOP_KEYWORDS, DEFAULT_START_KEYWORDS)).toBeUndefined();
  });

  it('answers at once for the longest and most hostile messages WhatsApp carries', () => {
    const hostile = ['a' + '!'.repeat(65_534) + 'a', '!'.repeat(65_535) + 'a', 'a' + ' '.repeat(65_535), 'STOP' + '!'.repeat(65_532)];
    const started = performance.now();
    for (const body of hostile) expect(matchKeyword(text(body), DEFAULT_STOP_KEYWORDS, DEFAULT_START_KEYWORDS)).toBeUndefined();
    // Not a benchmark: the quadratic expression this replaced took ~5 s for the first input alone,
    // the linear code well under a millisecond, so a bound this loose cannot flake.
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('trims punctuation and spaces from both ends only', () => {
    expect(trimPunctuation('!?  STOP  ..')).toBe('STOP');
    expect(trimPunctuation('a' + '!'.repeat(500) + 'a')).toBe('a' + '!'.repeat(500) + 'a');
    expect(trimPunctuation('!!!')).toBe('');
    expect(trimPunctuation('')).toBe('');
    expect(matchKeyword(text('¡' + ' '.repeat(400) + 'STOP' + '!'.repeat(100)), DEFAULT_STOP_KEYWORDS, DEFAULT_START_KEYWORDS)?.kind).toBe('stop');
  });

  it('uses the account\'s own keywords and quick-reply labels', () => {
    expect(matchKeyword(text('baja'), ['BAJA'], ['ALTA'])).toEqual({ kind: 'stop', keyword: 'BAJA' });
    expect(matchKeyword({ kind: 'quick_reply_button', payload: 'x', text: 'Stop promotions' }, ['STOP PROMOTIONS'], [])?.kind).toBe('stop');
  });
});

describe('OptOutRegistry', () => {
  it('tracks opt-outs per account', () => {
    const registry = new OptOutRegistry();
    registry.load([{ accountId: 'a', recipient: '1' }]);
    registry.add('b', '2');
    expect([registry.has('a', '1'), registry.has('b', '1'), registry.has('b', '2')]).toEqual([true, false, true]);
    registry.remove('a', '1');
    expect(registry.has('a', '1')).toBe(false);
    expect(registry.count()).toBe(1);
  });
});
