/**
 * Whole campaigns through real processes and real HTTP: the CleverTap simulator drives 10,000
 * sends at the gateway with CleverTap's concurrency; the Meta simulator accepts, fails some, and
 * sends its status webhooks duplicated and out of order; the gateway reports back to the
 * CleverTap simulator, which rejects anything not in CleverTap's format. What CleverTap ends up
 * counting must equal what Meta did, message for message, in order — also when CleverTap fails
 * for a while and when the gateway is killed with SIGKILL in the middle.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCampaign, startClevertapSimulator, type CampaignResult, type ClevertapSimulator, type Funnel } from '../src/sim/clevertap/index.js';
import { ASYNC_MAGIC_PREFIX, startMetaSimulator, SYNC_MAGIC_PREFIX, type MetaSimulator } from '../src/sim/meta/index.js';
import { eventually } from './support/gateway.js';
import { freePort, spawnGateway, writeConfig, type GatewayProcess } from './support/process.js';
import { sandboxAdminAuthIn } from './support/admin-auth.js';

const PHONE_NUMBER_ID = '104000000000001';
const SECRETS = { accessToken: 'e2e-token', appSecret: 'e2e-secret' };

let dataDir: string | undefined;
let meta: MetaSimulator | undefined;
let clevertap: ClevertapSimulator | undefined;
let gateway: GatewayProcess | undefined;
afterEach(async () => {
  await gateway?.kill();
  await meta?.close();
  await clevertap?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  gateway = meta = clevertap = dataDir = undefined;
});

/** Recipient i: mostly ordinary numbers; every 50th fails asynchronously (131026), every 97th synchronously (131030). */
function recipient(i: number): string {
  const suffix = String(i).padStart(5, '0');
  if (i % 97 === 0) return `${SYNC_MAGIC_PREFIX}131030${suffix}`;
  if (i % 50 === 0) return `${ASYNC_MAGIC_PREFIX}131026${suffix}`;
  return `91960${String(i).padStart(7, '0')}`;
}

async function setUp(options: { chaos: boolean }) {
  dataDir = mkdtempSync(path.join(tmpdir(), 'wabridge-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  clevertap = await startClevertapSimulator();
  meta = await startMetaSimulator({
    ...SECRETS,
    phoneNumbers: [{ phoneNumberId: PHONE_NUMBER_ID, displayPhoneNumber: '919888888888', wabaId: '204000000000001', messagesPerSecond: 3000 }],
    webhookUrl: `${url}/v1/whatsapp/webhook`,
    statusDelays: { sentMs: 50, deliveredMs: 150, readMs: 300 },
    webhookRetry: { initialMs: 200, factor: 2, maxMs: 1000 },
    pairRateLimit: false,
    ...(options.chaos ? { chaos: { duplicateRate: 0.1, outOfOrderRate: 0.2, skipDeliveredRate: 0.1, seed: 42 } } : {}),
  });
  const configFile = writeConfig(path.join(dataDir, 'config.json'), {
    mode: 'sandbox',
    server: { host: '127.0.0.1', port },
    store: { path: path.join(dataDir, 'wabridge.db') },
    dispatcher: { uncertainHoldMs: 2000 },
    callbacks: { retryScheduleMs: [0, 300, 600, 1000] },
    accounts: [
      {
        id: 'e2e',
        wabaNumber: '919888888888',
        clevertap: { auth: { kind: 'bearer', token: 'ct-e2e' }, deliveryReportUrl: clevertap.deliveryReportUrl('e2e'), inboundMessageUrl: clevertap.inboundMessageUrl('e2e') },
        whatsapp: { graphBaseUrl: meta.graphBaseUrl, phoneNumberId: PHONE_NUMBER_ID, wabaId: '204000000000001', ...SECRETS, webhookVerifyToken: 'v', messagesPerSecond: 2500, maxInFlight: 64 },
      },
    ],
  });
  gateway = await spawnGateway(configFile, url);
  return { url, configFile };
}

/**
 * The funnel CleverTap should see, from Meta's record: a message counts at every stage up to the
 * furthest one Meta reported (the gateway fills in stages Meta skipped), and as failed with the
 * mapped code when Meta failed it, synchronously (131030 → 1002) or asynchronously (131026 → 1007).
 */
function expectedFunnel(): Pick<Funnel, 'sent' | 'delivered' | 'read'> & { failed: Funnel['failed'] } {
  const rank: Record<string, number> = { sent: 1, delivered: 2, read: 3 };
  let sent = 0;
  let delivered = 0;
  let read = 0;
  const byCode: Record<string, number> = {};
  for (const entry of meta!.truth()) {
    if (entry.failedCode !== undefined) {
      const code = entry.failedCode === 131026 ? '1007' : String(entry.failedCode);
      byCode[code] = (byCode[code] ?? 0) + 1;
      continue;
    }
    const furthest = Math.max(0, ...entry.statuses.map((status) => rank[status] ?? 0));
    if (furthest >= 1) sent++;
    if (furthest >= 2) delivered++;
    if (furthest >= 3) read++;
  }
  const rejectedRecipients = new Set(meta!.rejected().filter((rejection) => rejection.code === 131030).map((rejection) => rejection.to));
  if (rejectedRecipients.size > 0) byCode['1002'] = rejectedRecipients.size;
  const total = Object.values(byCode).reduce((sum, count) => sum + count, 0);
  return { sent, delivered, read, failed: { total, byCode } };
}

/** The gateway's send or callback jobs not yet finished (waiting, scheduled or running), from its admin API (the sandbox's generated token). */
async function unfinishedJobs(url: string, queue: 'send' | 'callbacks'): Promise<number> {
  const response = await fetch(`${url}/v1/admin/stats`, { headers: sandboxAdminAuthIn(dataDir!) });
  expect(response.status).toBe(200);
  const { queue: counts } = (await response.json()) as { queue: { queue: string; ready: number; scheduled: number; leased: number }[] };
  return counts.filter((row) => row.queue === queue).reduce((sum, row) => sum + row.ready + row.scheduled + row.leased, 0);
}

/**
 * Waits until nothing can change CleverTap's funnel any more, checked in causal order: no send
 * left to reach Meta; then nothing left at Meta to report (each webhook it delivered was answered
 * after the callbacks it owes were committed as jobs); then no callback left to deliver.
 */
async function settledFunnel(url: string, campaignId: string) {
  await eventually(
    async () =>
      (await unfinishedJobs(url, 'send')) === 0 &&
      meta!.scheduledStatuses() === 0 &&
      meta!.pendingWebhooks() === 0 &&
      (await unfinishedJobs(url, 'callbacks')) === 0,
    'every send, status webhook and callback to be finished',
    90_000,
  );
  return { expected: expectedFunnel(), actual: clevertap!.funnel(campaignId) };
}

/**
 * Every request answered success, or shed: a 429, or on a machine busy with the rest of the suite
 * a connection the gateway closed under load (at most 2 %). Never a 5xx, a timeout or a failure code.
 */
function expectAnsweredOrShed(outcome: Omit<CampaignResult, 'msgIds'>, count: number): void {
  const described = JSON.stringify({ ...outcome, shapes: undefined });
  expect(outcome.sent + outcome.http429 + outcome.otherErrors, described).toBe(count);
  expect(outcome.otherErrors, described).toBeLessThanOrEqual(count * 0.02);
  expect(outcome.http5xx + outcome.timeouts, described).toBe(0);
}

function expectEveryAcknowledgedMessageReported(msgIds: readonly string[]): void {
  const unreported = msgIds.filter((msgId) => clevertap!.statusesOf(msgId).length === 0);
  expect(unreported).toEqual([]);
}

describe('campaigns end to end', () => {
  it('10,000 messages with failures, duplicated and out-of-order webhooks: CleverTap counts exactly what Meta did, in order', async () => {
    const { url } = await setUp({ chaos: true });
    const result = await runCampaign({ endpoint: `${url}/v1/clevertap/e2e/messages`, auth: { kind: 'bearer', token: 'ct-e2e' }, campaignId: '777001', count: 10_000, concurrency: 200, recipients: recipient, timeoutMs: 60_000 });
    // Correctness, not speed, is under test here (bench:ingest measures speed): a generous timeout,
    // and shed requests (429) are allowed when the suite shares the machine.
    const { msgIds: _acknowledged, ...outcome } = result;
    expectAnsweredOrShed(outcome, 10_000);
    const { expected, actual } = await settledFunnel(url, '777001');
    expectEveryAcknowledgedMessageReported(result.msgIds);
    expect({ sent: actual.sent, delivered: actual.delivered, read: actual.read, failed: actual.failed }).toEqual(expected);
    expect(expected.sent + expected.failed.total).toBe(10_000);
    expect(clevertap!.orderViolations()).toEqual([]);
    expect(clevertap!.rejectedBodies().filter((rejection) => rejection.kind === 'invalid')).toEqual([]);
  }, 180_000);

  it('CleverTap down for a while and the gateway killed with SIGKILL mid-campaign: everything arrives after recovery', async () => {
    const { url, configFile } = await setUp({ chaos: false });
    const endpoint = `${url}/v1/clevertap/e2e/messages`;
    // Down until it has refused callbacks and sends are under way, not for a fixed time: a busy
    // machine may not post a single callback within any given window.
    clevertap!.failFor({ status: 500, durationMs: 10 * 60_000 });
    const first = runCampaign({ endpoint, auth: { kind: 'bearer', token: 'ct-e2e' }, campaignId: '777002', count: 6_000, concurrency: 200, recipients: recipient, timeoutMs: 60_000 });
    await eventually(() => meta!.accepted().length >= 1500, 'sends to be under way', 30_000);
    await eventually(() => clevertap!.rejectedBodies().some((rejection) => rejection.kind === 'fault'), 'CleverTap to refuse a callback', 30_000);
    clevertap!.healthy();
    await gateway!.kill('SIGKILL');
    const firstResult = await first;
    clevertap!.timeoutFor({ durationMs: 1500, holdMs: 2000 });
    gateway = await spawnGateway(configFile, url);
    const second = await runCampaign({ endpoint, auth: { kind: 'bearer', token: 'ct-e2e' }, campaignId: '777002', batchId: 'resume', count: 4_000, concurrency: 200, recipients: (i) => recipient(i + 6_000), timeoutMs: 60_000 });
    expect(firstResult.sent).toBeGreaterThan(0);
    const { msgIds: _resumed, ...secondOutcome } = second;
    expectAnsweredOrShed(secondOutcome, 4_000);

    const { expected, actual } = await settledFunnel(url, '777002');
    expect({ sent: actual.sent, delivered: actual.delivered, read: actual.read, failed: actual.failed }).toEqual(expected);
    // Every message CleverTap was told was accepted reached Meta (or failed there), and was reported.
    expectEveryAcknowledgedMessageReported([...firstResult.msgIds, ...second.msgIds]);
    expect(clevertap!.orderViolations()).toEqual([]);
    expect(clevertap!.rejectedBodies().filter((rejection) => rejection.kind === 'invalid')).toEqual([]);
    expect(clevertap!.rejectedBodies().some((rejection) => rejection.kind === 'fault')).toBe(true);
  }, 240_000);
});
