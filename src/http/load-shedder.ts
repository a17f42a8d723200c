/**
 * @module http/load-shedder
 * CleverTap counts an answer slower than one second as a failed send, and so it counts a 429
 * ("too many requests"). Shedding is therefore worth it only when the gateway could not have
 * answered in time anyway; a 429 for a request that would have been answered within the second
 * turns a success into a failure.
 *
 * Two signals, each about a request that would be late:
 * - **Sustained lag.** The event loop ran more than `maxLagMs` late at two samples in a row (the
 *   sample still overdue counts): offered load is above what the loop can carry, and everything
 *   queued behind it is late too. A share of requests is refused, growing with the lag. One long
 *   turn is not enough: 1,500 connections arriving at once into an idle gateway make one turn of
 *   several hundred milliseconds and are all answered within half a second, so shedding on a
 *   single turn failed requests that were on time.
 * - **The request's own age.** A request already older than `maxRequestAgeMs` when it is decided
 *   (counted from when its headers were read) leaves too little of CleverTap's second for the commit.
 *
 * Time is `performance.now()` (monotonic) throughout; samples are kept as plain numbers so a
 * decision costs a few comparisons on the hot path.
 */
/** While the lag is sustained, at least this share of requests is refused, and at most this share. */
const MIN_SHED_SHARE = 0.25;
const MAX_SHED_SHARE = 0.9;

export interface LoadShedderOptions {
  /** Event-loop lag that counts as late (config `server.shedLoadAtLagMs`). */
  maxLagMs: number;
  /** A request older than this when decided is shed (config `server.shedRequestsOlderThanMs`). */
  maxRequestAgeMs?: number;
  sampleEveryMs?: number;
  /** false leaves sampling to the caller (`sample()`), for tests. */
  timer?: boolean;
  /** Uniform in [0, 1): which requests a partial shed refuses (injectable for tests). */
  random?: () => number;
  /** Start of the clock, for tests (default `performance.now()`). */
  now?: number;
}

export class LoadShedder {
  readonly maxLagMs: number;
  readonly maxRequestAgeMs: number;
  readonly sampleEveryMs: number;
  #lagMs = 0;
  /** How many samples in a row, up to the latest, ran later than `maxLagMs`. */
  #lateSamplesInARow = 0;
  #expectedAt: number;
  #shedByLag = 0;
  #shedByAge = 0;
  readonly #timer: NodeJS.Timeout | undefined;
  readonly #random: () => number;

  constructor(options: LoadShedderOptions) {
    this.maxLagMs = options.maxLagMs;
    this.maxRequestAgeMs = options.maxRequestAgeMs ?? 800;
    this.sampleEveryMs = options.sampleEveryMs ?? 50;
    this.#random = options.random ?? Math.random;
    this.#expectedAt = (options.now ?? performance.now()) + this.sampleEveryMs;
    if (options.timer !== false) {
      this.#timer = setInterval(() => this.sample(performance.now()), this.sampleEveryMs);
      this.#timer.unref();
    }
  }

  /** The event loop's most recent lag, in milliseconds. */
  get lagMs(): number {
    return this.#lagMs;
  }

  /** Whether the loop is behind right now (sustained lag), whatever the request. */
  get overloaded(): boolean {
    return this.#sustainedLag(performance.now());
  }

  /** Requests answered 429 so far, by reason. */
  get shed(): { lag: number; age: number } {
    return { lag: this.#shedByLag, age: this.#shedByAge };
  }

  /** Whether to answer this request 429; `receivedAt` is its `performance.now()` when its headers were read. */
  shouldShed(receivedAt?: number, now: number = performance.now()): boolean {
    if (receivedAt !== undefined && now - receivedAt > this.maxRequestAgeMs) {
      this.#shedByAge++;
      return true;
    }
    const share = this.#shedShare(now);
    if (share > 0 && this.#random() < share) {
      this.#shedByLag++;
      return true;
    }
    return false;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  /** One tick of the sampling timer, which was due at the previous tick + `sampleEveryMs`. */
  sample(now: number): void {
    this.#lagMs = Math.max(0, now - this.#expectedAt);
    this.#lateSamplesInARow = this.#lagMs > this.maxLagMs ? this.#lateSamplesInARow + 1 : 0;
    this.#expectedAt = now + this.sampleEveryMs;
  }

  #sustainedLag(now: number): boolean {
    if (this.#lateSamplesInARow === 0) return false;
    // The sample that is overdue right now is the second late one in a row.
    const overdue = now - this.#expectedAt > this.maxLagMs;
    return this.#lateSamplesInARow + (overdue ? 1 : 0) >= 2;
  }

  /**
   * The share of requests to refuse while the lag is sustained: enough to bring the loop back
   * to `maxLagMs` if each refused request freed its share of the turn (1 − maxLag / lag), never
   * all of them. Refusing everything kept the loop just as late on a flood (a 429 costs a turn too)
   * and answered nothing at all for seconds; a share keeps answering the requests it admits.
   */
  #shedShare(now: number): number {
    if (!this.#sustainedLag(now)) return 0;
    const lag = Math.max(this.#lagMs, now - this.#expectedAt);
    return Math.min(MAX_SHED_SHARE, Math.max(MIN_SHED_SHARE, 1 - this.maxLagMs / lag));
  }
}
