/**
 * @module sim/meta/rate-limits
 * Meta's two send-side throttles as lazy token buckets (refilled on use, no timers):
 * per sending number at its mps with one second of burst (→ 130429), and per
 * (sending number, recipient) at 1 message / 6 s with a burst of 45 (→ 131056).
 */

/** Pair limit: one message per 6 s to one user, bursts of up to 45 borrowed from the future. */
export const PAIR_REFILL_PER_MS = 1 / 6000;
export const PAIR_BURST = 45;

interface Bucket {
  tokens: number;
  last: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep = 0;

  /**
   * @param capacity burst size
   * @param refillPerMs tokens added per millisecond
   */
  constructor(
    private readonly capacity: (key: string) => number,
    private readonly refillPerMs: (key: string) => number,
  ) {}

  /** Takes one token if available. */
  take(key: string, now: number): boolean {
    let b = this.buckets.get(key);
    const cap = this.capacity(key);
    if (!b) {
      b = { tokens: cap, last: now };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(cap, b.tokens + (now - b.last) * this.refillPerMs(key));
      b.last = now;
    }
    this.maybeSweep(now);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  clear(): void {
    this.buckets.clear();
  }

  size(): number {
    return this.buckets.size;
  }

  /** A bucket that has refilled completely is the same as no bucket; dropping it bounds memory. */
  private maybeSweep(now: number): void {
    if (now - this.lastSweep < 60_000 || this.buckets.size < 10_000) return;
    this.lastSweep = now;
    for (const [key, b] of this.buckets) {
      if (b.tokens + (now - b.last) * this.refillPerMs(key) >= this.capacity(key)) this.buckets.delete(key);
    }
  }
}
