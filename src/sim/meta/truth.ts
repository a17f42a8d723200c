/**
 * @module sim/meta/truth
 * What Meta "really" emitted for each accepted message: its distinct statuses in emission
 * order, without chaos duplicates. A test compares the gateway's downstream funnel (e.g. the
 * CleverTap delivery reports) with this, instead of with the noisy webhook stream.
 */

export interface TruthEntry {
  wamid: string;
  bizOpaqueCallbackData: string | undefined;
  /** Recipient digits. */
  waId: string;
  /** Distinct statuses in the order they were emitted (chaos may put `delivered` before `sent`). */
  statuses: string[];
  /** The async error code of the `failed` status, when there was one. */
  failedCode?: number;
}

export class TruthLog {
  /** Insertion-ordered, so the oldest entry is the first key when trimming. */
  private readonly entries = new Map<string, TruthEntry>();

  constructor(private readonly max: number) {}

  accepted(wamid: string, waId: string, bizOpaqueCallbackData: string | undefined): void {
    this.entries.set(wamid, { wamid, bizOpaqueCallbackData, waId, statuses: [] });
    if (this.entries.size > this.max) {
      // Drop the oldest half at once, like RecordLog, so trimming stays amortised O(1).
      let drop = Math.ceil(this.max / 2);
      for (const key of this.entries.keys()) {
        if (drop-- <= 0) break;
        this.entries.delete(key);
      }
    }
  }

  emitted(wamid: string, status: string, failedCode: number | undefined): void {
    const e = this.entries.get(wamid);
    if (!e || e.statuses.includes(status)) return;
    e.statuses.push(status);
    if (failedCode !== undefined) e.failedCode = failedCode;
  }

  all(): TruthEntry[] {
    return [...this.entries.values()].map((e) => ({ ...e, statuses: [...e.statuses] }));
  }

  clear(): void {
    this.entries.clear();
  }
}
