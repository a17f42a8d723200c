import { describe, expect, it } from 'vitest';
import { asFiniteNumber, asString, boundedJson, clip, describeValue } from './json-values.js';

const DEPTH = 10_000;
const deepArray = JSON.parse('['.repeat(DEPTH) + ']'.repeat(DEPTH)) as unknown;
const deepObject = JSON.parse('{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH)) as unknown;

describe('readers never walk into a value', () => {
  it('read 10,000-deep values as absent instead of overflowing the stack', () => {
    for (const value of [deepArray, deepObject]) {
      expect(asString(value)).toBeUndefined();
      expect(asFiniteNumber(value)).toBeUndefined();
      expect(describeValue(value)).toMatch(/^an (array of 1|object)$/);
    }
  });

  it('take numbers and numeric strings alike, and nothing else', () => {
    expect(asFiniteNumber(1750030073)).toBe(1750030073);
    expect(asFiniteNumber(' 1750030073 ')).toBe(1750030073);
    for (const value of ['', ' ', 'soon', Infinity, NaN, '1e999', null, true, [5], { valueOf: () => 5 }]) expect(asFiniteNumber(value)).toBeUndefined();
    expect(asString(12345)).toBe('12345');
    expect(asString(Infinity)).toBeUndefined();
  });

  it('describe any value in a few bounded words', () => {
    expect(describeValue(undefined)).toBe('absent');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(7)).toBe('7');
    expect(describeValue('deleted')).toBe('"deleted"');
    expect(describeValue('x'.repeat(100_000)).length).toBeLessThan(50);
    expect(describeValue(new Array(100_000).fill(0))).toBe('an array of 100000');
  });
});

describe('boundedJson', () => {
  it('writes ordinary values as JSON.stringify does', () => {
    const value = { id: 'wamid.1', status: 'sent', n: 1.5, ok: true, none: null, list: [1, 'two', { three: 3 }], '__proto__': { x: 1 } };
    const parsed = JSON.parse(JSON.stringify(value)) as unknown;
    expect(boundedJson(parsed, 8192)).toBe(JSON.stringify(parsed));
    expect(boundedJson(JSON.parse('{"__proto__":{"a":1},"b":2}'), 100)).toBe('{"__proto__":{"a":1},"b":2}');
  });

  it('cuts depth, length and width, so a hostile item costs at most its budget', () => {
    const deep = boundedJson(deepArray, 8192);
    expect(deep).toBe('['.repeat(32) + '"…"' + ']'.repeat(32));
    expect(JSON.parse(boundedJson(deepObject, 8192))).toBeTypeOf('object');
    const wide = boundedJson(new Array(100_000).fill('item'), 100);
    expect(wide.length).toBeLessThanOrEqual(100);
    expect(wide.endsWith('…')).toBe(true);
    expect(boundedJson('y'.repeat(1_000_000), 50).length).toBeLessThanOrEqual(50);
    expect(boundedJson(undefined, 10)).toBe('null');
  });
});

describe('clip', () => {
  it('keeps short text and never splits a surrogate pair', () => {
    expect(clip('short', 10)).toBe('short');
    expect(clip('abcdef', 4)).toBe('abc…');
    const clipped = clip('ab😀cd', 4);
    expect(clipped).toBe('ab…');
  });
});
