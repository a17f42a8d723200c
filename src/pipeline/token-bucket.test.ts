import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('grants a full second of burst, then the steady rate', () => {
    const bucket = new TokenBucket(80, 80, 0);
    expect(bucket.take(100, 0)).toBe(80);
    expect(bucket.take(1, 0)).toBe(0);
    expect(bucket.msUntilAvailable(0)).toBe(13);
    expect(bucket.take(100, 500)).toBe(40);
    expect(bucket.take(100, 10_000)).toBe(80);
  });

  it('takes back unused tokens without exceeding capacity', () => {
    const bucket = new TokenBucket(10, 10, 0);
    expect(bucket.take(4, 0)).toBe(4);
    bucket.giveBack(10);
    expect(bucket.take(100, 0)).toBe(10);
  });

  it('grants nothing while paused and restarts from empty', () => {
    const bucket = new TokenBucket(10, 10, 0);
    bucket.pauseUntil(1000);
    expect(bucket.take(1, 999)).toBe(0);
    expect(bucket.msUntilAvailable(400)).toBe(600);
    expect(bucket.take(10, 1000)).toBe(0);
    expect(bucket.take(10, 1500)).toBe(5);
  });

  it('says how long until a batch of tokens is available, never longer than a full bucket takes', () => {
    const bucket = new TokenBucket(1000, 1000, 0);
    expect(bucket.take(1000, 0)).toBe(1000);
    expect(bucket.msUntilAvailable(0, 20)).toBe(20);
    expect(bucket.msUntilAvailable(15, 20)).toBe(5);
    expect(bucket.msUntilAvailable(20, 20)).toBe(0);
    expect(bucket.msUntilAvailable(20, 5000)).toBe(980);
  });
});
