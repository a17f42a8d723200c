/**
 * @module pipeline/callback-schedule
 * When to try a failing CleverTap endpoint again: Svix's schedule (immediately, 5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h, 10 h), with ±20% jitter so endpoints recovering together are not hit
 * together. After the last step the delay stays at 10 h until the callback's max age runs out.
 */
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export const SVIX_SCHEDULE_MS: readonly number[] = [0, 5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR];

/** The delay after the `failures`-th consecutive failure (1-based). */
export function callbackRetryDelayMs(failures: number, schedule: readonly number[] = SVIX_SCHEDULE_MS, random: () => number = Math.random): number {
  const base = schedule[Math.min(Math.max(failures, 1), schedule.length) - 1] ?? 0;
  return Math.round(base * (0.8 + 0.4 * random()));
}
