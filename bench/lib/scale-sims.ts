/**
 * The world around the gateways in `bench:scale` and `bench:cost`, in one process on the load core:
 * the Meta Cloud API simulator (several numbers, quick statuses, no pair limit), the CleverTap
 * callback receiver (where the full cycle is counted), and — with several replicas — a small
 * round-robin balancer that Meta's webhooks go through, as they would in front of a cluster.
 *
 * Usage: node --import tsx bench/lib/scale-sims.ts '<SimsOptions JSON>'
 * Prints `SIMS_JSON {...}` (SimsUrls) once everything listens.
 */
import { startClevertapSimulator } from '../../src/sim/clevertap/index.js';
import { startMetaSimulator } from '../../src/sim/meta/index.js';
import { startBalancer } from '../../test/support/balancer.js';

export interface BenchNumber {
  account: string;
  wabaNumber: string;
  phoneNumberId: string;
  wabaId: string;
}

export interface SimsOptions {
  numbers: BenchNumber[];
  /** The replicas' base URLs; Meta's webhooks go to the first, or through a balancer over all. */
  replicaUrls: string[];
  accessToken: string;
  appSecret: string;
  /** The simulator's own per-number limit: far above the gateway's, so it never refuses a send. */
  simulatorMps: number;
}

export interface SimsUrls {
  graphBaseUrl: string;
  metaUrl: string;
  clevertapUrl: string;
  webhookUrl: string;
}

export const SIMS_PREFIX = 'SIMS_JSON ';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as SimsOptions;
  const clevertap = await startClevertapSimulator({ maxRecords: 10_000 });
  const webhookBase = options.replicaUrls.length > 1 ? (await startBalancer(options.replicaUrls)).url : options.replicaUrls[0]!;
  const webhookUrl = `${webhookBase}/v1/whatsapp/webhook`;
  const meta = await startMetaSimulator({
    accessToken: options.accessToken,
    appSecret: options.appSecret,
    phoneNumbers: options.numbers.map((n) => ({ phoneNumberId: n.phoneNumberId, displayPhoneNumber: n.wabaNumber, wabaId: n.wabaId, messagesPerSecond: options.simulatorMps })),
    webhookUrl,
    // Statuses soon after the send: the drain is then bounded by throughput, not by these delays.
    statusDelays: { sentMs: 50, deliveredMs: 100, readMs: 150 },
    pairRateLimit: false,
    // Logs are not read here; a small cap keeps the simulator's memory flat over 100,000s of sends.
    recordLimit: 10_000,
  });
  const urls: SimsUrls = { graphBaseUrl: meta.graphBaseUrl, metaUrl: meta.url, clevertapUrl: clevertap.url, webhookUrl };
  process.stdout.write(`${SIMS_PREFIX}${JSON.stringify(urls)}\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
