/**
 * `npm run bench:pacing` — does the gateway keep a number's messages-per-second in every one-second
 * window, as Meta counts it? The gateway runs as `npm start` runs it (its own process, one core);
 * the Meta simulator runs in its own process on the other core and stamps every send request it
 * receives (accepted or refused). The busiest one-second window of those stamps is the figure, and
 * its ratio to the configured rate must never pass 1.00.
 *
 * Phases, one gateway run:
 *   1. campaign start — `--burst` × rate messages accepted at once into an idle gateway;
 *   2. after an idle spell — the gateway waits `--idle` seconds, then a second campaign;
 *   3. after a pause — the simulator is told the number's limit is lower than the gateway's rate
 *      (Meta answers 130429), so the gateway pauses and starts again.
 * The baseline in the same run is the rate itself: the sustained send rate over each phase
 * (ratio near 1.00 means pacing costs no throughput).
 *
 * Flags: --mps <n> (200)  --burst <x rate> (3)  --idle <s> (3)  --concurrency <n> (200)
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AUTHORIZATION, REPO_ROOT, startBenchGateway } from './lib/bench-gateway.js';
import { bodyTemplate, makeBodyBuilder, recipientBlockStart } from './lib/payload.js';
import { installCleanupHandlers, killAllChildren } from './lib/processes.js';
import { busiestWindow } from '../src/sim/busiest-window.js';


interface Sent {
  at: number;
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const { values } = parseArgs({
    options: { mps: { type: 'string' }, burst: { type: 'string' }, idle: { type: 'string' }, concurrency: { type: 'string' } },
  });
  const mps = Number(values.mps ?? 200);
  const burst = Number(values.burst ?? 3);
  const idleSeconds = Number(values.idle ?? 3);
  const concurrency = Number(values.concurrency ?? 200);
  const runDir = join(REPO_ROOT, '.bench', `pacing-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(runDir, { recursive: true });
  const { template, wabaNumber } = bodyTemplate();

  // The simulator's own limit is far above the gateway's rate until phase 3 lowers it.
  const bench = await startBenchGateway({ runDir, wabaNumber, messagesPerSecond: mps });
  const gatewayUrl = bench.baseUrl;
  const simUrl = bench.simulatorUrl;

  let invocation = 0;
  async function campaign(count: number): Promise<void> {
    const build = makeBodyBuilder(template, `pacing-${Date.now()}-${invocation}`, recipientBlockStart(invocation++));
    let next = 0;
    let refused = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const body = build(next++);
          const response = await fetch(`${gatewayUrl}${bench.messagesPath}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: AUTHORIZATION },
            body,
          });
          const text = await response.text();
          if (!text.includes('"success"')) refused++;
        }
      }),
    );
    if (refused > 0) throw new Error(`${refused} of ${count} messages were not accepted`);
  }

  async function sendsSince(since: { accepted: number; rejected: number }): Promise<{ sends: Sent[]; next: typeof since }> {
    const sends: Sent[] = [];
    const next = { ...since };
    for (const kind of ['accepted', 'rejected'] as const) {
      for (;;) {
        const page = (await (await fetch(`${simUrl}/_sim/${kind}?since=${next[kind]}&limit=10000`)).json()) as { next: number; items: Sent[] };
        sends.push(...page.items);
        if (page.items.length === 0) break;
        next[kind] = page.next;
      }
    }
    return { sends: sends.sort((a, b) => a.at - b.at), next };
  }

  async function waitForSends(since: { accepted: number; rejected: number }, acceptedWanted: number): Promise<Sent[]> {
    const deadline = Date.now() + 120_000 + (acceptedWanted / mps) * 3000;
    for (;;) {
      const stats = (await (await fetch(`${simUrl}/_sim/stats`)).json()) as Record<string, unknown>;
      const accepted = Number((stats as { accepted?: number }).accepted ?? NaN);
      const { sends } = await sendsSince(since);
      const acceptedNow = Number.isNaN(accepted) ? sends.length : accepted - since.accepted;
      if (acceptedNow >= acceptedWanted) return sends;
      if (Date.now() > deadline) throw new Error(`only ${acceptedNow} of ${acceptedWanted} sends reached the simulator`);
      process.stderr.write(`\r  ${acceptedNow}/${acceptedWanted} sent`);
      await new Promise((resolveWait) => setTimeout(resolveWait, 250));
    }
  }

  const rows: Array<{ phase: string; sends: number; busiest: number; sustained: number }> = [];
  let position = { accepted: 0, rejected: 0 };
  async function phase(name: string, count: number, before?: () => Promise<void>): Promise<void> {
    if (before) await before();
    process.stderr.write(`${name}: ${count} messages\n`);
    await campaign(count);
    const sends = await waitForSends(position, count);
    position = (await sendsSince(position)).next;
    const times = sends.map((send) => send.at);
    const seconds = (times[times.length - 1]! - times[0]!) / 1000;
    rows.push({ phase: name, sends: times.length, busiest: busiestWindow(times), sustained: seconds > 0 ? times.length / seconds : times.length });
    process.stderr.write('\n');
  }

  try {
    await phase('campaign start', Math.round(burst * mps));
    await phase(`after ${idleSeconds} s idle`, Math.round(burst * mps), () => new Promise((resolveIdle) => setTimeout(resolveIdle, idleSeconds * 1000)));
    // Meta's limit for the number below the gateway's rate: 130429s, the gateway's pause, and its restart.
    await phase('after 130429 pauses', Math.round(burst * mps), async () => {
      await fetch(`${simUrl}/_sim/numbers/${bench.phoneNumberId}/mps`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ mps: Math.max(1, Math.floor(mps * 0.5)) }),
      }).catch(() => undefined);
    });
  } finally {
    await bench.stop();
    killAllChildren();
  }

  const lines = [
    `bench:pacing — ${new Date().toISOString()} — configured ${mps} msg/s, ${burst}× rate per campaign, Meta simulator's own receive stamps`,
    '',
    '| phase | requests at Meta | busiest 1-s window | ratio to rate (≤ 1.00) | sustained msg/s | ratio to rate |',
    '|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row.phase} | ${row.sends} | ${row.busiest} | ${(row.busiest / mps).toFixed(2)} | ${row.sustained.toFixed(1)} | ${(row.sustained / mps).toFixed(2)} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const worst = Math.max(...rows.map((row) => row.busiest));
  process.stdout.write(worst <= mps ? `\nOK: never more than ${mps} in any second\n` : `\nFAIL: ${worst} in one second (limit ${mps})\n`);
  process.exitCode = worst <= mps ? 0 : 1;
}


main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  killAllChildren();
  process.exit(1);
});
