/**
 * @module pipeline/token-bucket
 * Pacing for one sending number. Meta meters each number in messages per second and answers
 * 130429 above it; sending at the rate instead of bouncing off the limit keeps retries out of
 * the picture. Time is passed in, so the bucket is exact under test.
 */
export class TokenBucket {
  #tokens: number;
  #updatedAt: number;
  #pausedUntil = 0;

  constructor(
    readonly ratePerSecond: number,
    readonly capacity: number = ratePerSecond,
    now: number = Date.now(),
  ) {
    this.#tokens = capacity;
    this.#updatedAt = now;
  }

  /** Takes up to `wanted` tokens and returns how many it got. */
  take(wanted: number, now: number = Date.now()): number {
    if (now < this.#pausedUntil) return 0;
    this.#refill(now);
    const granted = Math.min(wanted, Math.floor(this.#tokens));
    this.#tokens -= granted;
    return granted;
  }

  /** Gives back tokens taken for work that was not done. */
  giveBack(count: number): void {
    this.#tokens = Math.min(this.capacity, this.#tokens + count);
  }

  /** Milliseconds until at least `count` tokens (at most the capacity) are available. */
  msUntilAvailable(now: number = Date.now(), count = 1): number {
    if (now < this.#pausedUntil) return this.#pausedUntil - now;
    this.#refill(now);
    const wanted = Math.min(count, this.capacity);
    return this.#tokens >= wanted ? 0 : Math.ceil(((wanted - this.#tokens) / this.ratePerSecond) * 1000);
  }

  /** Stop granting until `until` and start again from empty (Meta said we went too fast). */
  pauseUntil(until: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, until);
    this.#tokens = 0;
    this.#updatedAt = Math.max(this.#updatedAt, until);
  }

  #refill(now: number): void {
    const elapsed = now - this.#updatedAt;
    if (elapsed <= 0) return;
    this.#tokens = Math.min(this.capacity, this.#tokens + (elapsed * this.ratePerSecond) / 1000);
    this.#updatedAt = now;
  }
}
