/**
 * Meta out of reach for a while, with a real gateway process: connections refused, reset, hung
 * until the Graph client's timeout, or answered later than it waits. CleverTap's messages are
 * still acknowledged (they only need the store), sends wait and resume when Meta is back, every
 * acknowledged message reaches Meta exactly once, and the gateway's memory stays bounded.
 *
 * Nothing is in flight when an outage starts, so no send is uncertain at its start; `hang` and
 * `slow` make sends uncertain (timeouts, cut connections), and `slow` has Meta accept them:
 * only the status webhook, matched on `biz_opaque_callback_data`, stops a second send there
 * (send-dispatcher.ts). The several-minute version is `npm run soak:meta-outage`.
 */
import { describe, expect, it } from 'vitest';
import type { NetworkFault } from '../src/sim/meta/index.js';
import { runMetaOutage } from './support/meta-outage.js';

// Longer than the Graph client's 10 s response timeout, so `hang` and `slow` sends time out.
const OUTAGE_MS = 12_000;
const MB = 2 ** 20;
/** A gateway holding its backlog in SQLite needs no memory per waiting message. */
const RSS_GROWTH_LIMIT = 80 * MB;

const cases: Array<{ name: string; fault: NetworkFault; messages: number; proof: (counts: { reset: number; hung: number; cut: number; delayed: number }) => boolean }> = [
  { name: 'refused connections (nothing listening)', fault: { mode: 'refuse' }, messages: 300, proof: () => true },
  { name: 'connections reset as they open', fault: { mode: 'reset' }, messages: 300, proof: (counts) => counts.reset > 0 },
  { name: 'connections accepted and never answered', fault: { mode: 'hang' }, messages: 300, proof: (counts) => counts.hung > 0 },
  { name: 'answers later than the gateway waits (Meta accepted, the gateway timed out)', fault: { mode: 'slow', latencyMs: 11_000 }, messages: 120, proof: (counts) => counts.delayed > 0 },
];

describe('Meta unreachable or slow (real gateway process)', () => {
  for (const { name, fault, messages, proof } of cases) {
    it(`${name}: sends wait and resume, each acknowledged message reaches Meta once, memory bounded`, async () => {
      const result = await runMetaOutage({ fault, outageMs: OUTAGE_MS, messages, maxInFlight: fault.mode === 'slow' ? 200 : 64 });
      expect(result.notAcknowledged).toEqual([]);
      expect(result.acknowledged).toBe(messages + 20);
      if (fault.mode !== 'slow') expect(result.acceptedDuringOutage).toBe(0);
      expect(proof(result.faultCounts), JSON.stringify(result.faultCounts)).toBe(true);
      expect(result.missing).toEqual([]);
      expect(result.duplicates).toEqual([]);
      expect(result.rssPeakBytes - result.rssBeforeBytes).toBeLessThan(RSS_GROWTH_LIMIT);
      console.info(
        `Meta ${fault.mode} for ${OUTAGE_MS / 1000} s: ${result.acknowledged} acknowledged, ${result.acceptedDuringOutage} accepted by Meta during the outage, ` +
          `all at Meta ${(result.recoveryMs / 1000).toFixed(1)} s after it ended, 0 twice; RSS ${(result.rssBeforeBytes / MB).toFixed(0)} MB before, ` +
          `peak ${(result.rssPeakBytes / MB).toFixed(0)} MB, ${(result.rssAfterBytes / MB).toFixed(0)} MB after; simulator ${JSON.stringify(result.faultCounts)}`,
      );
    }, 90_000);
  }
});
