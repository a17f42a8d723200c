/**
 * `npm run soak:meta-outage` — the Meta outage test (test/faults-meta.test.ts) stretched to
 * minutes: a real gateway process accepts CleverTap's messages while the Meta simulator refuses,
 * resets, hangs or answers late, then Meta comes back. Reports, per mode, whether every
 * acknowledged message reached Meta exactly once, how long that took after Meta returned, and the
 * gateway's RSS curve (one line every 10 s), so a leak during a long outage shows.
 *
 * Flags: --modes refuse,reset,hang,slow (all)  --minutes <m> (5)  --messages <n> (2000)
 *        --latency <ms> (11000, for slow)  --drain-minutes <m> (15)
 * Exits non-zero if a message was lost or sent twice.
 */
import { parseArgs } from 'node:util';
import type { NetworkFault, NetworkFaultMode } from '../src/sim/meta/index.js';
import { runMetaOutage } from '../test/support/meta-outage.js';

const { values } = parseArgs({
  options: {
    modes: { type: 'string', default: 'refuse,reset,hang,slow' },
    minutes: { type: 'string', default: '5' },
    messages: { type: 'string', default: '2000' },
    latency: { type: 'string', default: '11000' },
    'drain-minutes': { type: 'string', default: '15' },
  },
});

const MB = 2 ** 20;
const outageMs = Number(values.minutes) * 60_000;
let failed = false;

for (const mode of values.modes!.split(',') as NetworkFaultMode[]) {
  const fault: NetworkFault = mode === 'slow' ? { mode, latencyMs: Number(values.latency) } : { mode };
  console.log(`\n== Meta ${mode} for ${values.minutes} min, ${values.messages} messages accepted during it`);
  let lastPrinted = -Infinity;
  const result = await runMetaOutage({
    fault,
    outageMs,
    messages: Number(values.messages),
    maxInFlight: mode === 'slow' ? 200 : 64,
    drainTimeoutMs: Number(values['drain-minutes']) * 60_000,
    onSample(atMs, rss) {
      if (atMs - lastPrinted < 10_000) return;
      lastPrinted = atMs;
      console.log(`  t=${String(Math.round(atMs / 1000)).padStart(4)} s  RSS ${(rss / MB).toFixed(1)} MB`);
    },
  });
  const ok = result.notAcknowledged.length === 0 && result.missing.length === 0 && result.duplicates.length === 0;
  failed ||= !ok;
  console.log(
    `  ${ok ? 'OK' : 'FAILED'}: ${result.acknowledged} acknowledged (${result.notAcknowledged.length} not), ${result.missing.length} missing at Meta, ` +
      `${result.duplicates.length} sent twice; all at Meta ${(result.recoveryMs / 1000).toFixed(1)} s after Meta returned; ` +
      `RSS ${(result.rssBeforeBytes / MB).toFixed(0)} MB before, peak ${(result.rssPeakBytes / MB).toFixed(0)} MB, ${(result.rssAfterBytes / MB).toFixed(0)} MB after; ` +
      `simulator ${JSON.stringify(result.faultCounts)}`,
  );
  if (!ok) console.log(result.gatewayOutput.split('\n').slice(-40).join('\n'));
}
process.exit(failed ? 1 : 0);
