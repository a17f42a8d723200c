/**
 * @module pipeline/retry-policy
 * When to try a send again. Pure: attempt numbers and rules in, a delay out.
 */
import type { RetryClass } from '../whatsapp/errors.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** Exponential backoff with ±20% jitter so retries of a burst do not arrive together. */
export function backoffDelayMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.8 + 0.4 * random()));
}

/**
 * The delay before retrying a rejected or failed attempt, or `undefined` when the class is
 * permanent. `attempt` counts from 1.
 */
export function retryDelayMs(retry: RetryClass | 'transport', attempt: number, random: () => number = Math.random): number | undefined {
  switch (retry) {
    case 'throughput':
      // Meta clears 130429 as soon as the number is back under its rate.
      return backoffDelayMs(attempt, SECOND, 30 * SECOND, random);
    case 'recipient':
      // Meta's guidance for the pair limit (131056): retry after 4^X seconds.
      return Math.min(4 ** Math.max(0, attempt - 1), 15 * 60) * SECOND * (0.9 + 0.2 * random());
    case 'backoff':
      return backoffDelayMs(attempt, 2 * SECOND, 5 * MINUTE, random);
    case 'transport':
      // Meta could not be reached at all: nothing is lost by trying often, and sends resume within
      // half a minute of Meta coming back instead of each waiting out a five-minute backoff.
      return backoffDelayMs(attempt, 2 * SECOND, 30 * SECOND, random);
    case 'none':
    case 'auth':
      return undefined;
  }
}
