/**
 * No data loss across kill -9, with real processes: a 20,000-message burst into a real gateway
 * process, SIGKILL in the middle, a restart on the same data, and proof that every message the
 * gateway acknowledged reached the Meta simulator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { startMetaSimulator, type MetaSimulator } from '../src/sim/meta/index.js';
import { eventually, fixture } from './support/gateway.js';
import { freePort, spawnGateway, writeConfig, type GatewayProcess } from './support/process.js';
import { sandboxAdminAuthIn } from './support/admin-auth.js';

const TOTAL = 20_000;
const KILL_AFTER_ACKS = 8_000;
const CONCURRENCY = 200;
const MAX_IN_FLIGHT = 64;
const SECRETS = { accessToken: 'crash-test-token', appSecret: 'crash-test-app-secret', verify: 'crash-verify' };
const PHONE_NUMBER_ID = '109000000000001';

let dataDir: string;
let simulator: MetaSimulator;
let gatewayUrl: string;
let configFile: string;
let running: GatewayProcess | undefined;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'wabridge-crash-'));
  const port = await freePort();
  gatewayUrl = `http://127.0.0.1:${port}`;
  simulator = await startMetaSimulator({
    accessToken: SECRETS.accessToken,
    appSecret: SECRETS.appSecret,
    phoneNumbers: [{ phoneNumberId: PHONE_NUMBER_ID, displayPhoneNumber: '919888888888', wabaId: '209000000000001', messagesPerSecond: 5000 }],
    webhookUrl: `${gatewayUrl}/v1/whatsapp/webhook`,
    statusDelays: { sentMs: 50, deliveredMs: 100, readMs: null },
    webhookRetry: { initialMs: 200, factor: 2, maxMs: 1000 },
    pairRateLimit: false,
    recordLimit: 200_000,
  });
  configFile = writeConfig(path.join(dataDir, 'config.json'), {
    mode: 'sandbox',
    server: { host: '127.0.0.1', port },
    store: { path: path.join(dataDir, 'wabridge.db') },
    dispatcher: { uncertainHoldMs: 3000 },
    accounts: [
      {
        id: 'crash',
        wabaNumber: '919888888888',
        clevertap: { auth: { kind: 'bearer', token: 'ct-token' } },
        whatsapp: {
          graphBaseUrl: simulator.graphBaseUrl,
          phoneNumberId: PHONE_NUMBER_ID,
          wabaId: '209000000000001',
          accessToken: SECRETS.accessToken,
          appSecret: SECRETS.appSecret,
          webhookVerifyToken: SECRETS.verify,
          messagesPerSecond: 3000,
          maxInFlight: MAX_IN_FLIGHT,
        },
      },
    ],
  });
}, 60_000);

afterAll(async () => {
  await running?.kill();
  await simulator?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Recipient i: a unique number per message, so each can be traced through the simulator. */
const recipient = (i: number) => String(919_000_000_000 + i);

async function drive(indices: number[], acknowledged: Set<string>, stopWhen: () => boolean): Promise<void> {
  const template = fixture('clevertap/requests/template-image-dynamic-url.json');
  const pool = new Pool(gatewayUrl, { connections: CONCURRENCY });
  let next = 0;
  const worker = async () => {
    while (next < indices.length && !stopWhen()) {
      const i = indices[next++]!;
      const body = JSON.stringify({ ...template, to: recipient(i), msgId: `crash|${i}` });
      try {
        const response = await pool.request({
          path: '/v1/clevertap/crash/messages',
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json', authorization: 'Bearer ct-token' },
        });
        const text = await response.body.text();
        if (response.statusCode === 200 && text === '{"status":"success"}') acknowledged.add(recipient(i));
      } catch {
        // The gateway died under this request: not acknowledged, so not promised.
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await pool.destroy();
}

describe('crash safety (real processes, SIGKILL)', () => {
  it('delivers every acknowledged message to Meta after a kill -9 mid-burst', async () => {
    const acknowledged = new Set<string>();
    running = await spawnGateway(configFile, gatewayUrl);

    // Kill the gateway from outside the request loop once enough messages are acknowledged,
    // while requests, commits and sends are all in flight.
    const killer = eventually(() => acknowledged.size >= KILL_AFTER_ACKS, 'enough acknowledgements', 60_000).then(() => running!.kill('SIGKILL'));
    const all = Array.from({ length: TOTAL }, (_, i) => i);
    await drive(all, acknowledged, () => running!.child.exitCode !== null || running!.child.signalCode !== null);
    await killer;
    const ackedBeforeCrash = acknowledged.size;
    const sentBeforeCrash = new Set(simulator.accepted().map((send) => send.waId)).size;
    expect(ackedBeforeCrash).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    expect(sentBeforeCrash).toBeLessThan(ackedBeforeCrash); // the kill really left work behind

    running = await spawnGateway(configFile, gatewayUrl);
    // Like a client retrying what it never got an answer for: requests cut off by the kill may
    // have been committed, and must then be acknowledged again without a second send.
    // A busy machine may shed some of them (429) while the restarted gateway catches up: a
    // client sends those again too.
    for (let pass = 0; pass < 5 && acknowledged.size < TOTAL; pass++) {
      await drive(all.filter((i) => !acknowledged.has(recipient(i))), acknowledged, () => false);
    }
    expect(acknowledged.size).toBe(TOTAL);

    const missing = await eventually(
      () => {
        const delivered = new Set(simulator.accepted().map((send) => send.waId));
        const stillMissing = [...acknowledged].filter((to) => !delivered.has(to));
        return stillMissing.length === 0 ? stillMissing : undefined;
      },
      'every acknowledged message to reach the simulator',
      120_000,
    );
    expect(missing).toEqual([]);

    const sendsPerRecipient = new Map<string, number>();
    for (const send of simulator.accepted()) sendsPerRecipient.set(send.waId, (sendsPerRecipient.get(send.waId) ?? 0) + 1);
    const duplicates = [...sendsPerRecipient.values()].filter((count) => count > 1).length;
    // Only sends in flight at the moment of the kill can be uncertain; most are proven by webhooks.
    expect(duplicates).toBeLessThanOrEqual(MAX_IN_FLIGHT);
    const stats = (await (await fetch(`${gatewayUrl}/v1/admin/stats`, { headers: sandboxAdminAuthIn(dataDir) })).json()) as { dispatcher: { held: number; resentAfterHold: number } };
    console.info(
      `crash test: ${acknowledged.size} acknowledged (${ackedBeforeCrash} before the kill, ${sentBeforeCrash} sent by then), ` +
        `${sendsPerRecipient.size} distinct messages at Meta, ${duplicates} sent twice; after the restart ` +
        `${stats.dispatcher.held} sends were held as uncertain and ${stats.dispatcher.resentAfterHold} of them resent after the hold`,
    );
  }, 240_000);
});
