/**
 * @module sim/clevertap/faults
 * Outage windows the receiver can be told to play, so tests can prove the gateway's callback
 * dispatcher retries, backs off and never drops a report. One window is active at a time: a new
 * call replaces the previous one, and each window ends by itself after `durationMs`.
 */
import type { FailOptions, SlowOptions, TimeoutOptions } from './types.js';

export const DEFAULT_HOLD_MS = 30_000;

export type Fault =
  | { kind: 'fail'; status: 500 | 503 | 429; until: number }
  | { kind: 'timeout'; holdMs: number; until: number }
  | { kind: 'slow'; delayMs: number; until: number };

const FAIL_STATUSES = [500, 503, 429] as const;

export class FaultSchedule {
  private fault: Fault | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  failFor(o: FailOptions): void {
    if (!FAIL_STATUSES.includes(o.status)) throw new RangeError(`failFor: status must be 500, 503 or 429, got ${String(o.status)}`);
    this.fault = { kind: 'fail', status: o.status, until: this.until(o.durationMs) };
  }

  timeoutFor(o: TimeoutOptions): void {
    const holdMs = o.holdMs ?? DEFAULT_HOLD_MS;
    checkDuration(holdMs, 'holdMs');
    this.fault = { kind: 'timeout', holdMs, until: this.until(o.durationMs) };
  }

  slowFor(o: SlowOptions): void {
    checkDuration(o.delayMs, 'delayMs');
    this.fault = { kind: 'slow', delayMs: o.delayMs, until: this.until(o.durationMs) };
  }

  healthy(): void {
    this.fault = undefined;
  }

  /** The fault that applies to a request arriving now, if any. */
  current(): Fault | undefined {
    if (this.fault && this.now() >= this.fault.until) this.fault = undefined;
    return this.fault;
  }

  private until(durationMs: number): number {
    checkDuration(durationMs, 'durationMs');
    return this.now() + durationMs;
  }
}

function checkDuration(ms: number, name: string): void {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`${name} must be a non-negative number of milliseconds, got ${String(ms)}`);
}
