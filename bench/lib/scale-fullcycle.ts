/**
 * The full cycle, counted where CleverTap would see it: a message is done when its `read` report
 * reached the CleverTap simulator's receiver (accepted → sent to Graph → Meta's status webhooks →
 * the gateway's callbacks). The rate is the sustained one, between 10 % and 90 % of the messages
 * done, so neither the first status delays nor the last stragglers count; `allDoneSeconds` is from
 * the start of the load until the last one.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface FullCycle {
  expected: number;
  done: number;
  /** read reports per second between 10 % and 90 % of `expected` (or the last sample, when 90 % was not reached in time). */
  messagesPerSecond: number | null;
  allDoneSeconds: number | null;
  /** Why the wait ended early, if it did. */
  stalled?: string;
}

interface Funnel {
  read: number;
  failed: { total: number };
}

async function readsOf(clevertapUrl: string, campaign: string): Promise<{ read: number; failed: number }> {
  const response = await fetch(`${clevertapUrl}/_sim/funnel/${encodeURIComponent(campaign)}`, { signal: AbortSignal.timeout(5_000) });
  const funnel = (await response.json()) as Funnel;
  return { read: funnel.read, failed: funnel.failed.total };
}

/**
 * Polls the receiver from `startedAt` (ms, Date.now()) while the load runs and after, until the
 * `expected` messages of `campaign` (known once the load has ended) are read or failed, or nothing
 * moved for `stallSeconds`, or `maxSeconds` passed.
 */
export async function watchFullCycle(clevertapUrl: string, campaign: string, startedAt: number, expectedWhenLoadEnds: Promise<number>, options: { stallSeconds: number; maxSeconds: number }): Promise<FullCycle> {
  const samples: Array<{ at: number; done: number }> = [];
  let loadRunning = true;
  let expected = 0;
  void expectedWhenLoadEnds.then(
    (count) => ((expected = count), (loadRunning = false)),
    () => (loadRunning = false),
  );
  let lastChange = Date.now();
  let last = -1;
  for (;;) {
    const { read, failed } = await readsOf(clevertapUrl, campaign);
    const done = read + failed;
    const now = Date.now();
    samples.push({ at: now, done });
    if (done !== last) {
      last = done;
      lastChange = now;
    }
    const finished = !loadRunning && expected > 0 && done >= expected;
    const stalled = !loadRunning && now - lastChange > options.stallSeconds * 1000;
    const overtime = now - startedAt > options.maxSeconds * 1000;
    if (finished || stalled || overtime) {
      const result: FullCycle = { expected, done, messagesPerSecond: sustainedRate(samples, expected), allDoneSeconds: finished ? (now - startedAt) / 1000 : null };
      if (!finished) result.stalled = stalled ? `no progress for ${options.stallSeconds} s at ${done} of ${expected}` : `still at ${done} of ${expected} after ${options.maxSeconds} s`;
      return result;
    }
    await sleep(250);
  }
}

function sustainedRate(samples: Array<{ at: number; done: number }>, expected: number): number | null {
  const crossing = (share: number) => samples.find((s) => s.done >= expected * share);
  const low = crossing(0.1);
  // Not all done in time: the rate from 10 % to the last sample, which is still a sustained rate.
  const high = crossing(0.9) ?? samples[samples.length - 1];
  if (!low || !high || high.at <= low.at) return null;
  return (high.done - low.done) / ((high.at - low.at) / 1000);
}
