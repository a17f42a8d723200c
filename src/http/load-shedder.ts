/**
 * @module http/load-shedder
 * CleverTap counts an answer slower than one second as a failed send, so a fast 429 ("too many
 * requests") is better than a slow 200. The signal is event-loop lag: when the loop runs late,
 * every request waiting behind it is late too.
 */
export class LoadShedder {
  #lagMs = 0;
  #expectedAt: number;
  readonly #timer: NodeJS.Timeout;

  constructor(
    readonly maxLagMs: number,
    readonly sampleEveryMs = 50,
  ) {
    this.#expectedAt = Date.now() + sampleEveryMs;
    this.#timer = setInterval(() => {
      const now = Date.now();
      this.#lagMs = Math.max(0, now - this.#expectedAt);
      this.#expectedAt = now + sampleEveryMs;
    }, sampleEveryMs);
    this.#timer.unref();
  }

  /** The event loop's most recent lag, in milliseconds. */
  get lagMs(): number {
    return this.#lagMs;
  }

  get overloaded(): boolean {
    return this.#lagMs > this.maxLagMs;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
