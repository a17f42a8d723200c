/**
 * One Meta outage against a real gateway process, shared by the outage test (seconds) and the
 * soak (`npm run soak:meta-outage`, minutes): the gateway accepts messages while the Meta
 * simulator refuses, resets, hangs or answers late, then Meta comes back, and every acknowledged
 * message must reach it exactly once. The gateway's RSS is sampled throughout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startMetaSimulator, type NetworkFault } from '../../src/sim/meta/index.js';
import { CleverTapSender, recipient } from './clevertap-sender.js';
import { eventually } from './eventually.js';
import { freePort, rssBytes, spawnGateway, writeConfig } from './process.js';
import { sandboxAdminAuthIn } from './admin-auth.js';
import { request } from 'undici';

const PHONE_NUMBER_ID = '109000000000004';
const WABA_ID = '209000000000004';
const SECRETS = { accessToken: 'outage-test-token', appSecret: 'outage-test-app-secret', verify: 'outage-verify', clevertap: 'ct-outage-token' };
const WARM_UP = 20;

export interface MetaOutageOptions {
  fault: NetworkFault;
  outageMs: number;
  /** Messages CleverTap sends while Meta is out of reach. */
  messages: number;
  messagesPerSecond?: number;
  maxInFlight?: number;
  /** How long the gateway holds a send whose outcome is unknown before sending again. */
  uncertainHoldMs?: number;
  /** Told every RSS sample (ms since the outage began, bytes). */
  onSample?(atMs: number, rss: number): void;
  /** How long to wait for Meta to receive everything after the outage. */
  drainTimeoutMs?: number;
}

export interface MetaOutageResult {
  acknowledged: number;
  notAcknowledged: Array<{ i: number; answer: unknown }>;
  /** Accepted by Meta during the outage (only `slow` accepts anything). */
  acceptedDuringOutage: number;
  /** Acknowledged messages Meta never received. */
  missing: string[];
  /** Recipients Meta received more than once. */
  duplicates: string[];
  rssBeforeBytes: number;
  rssPeakBytes: number;
  rssAfterBytes: number;
  recoveryMs: number;
  faultCounts: { reset: number; hung: number; cut: number; delayed: number };
  gatewayOutput: string;
}

export async function runMetaOutage(options: MetaOutageOptions): Promise<MetaOutageResult> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'wabridge-meta-outage-'));
  const port = await freePort();
  const gatewayUrl = `http://127.0.0.1:${port}`;
  const simulator = await startMetaSimulator({
    accessToken: SECRETS.accessToken,
    appSecret: SECRETS.appSecret,
    phoneNumbers: [{ phoneNumberId: PHONE_NUMBER_ID, displayPhoneNumber: '919888888888', wabaId: WABA_ID, messagesPerSecond: 5000 }],
    webhookUrl: `${gatewayUrl}/v1/whatsapp/webhook`,
    statusDelays: { sentMs: 50, deliveredMs: 100, readMs: null },
    webhookRetry: { initialMs: 200, factor: 2, maxMs: 1000 },
    pairRateLimit: false,
  });
  const sender = new CleverTapSender(gatewayUrl, 'outage', SECRETS.clevertap);
  const configFile = writeConfig(path.join(workDir, 'config.json'), {
    mode: 'sandbox',
    server: { host: '127.0.0.1', port },
    store: { path: path.join(workDir, 'wabridge.db') },
    dispatcher: { uncertainHoldMs: options.uncertainHoldMs ?? 3000 },
    accounts: [
      {
        id: 'outage',
        wabaNumber: '919888888888',
        clevertap: { auth: { kind: 'bearer', token: SECRETS.clevertap } },
        whatsapp: {
          graphBaseUrl: simulator.graphBaseUrl,
          phoneNumberId: PHONE_NUMBER_ID,
          wabaId: WABA_ID,
          accessToken: SECRETS.accessToken,
          appSecret: SECRETS.appSecret,
          webhookVerifyToken: SECRETS.verify,
          messagesPerSecond: options.messagesPerSecond ?? 200,
          maxInFlight: options.maxInFlight ?? 64,
        },
      },
    ],
  });
  const gateway = await spawnGateway(configFile, gatewayUrl);
  let sampler: NodeJS.Timeout | undefined;
  try {
    const pid = gateway.child.pid!;
    const warm = await sender.sendRange(0, WARM_UP);
    if ([...warm.values()].some((answer) => answer.kind !== 'success')) throw new Error(`warm-up not acknowledged: ${JSON.stringify([...warm])}`);
    await eventually(() => simulator.accepted().length >= WARM_UP, 'the warm-up messages to reach Meta', 30_000);
    const rssBeforeBytes = rssBytes(pid);

    // Nothing is in flight when the outage begins, so no send straddles its start.
    await simulator.setNetworkFault(options.fault);
    const outageStart = Date.now();
    let rssPeakBytes = rssBeforeBytes;
    sampler = setInterval(() => {
      try {
        const rss = rssBytes(pid);
        rssPeakBytes = Math.max(rssPeakBytes, rss);
        options.onSample?.(Date.now() - outageStart, rss);
      } catch {
        // the process is gone; the caller sees it
      }
    }, 250);
    const answers = await sender.sendRange(WARM_UP, WARM_UP + options.messages);
    const acknowledgedIndices = [...answers.entries()].filter(([, answer]) => answer.kind === 'success').map(([i]) => i);
    const notAcknowledged = [...answers.entries()].filter(([, answer]) => answer.kind !== 'success').map(([i, answer]) => ({ i, answer }));
    await eventually(() => Date.now() - outageStart >= options.outageMs || gateway.child.exitCode !== null, 'the outage to run its course', options.outageMs + 60_000);
    if (gateway.child.exitCode !== null) throw new Error(`the gateway exited during the outage:\n${gateway.output()}`);
    const acceptedDuringOutage = simulator.accepted().length - WARM_UP;
    const faultCounts = simulator.networkFault().counts;

    await simulator.setNetworkFault({ mode: 'none' });
    const back = Date.now();
    const acknowledged = [...Array.from({ length: WARM_UP }, (_, i) => i), ...acknowledgedIndices].map(recipient);
    let missing: string[] = [];
    try {
      await eventually(
        () => {
          const atMeta = new Set(simulator.accepted().map((send) => send.waId));
          missing = acknowledged.filter((to) => !atMeta.has(to));
          return missing.length === 0;
        },
        'every acknowledged message to reach Meta',
        options.drainTimeoutMs ?? 60_000,
      );
    } catch {
      // reported through `missing`
    }
    const recoveryMs = Date.now() - back;
    clearInterval(sampler);
    // A send held as uncertain could still go out twice after its hold: count duplicates only
    // once the gateway has no send job left.
    await eventually(async () => (await sendJobsLeft(gatewayUrl, workDir)) === 0, 'the gateway to finish every send job', 60_000);
    const perRecipient = new Map<string, number>();
    for (const send of simulator.accepted()) perRecipient.set(send.waId, (perRecipient.get(send.waId) ?? 0) + 1);
    return {
      acknowledged: acknowledged.length,
      notAcknowledged,
      acceptedDuringOutage,
      missing,
      duplicates: [...perRecipient.entries()].filter(([, count]) => count > 1).map(([to]) => to),
      rssBeforeBytes,
      rssPeakBytes,
      rssAfterBytes: rssBytes(pid),
      recoveryMs,
      faultCounts,
      gatewayOutput: gateway.output(),
    };
  } finally {
    clearInterval(sampler);
    await gateway.kill();
    await sender.close();
    await simulator.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Send jobs due, scheduled or leased, from the admin API (with the token the sandbox generated in `dataDir`). */
async function sendJobsLeft(gatewayUrl: string, dataDir: string): Promise<number> {
  const response = await request(`${gatewayUrl}/v1/admin/stats`, { headers: sandboxAdminAuthIn(dataDir) });
  const stats = (await response.body.json()) as { queue: Array<{ queue: string; ready: number; scheduled: number; leased: number }> };
  if (response.statusCode !== 200) throw new Error(`admin stats answered ${response.statusCode}: ${JSON.stringify(stats)}`);
  return stats.queue.filter((row) => row.queue === 'send').reduce((sum, row) => sum + row.ready + row.scheduled + row.leased, 0);
}
