/**
 * Three gateway processes on one Postgres and one Redis, as a BSP runs them behind a load
 * balancer. The CleverTap simulator spreads two campaigns over the replicas; Meta's webhooks come
 * back through the balancer. One replica is killed with SIGKILL mid-run and Redis is restarted
 * mid-run. Whatever CleverTap was told was accepted must reach Meta exactly once, at no more than
 * each number's rate in any second across the cluster, and be reported to CleverTap complete and
 * in order.
 *
 * `CLUSTER_MESSAGES` sets the campaign size (default 2,000 in `npm test`; `npm run test:cluster`
 * runs 50,000 at 100 msg/s per number; `CLUSTER_MPS` sets the rate).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { runCampaign, startClevertapSimulator, type ClevertapSimulator } from '../src/sim/clevertap/index.js';
import { startMetaSimulator, type MetaSimulator } from '../src/sim/meta/index.js';
import { busiestWindow } from '../src/sim/busiest-window.js';
import { startBalancer, type Balancer } from './support/balancer.js';
import { eventually } from './support/eventually.js';
import { throwawayDatabase, type ThrowawayDatabase } from './support/postgres.js';
import { freePort, spawnGateway, writeConfig, type GatewayProcess } from './support/process.js';
import { startOwnRedis, type OwnRedis } from './support/redis-server.js';

const MESSAGES = Number(process.env.CLUSTER_MESSAGES ?? 2_000);
const MPS = Number(process.env.CLUSTER_MPS ?? 100);
/** Time to send `share` of the campaign at the numbers' rate, six times over, plus a minute for a busy machine. */
const timeFor = (share: number) => ((MESSAGES * share) / (NUMBERS.length * MPS)) * 6_000 + 60_000;
const NUMBERS = [
  { account: 'north', phoneNumberId: '107000000000001', wabaNumber: '919888888801', wabaId: '207000000000001' },
  { account: 'south', phoneNumberId: '107000000000002', wabaNumber: '919888888802', wabaId: '207000000000002' },
];
const SECRETS = { accessToken: 'cluster-token', appSecret: 'cluster-secret' };

/** Who holds a lease (compose/cluster.ts keeps them under `<queue.prefix>:cluster:lease:`). */
async function leaseHolder(redisUrl: string, key: string): Promise<string | undefined> {
  const redis = new Redis(redisUrl);
  try {
    return (await redis.get(`wabridge:cluster:lease:${key}`)) ?? undefined;
  } finally {
    redis.disconnect();
  }
}

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('three replicas on Postgres and Redis', () => {
  it(`${MESSAGES} messages: each acknowledged one sent once, paced across the cluster, reported in order, through a SIGKILL and a Redis restart`, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'wabridge-cluster-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const database: ThrowawayDatabase = await throwawayDatabase('cluster');
    cleanups.push(() => database.drop());
    const redis: OwnRedis = await startOwnRedis();
    cleanups.push(() => redis.close());
    const clevertap: ClevertapSimulator = await startClevertapSimulator();
    cleanups.push(() => clevertap.close());
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    const replicaUrls = ports.map((port) => `http://127.0.0.1:${port}`);
    const balancer: Balancer = await startBalancer(replicaUrls);
    cleanups.push(() => balancer.close());
    const meta: MetaSimulator = await startMetaSimulator({
      ...SECRETS,
      phoneNumbers: NUMBERS.map((number) => ({ phoneNumberId: number.phoneNumberId, displayPhoneNumber: number.wabaNumber, wabaId: number.wabaId, messagesPerSecond: MPS })),
      webhookUrl: `${balancer.url}/v1/whatsapp/webhook`,
      statusDelays: { sentMs: 50, deliveredMs: 150, readMs: 300 },
      webhookRetry: { initialMs: 200, factor: 2, maxMs: 1000 },
      pairRateLimit: false,
    });
    cleanups.push(() => meta.close());

    const replicas: GatewayProcess[] = [];
    cleanups.push(() => Promise.all(replicas.map((replica) => replica.kill())));
    for (const [index, port] of ports.entries()) {
      const configFile = writeConfig(path.join(dataDir, `replica-${index}.json`), {
        mode: 'sandbox',
        server: { host: '127.0.0.1', port, mediaSigningSecret: 'cluster-media-secret' },
        store: { kind: 'postgres', url: database.url, path: path.join(dataDir, 'unused.db') },
        queue: { kind: 'bullmq', redisUrl: redis.url },
        // Long enough that a send in flight at the kill is proved by its status webhook, not resent.
        dispatcher: { uncertainHoldMs: 30_000 },
        callbacks: { retryScheduleMs: [0, 300, 600, 1000] },
        accounts: NUMBERS.map((number) => ({
          id: number.account,
          wabaNumber: number.wabaNumber,
          clevertap: { auth: { kind: 'bearer', token: `ct-${number.account}` }, deliveryReportUrl: clevertap.deliveryReportUrl(number.account) },
          whatsapp: { graphBaseUrl: meta.graphBaseUrl, phoneNumberId: number.phoneNumberId, wabaId: number.wabaId, ...SECRETS, webhookVerifyToken: 'v', messagesPerSecond: MPS, maxInFlight: 32 },
        })),
      });
      replicas.push(await spawnGateway(configFile, replicaUrls[index]!));
    }

    const campaigns = NUMBERS.map((number, index) =>
      runCampaign({
        endpoint: `${replicaUrls[0]}/v1/clevertap/${number.account}/messages`,
        replicas: replicaUrls.slice(1).map((url) => `${url}/v1/clevertap/${number.account}/messages`),
        auth: { kind: 'bearer', token: `ct-${number.account}` },
        wabaNumber: number.wabaNumber,
        campaignId: `88800${index}`,
        count: MESSAGES / NUMBERS.length,
        concurrency: 100,
        recipients: (i) => `9196${index}${String(i).padStart(7, '0')}`,
        timeoutMs: 60_000,
      }),
    );
    // Long runs (npm run test:cluster) say how far they are.
    const progress = process.env.CLUSTER_MESSAGES
      ? setInterval(() => console.log(`cluster: ${meta.accepted().length} sends at Meta, ${clevertap.deliveryReports().length} reports at CleverTap`), 10_000)
      : undefined;
    cleanups.push(() => clearInterval(progress));
    await eventually(() => meta.accepted().length >= MESSAGES / 4, 'a quarter of the sends to reach Meta', timeFor(0.25));
    // Kill the replica sending from the first number, so its lease must pass to another replica.
    const holder = await leaseHolder(redis.url, `send:${NUMBERS[0]!.phoneNumberId}`);
    const victim = replicas.find((replica) => holder?.split(':')[1] === String(replica.child.pid));
    expect(victim, `the lease holder ${holder} is one of the replicas`).toBeDefined();
    await victim!.kill('SIGKILL');
    await eventually(() => meta.accepted().length >= MESSAGES / 2, 'half of the sends to reach Meta', timeFor(0.5));
    await redis.restart();
    const results = await Promise.all(campaigns);

    const acknowledged = results.flatMap((result) => result.msgIds);
    for (const { msgIds: _msgIds, ...result } of results) console.log(`cluster: campaign ${result.campaignId}: ${JSON.stringify(result)}`);
    // The replica killed mid-campaign refused what was sent to it afterwards; the rest were accepted.
    expect(acknowledged.length).toBeGreaterThan(MESSAGES / 2);
    // Another replica took the number over.
    expect(await leaseHolder(redis.url, `send:${NUMBERS[0]!.phoneNumberId}`)).not.toBe(holder);
    await eventually(() => acknowledged.every((msgId) => clevertap.statusesOf(msgId).includes('read')), 'every acknowledged message to be reported read', timeFor(1)).catch(
      (error: Error) => {
        // What the replicas said is the first thing to read when this fails.
        for (const [index, replica] of replicas.entries()) console.log(`--- replica ${index} (pid ${replica.child.pid}) ---\n${replica.output().slice(-4000)}`);
        throw error;
      },
    );

    // Sent once: each acknowledged msgId reached Meta exactly once.
    const sends = meta.accepted();
    const sendsPerMessage = new Map<string, number>();
    for (const send of sends) sendsPerMessage.set(send.bizOpaqueCallbackData!, (sendsPerMessage.get(send.bizOpaqueCallbackData!) ?? 0) + 1);
    expect([...sendsPerMessage.values()].filter((count) => count > 1)).toEqual([]);
    expect(sends.length).toBeGreaterThanOrEqual(acknowledged.length);
    // Paced across the cluster: never more than the number's rate in any second, never refused for it.
    for (const number of NUMBERS) {
      const times = sends.filter((send) => send.phoneNumberId === number.phoneNumberId).map((send) => send.at);
      expect(busiestWindow(times.sort((a, b) => a - b)), `busiest second of ${number.phoneNumberId}`).toBeLessThanOrEqual(MPS);
    }
    expect(meta.rejected().filter((rejection) => rejection.code === 130429)).toEqual([]);
    // Reported in order, every report in CleverTap's format.
    expect(clevertap.orderViolations()).toEqual([]);
    expect(clevertap.rejectedBodies()).toEqual([]);
    const seconds = (Math.max(...sends.map((send) => send.at)) - Math.min(...sends.map((send) => send.at))) / 1000;
    console.log(
      `cluster: ${acknowledged.length} acknowledged, ${sends.length} sent in ${seconds.toFixed(1)} s (${(sends.length / seconds).toFixed(0)} msg/s; ` +
        `allowed ${NUMBERS.length * MPS}); busiest second per number: ${NUMBERS.map((number) => busiestWindow(sends.filter((send) => send.phoneNumberId === number.phoneNumberId).map((send) => send.at).sort((a, b) => a - b))).join(', ')}`,
    );
  }, timeFor(1) * 2 + 10 * 60_000);
});
