/**
 * @module sim/record-log
 * An append-only log with absolute positions, shared by both simulators, so `/_sim/…?since=<n>`
 * keeps paging correctly after old entries are dropped to bound memory during long runs.
 */

export class RecordLog<T> {
  private items: T[] = [];
  /** Absolute position of `items[0]`. */
  private base = 0;

  constructor(private readonly max: number) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.max) {
      const drop = Math.ceil(this.max / 2);
      this.items = this.items.slice(drop);
      this.base += drop;
    }
  }

  /** Total ever appended since the last clear. */
  get total(): number {
    return this.base + this.items.length;
  }

  /** Retained entries from absolute position `since`, at most `limit`; `from` is where they start. */
  since(since: number, limit: number): { from: number; items: T[] } {
    const from = Math.max(since, this.base);
    const start = from - this.base;
    return { from, items: this.items.slice(start, start + limit) };
  }

  all(): T[] {
    return this.items.slice();
  }

  clear(): void {
    this.items = [];
    this.base = 0;
  }
}
