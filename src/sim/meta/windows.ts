/**
 * @module sim/meta/windows
 * The 24 h customer-service window per (phone number id, user wa_id): every inbound user
 * message opens or refreshes it; while it is open free-form sends are allowed. Windows opened
 * without a phone number (the `openWindows` option, `openWindow(waId)`) cover every number and
 * never close, which is what tests that predate the tracker rely on.
 */

export const CUSTOMER_WINDOW_MS = 24 * 60 * 60 * 1000;

export class CustomerWindows {
  private readonly forever = new Set<string>();
  /** `${phoneNumberId}:${waId}` → when the window closes. */
  private readonly closesAt = new Map<string, number>();

  constructor(
    initial: Iterable<string>,
    private readonly durationMs: number,
  ) {
    for (const waId of initial) this.forever.add(waId);
  }

  /** Opens a window for `waId` on every number, with no expiry. */
  openForever(waId: string): void {
    this.forever.add(waId);
  }

  /** Opens or refreshes the window as an inbound message at `now` would. */
  touch(phoneNumberId: string, waId: string, now = Date.now()): void {
    if (this.closesAt.size > 100_000) this.prune(now);
    this.closesAt.set(phoneNumberId + ':' + waId, now + this.durationMs);
  }

  isOpen(phoneNumberId: string, waId: string, now = Date.now()): boolean {
    if (this.forever.has(waId)) return true;
    const until = this.closesAt.get(phoneNumberId + ':' + waId);
    return until !== undefined && until > now;
  }

  private prune(now: number): void {
    for (const [key, until] of this.closesAt) if (until <= now) this.closesAt.delete(key);
  }
}
