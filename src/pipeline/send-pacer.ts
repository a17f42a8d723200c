/**
 * @module pipeline/send-pacer
 * Pacing for one sending number. Meta meters each number in messages per second and answers
 * 130429 above it (and pauses the number when it keeps happening), so the rule is hard: never more
 * than the number's rate in any one-second window — at a campaign's start and after a pause too.
 *
 * A token bucket alone does not keep that rule: a bucket that starts full (or fills up while idle)
 * grants its whole capacity at once and then the rate on top, so one gateway sent 408 requests in
 * the first second at 200 mps. Two parts, each doing one job:
 * - a **token bucket** with room for one reservation batch smooths sends into a steady trickle;
 * - a **sliding-window log** of the last `rate` grants refuses a grant that would put more than
 *   `rate` of them within `windowMs`. It is the guarantee; the bucket only shapes.
 *
 * The window is a little longer than a second: a grant leaves for Meta a moment after it is made,
 * and that moment varies, so grants exactly one second apart could land closer together at Meta.
 * Time is passed in, so both are exact under test.
 */
import { TokenBucket } from './token-bucket.js';

/** How much longer than a second the window is: the spread of grant-to-wire delays it absorbs. */
export const DEFAULT_JITTER_MS = 20;

export interface SendPacerOptions {
  /** The number's messages per second. */
  ratePerSecond: number;
  /** Tokens the smoothing bucket holds: the largest batch granted at once (default rate/50). */
  burst?: number;
  jitterMs?: number;
  now?: number;
}

export class SendPacer {
  readonly ratePerSecond: number;
  readonly windowMs: number;
  readonly #bucket: TokenBucket;
  /** Grant times, oldest at `#tail`; a ring of `ratePerSecond` slots. */
  readonly #grants: Float64Array;
  #tail = 0;
  #count = 0;

  constructor(options: SendPacerOptions) {
    const rate = Math.max(1, Math.floor(options.ratePerSecond));
    this.ratePerSecond = rate;
    this.windowMs = 1000 + (options.jitterMs ?? DEFAULT_JITTER_MS);
    const burst = Math.max(1, Math.min(rate, Math.floor(options.burst ?? rate / 50)));
    // One token more than a batch: waits are rounded up to whole milliseconds, and a bucket
    // already full would drop the fraction of a token each wait adds, slowing 80 mps to 77.
    this.#bucket = new TokenBucket(rate, burst + 1, options.now ?? Date.now());
    this.#grants = new Float64Array(rate);
  }

  /** Takes up to `wanted` sends and returns how many may go now. */
  take(wanted: number, now: number = Date.now()): number {
    this.#expire(now);
    const room = this.ratePerSecond - this.#count;
    const granted = this.#bucket.take(Math.min(wanted, room), now);
    for (let index = 0; index < granted; index++) this.#record(now);
    return granted;
  }

  /**
   * Gives back sends taken for work that was not done. Which grant went unused is not known, so
   * the oldest are forgotten: every send that did go then counts as made no earlier than it was,
   * which can only make the window stricter, never looser.
   */
  giveBack(count: number): void {
    const forgotten = Math.min(count, this.#count);
    this.#tail = (this.#tail + forgotten) % this.ratePerSecond;
    this.#count -= forgotten;
    this.#bucket.giveBack(count);
  }

  /** Milliseconds until at least `count` sends (at most one batch) may go. */
  msUntilAvailable(now: number = Date.now(), count = 1): number {
    this.#expire(now);
    const wanted = Math.min(count, this.ratePerSecond);
    const bucketWait = this.#bucket.msUntilAvailable(now, wanted);
    const over = this.#count + wanted - this.ratePerSecond;
    if (over <= 0) return bucketWait;
    // The `over`-th oldest grant must leave the window first.
    const leavesAt = this.#grants[(this.#tail + over - 1) % this.ratePerSecond]! + this.windowMs;
    return Math.max(bucketWait, Math.ceil(leavesAt - now));
  }

  /** Stop granting until `until` and start again from empty (Meta said we went too fast). */
  pauseUntil(until: number): void {
    this.#bucket.pauseUntil(until);
  }

  #record(now: number): void {
    this.#grants[(this.#tail + this.#count) % this.ratePerSecond] = now;
    this.#count++;
  }

  #expire(now: number): void {
    while (this.#count > 0 && this.#grants[this.#tail]! + this.windowMs <= now) {
      this.#tail = (this.#tail + 1) % this.ratePerSecond;
      this.#count--;
    }
  }
}
