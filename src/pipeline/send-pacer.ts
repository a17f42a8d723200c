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
 * - a **sliding-window log** of the last `rate` sends refuses a reservation that would put more than
 *   `rate` sends within `windowMs`. It is the guarantee; the bucket only shapes.
 *
 * A send is reserved when its job is (`take`) and stamped the moment its request is written
 * (`stamp`): between the two the dispatcher reads the message, so under load a reservation can wait
 * long enough for sends stamped at reservation time to bunch up at Meta. A reservation holds its
 * place in the window until it is stamped or given back, so the rule holds at the stamps. The
 * window is still a little longer than a second, for what delays a request after it is written.
 * Time is passed in, so everything is exact under test.
 */
import { TokenBucket } from './token-bucket.js';

/**
 * How much longer than a second the window is: the spread of delays between writing a request
 * and Meta stamping it. At 200 mps, 20 ms let 202 into one second at the Meta simulator on a quiet
 * machine and 50 ms let 201 in on a slightly busy one; 100 ms kept every second at or under the
 * rate, for ~9 % of throughput (bench:pacing, docs/benchmarks.md).
 */
export const DEFAULT_JITTER_MS = 100;

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
  /** Stamps of sends made, oldest at `#tail`; a ring of `ratePerSecond` slots. */
  readonly #stamps: Float64Array;
  #tail = 0;
  #count = 0;
  /** Sends reserved and not yet stamped or given back: they hold a place in the window. */
  #reserved = 0;

  constructor(options: SendPacerOptions) {
    const rate = Math.max(1, Math.floor(options.ratePerSecond));
    this.ratePerSecond = rate;
    this.windowMs = 1000 + (options.jitterMs ?? DEFAULT_JITTER_MS);
    const burst = Math.max(1, Math.min(rate, Math.floor(options.burst ?? rate / 50)));
    // One token more than a batch: waits are rounded up to whole milliseconds, and a bucket
    // already full would drop the fraction of a token each wait adds, slowing 80 mps to 77.
    this.#bucket = new TokenBucket(rate, burst + 1, options.now ?? Date.now());
    this.#stamps = new Float64Array(rate);
  }

  /** Reserves up to `wanted` sends and returns how many may go now; each is then stamped or given back. */
  take(wanted: number, now: number = Date.now()): number {
    this.#expire(now);
    const room = this.ratePerSecond - this.#count - this.#reserved;
    const granted = room > 0 ? this.#bucket.take(Math.min(wanted, room), now) : 0;
    this.#reserved += granted;
    return granted;
  }

  /** A reserved send's request is being written now. */
  stamp(now: number = Date.now()): void {
    if (this.#reserved > 0) this.#reserved--;
    this.#expire(now);
    // Stamps come in time order (one clock, one thread), so the ring stays sorted. A stamp with
    // no reservation (a caller's mistake) still counts, overwriting the oldest if it must.
    if (this.#count === this.ratePerSecond) this.#dropOldest();
    this.#stamps[(this.#tail + this.#count) % this.ratePerSecond] = now;
    this.#count++;
  }

  /** Gives back reserved sends that were not made. */
  giveBack(count: number): void {
    this.#reserved = Math.max(0, this.#reserved - count);
    this.#bucket.giveBack(count);
  }

  /** Milliseconds until at least `count` sends (at most one batch) may be reserved. */
  msUntilAvailable(now: number = Date.now(), count = 1): number {
    this.#expire(now);
    const wanted = Math.min(count, this.ratePerSecond);
    const bucketWait = this.#bucket.msUntilAvailable(now, wanted);
    const over = this.#count + this.#reserved + wanted - this.ratePerSecond;
    if (over <= 0) return bucketWait;
    // Reservations in flight leave no stamp to wait for yet: look again shortly.
    if (over > this.#count) return Math.max(bucketWait, RESERVED_RECHECK_MS);
    // The `over`-th oldest stamp must leave the window first.
    const leavesAt = this.#stamps[(this.#tail + over - 1) % this.ratePerSecond]! + this.windowMs;
    return Math.max(bucketWait, Math.ceil(leavesAt - now));
  }

  /** Stop granting until `until` and start again from empty (Meta said we went too fast). */
  pauseUntil(until: number): void {
    this.#bucket.pauseUntil(until);
  }

  #expire(now: number): void {
    while (this.#count > 0 && this.#stamps[this.#tail]! + this.windowMs <= now) this.#dropOldest();
  }

  #dropOldest(): void {
    this.#tail = (this.#tail + 1) % this.ratePerSecond;
    this.#count--;
  }
}

/** How soon to look again when only unstamped reservations fill the window. */
const RESERVED_RECHECK_MS = 5;
