/**
 * @module sim/meta/magic
 * Magic recipients: deterministic failures and lifecycles selected by the `to` number, so a
 * gateway test can provoke any Meta behaviour without configuring the simulator. See README.md.
 */
import type { LifecyclePlan } from './lifecycle.js';

/** `9991<code>[digits]`: the send is refused synchronously with this code. */
export const SYNC_MAGIC_PREFIX = '9991';
/** `9992<code>[digits]`: 200 + wamid, then a `failed` status with this code. */
export const ASYNC_MAGIC_PREFIX = '9992';
/** Offline: `delivered` comes late (after `offlineDeliveryMs`). */
export const OFFLINE_PREFIX = '9993';
/** Read receipts off: the lifecycle stops at `delivered`. */
export const NO_READ_PREFIX = '9994';
/** The user blocked the business: the lifecycle stops at `sent`. */
export const BLOCKED_PREFIX = '9995';

export const SYNC_MAGIC_CODES: readonly number[] = [
  100, 368, 80007, 130429, 130497, 131000, 131005, 131008, 131009, 131016, 131021, 131026, 131030, 131031, 131042,
  131045, 131048, 131051, 131056, 131057, 131064, 132000, 132001, 132012, 132015, 132016, 132018, 133010, 135000,
];

export const ASYNC_MAGIC_CODES: readonly number[] = [
  130472, 131000, 131016, 131026, 131042, 131047, 131048, 131049, 131050, 131051, 131053, 132015, 132016,
];

export type MagicBehaviour = { kind: 'sync'; code: number } | LifecyclePlan;

/** The behaviour a recipient's digits select, or undefined for an ordinary number. */
export function magicFor(waId: string): MagicBehaviour | undefined {
  if (waId.length < 7 || !waId.startsWith('999')) return undefined;
  const prefix = waId.slice(0, 4);
  const rest = waId.slice(4);
  switch (prefix) {
    case SYNC_MAGIC_PREFIX: {
      const code = longestCode(rest, SYNC_MAGIC_CODES);
      return code === undefined ? undefined : { kind: 'sync', code };
    }
    case ASYNC_MAGIC_PREFIX: {
      const code = longestCode(rest, ASYNC_MAGIC_CODES);
      return code === undefined ? undefined : { kind: 'failed', code };
    }
    case OFFLINE_PREFIX:
      return { kind: 'offline' };
    case NO_READ_PREFIX:
      return { kind: 'no-read' };
    case BLOCKED_PREFIX:
      return { kind: 'blocked' };
    default:
      return undefined;
  }
}

/** Codes may be followed by extra digits (to vary recipients); the longest matching code wins. */
function longestCode(rest: string, codes: readonly number[]): number | undefined {
  let best: number | undefined;
  let bestLen = 0;
  for (const c of codes) {
    const s = String(c);
    if (s.length > bestLen && rest.startsWith(s)) {
      best = c;
      bestLen = s.length;
    }
  }
  return best;
}
