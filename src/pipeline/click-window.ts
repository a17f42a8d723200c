/**
 * @module pipeline/click-window
 * Which links were reported to CleverTap recently. Anyone holding a short link can request it as
 * often as they like (link previews, scanners, bots, an attacker), and CleverTap wants to know
 * that a link was clicked, not how often a bot fetched it: a link is reported at most once per
 * window. Kept in memory, bounded in both time (entries expire with their window) and count
 * (the oldest claim goes first); forgetting a link early only means one more report, never a
 * lost one. A restart forgets all windows, with the same effect.
 */
export interface ClickWindowOptions {
  windowMs: number;
  maxLinks: number;
}

export class ClickWindow {
  readonly #options: ClickWindowOptions;
  /** Code → time of its last report; insertion order is claim order, so expiry is from the front. */
  readonly #claimed = new Map<string, number>();

  constructor(options: ClickWindowOptions) {
    this.#options = options;
  }

  /** True when `code` may be reported now (and is then counted as reported from `now`). */
  claim(code: string, now = Date.now()): boolean {
    this.#expire(now);
    if (this.#claimed.has(code)) return false;
    this.#claimed.set(code, now);
    while (this.#claimed.size > this.#options.maxLinks) this.#claimed.delete(this.#claimed.keys().next().value!);
    return true;
  }

  /** The report could not be recorded: let the next tap try again. */
  release(code: string): void {
    this.#claimed.delete(code);
  }

  get size(): number {
    return this.#claimed.size;
  }

  #expire(now: number): void {
    for (const [code, at] of this.#claimed) {
      if (now - at < this.#options.windowMs) return;
      this.#claimed.delete(code);
    }
  }
}
