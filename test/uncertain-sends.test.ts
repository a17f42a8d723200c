/**
 * The crash policy for sends whose outcome is unknown (src/pipeline/send-dispatcher.ts): a send
 * that was in flight when the process died is held; a status webhook carrying our id in
 * biz_opaque_callback_data proves it reached Meta and cancels the resend; without that proof it
 * is sent again once the hold is over. The dead process is reproduced exactly: its database,
 * with the send jobs still leased.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMessageId } from '../src/domain/ids.js';
import type { OutboundMessage } from '../src/domain/message.js';
import { SEND_QUEUE } from '../src/store/effects.js';
import { createSqliteStorage } from '../src/store/sqlite/create-sqlite-storage.js';
import { startMetaSimulator, type MetaSimulator } from '../src/sim/meta/index.js';
import { GraphClient } from '../src/whatsapp/graph-client.js';
import { toGraphSendBody } from '../src/whatsapp/translate.js';
import { eventually, startTestGateway, type TestGateway } from './support/gateway.js';
import { freePort } from './support/process.js';

const HOLD_MS = 1500;
const PHONE_NUMBER_ID = '108000000000001';
const TOKEN = 'uncertain-token';
const APP_SECRET = 'uncertain-secret';

let dataDir: string;
let simulator: MetaSimulator;
let gateway: TestGateway | undefined;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'wabridge-uncertain-'));
});
afterAll(async () => {
  await gateway?.stop();
  await simulator?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function message(to: string): OutboundMessage {
  return {
    id: newMessageId(),
    accountId: 'acme',
    msgId: `7|1|2|${to}`,
    to,
    wabaNumber: '919888888888',
    content: { kind: 'text', body: 'Your order shipped' },
    acceptedAt: Date.now(),
  };
}

describe('uncertain sends after a crash', () => {
  it('resends only the send that no webhook proved, and only after the hold', async () => {
    const port = await freePort();
    simulator = await startMetaSimulator({
      accessToken: TOKEN,
      appSecret: APP_SECRET,
      phoneNumbers: [{ phoneNumberId: PHONE_NUMBER_ID, displayPhoneNumber: '919888888888', wabaId: '208000000000001' }],
      webhookUrl: `http://127.0.0.1:${port}/v1/whatsapp/webhook`,
      statusDelays: { sentMs: 10, deliveredMs: 20, readMs: null },
      webhookRetry: { initialMs: 100, factor: 2, maxMs: 300 },
    });

    // The state a crashed process leaves behind: two accepted messages whose sends were leased.
    // The first had reached Meta (whose webhooks now find nobody listening); the second had not.
    const reachedMeta = message('919811111111');
    const neverSent = message('919822222222');
    const storage = await createSqliteStorage({ path: path.join(dataDir, 'wabridge.db') });
    const { messages: store, queue } = storage;
    await store.acceptMessages([reachedMeta, neverSent].map((m) => ({ message: m, effects: { jobs: [{ queue: SEND_QUEUE, partitionKey: 'acme', ref: m.id }] } })));
    expect(await queue.reserve(SEND_QUEUE, { partitionKey: 'acme', limit: 10, leaseMs: 60_000 })).toHaveLength(2);
    const graph = new GraphClient({ graphBaseUrl: simulator.graphBaseUrl, accessToken: TOKEN });
    const firstSend = await graph.sendMessage(PHONE_NUMBER_ID, toGraphSendBody(reachedMeta));
    await graph.close();
    expect(firstSend.kind).toBe('accepted');
    await storage.close();

    const restartedAt = Date.now();
    gateway = await startTestGateway(
      {
        server: { host: '127.0.0.1', port },
        dispatcher: { uncertainHoldMs: HOLD_MS },
        accounts: [
          {
            id: 'acme',
            wabaNumber: '919888888888',
            clevertap: { auth: { kind: 'bearer', token: 't' } },
            whatsapp: { graphBaseUrl: simulator.graphBaseUrl, phoneNumberId: PHONE_NUMBER_ID, wabaId: '208000000000001', accessToken: TOKEN, appSecret: APP_SECRET, webhookVerifyToken: 'v' },
          },
        ],
      },
      { dataDir },
    );

    // The retried webhook proves the first send: it gets Meta's wamid, and no second send.
    const proven = await eventually(async () => {
      const stored = await gateway!.store.getMessage(reachedMeta.id);
      return stored?.wamid ? stored : undefined;
    }, 'the webhook to prove the first send');
    expect(proven.wamid).toBe(firstSend.kind === 'accepted' ? firstSend.wamid : 'none');
    const sendsTo = (to: string) => simulator.accepted().filter((send) => send.waId === to);
    expect(sendsTo(neverSent.to)).toHaveLength(0);

    // The unproven one waits out the hold, then goes exactly once.
    const resent = await eventually(() => sendsTo(neverSent.to)[0], 'the unproven send to be resent', 10_000);
    expect(resent.at - restartedAt).toBeGreaterThanOrEqual(HOLD_MS - 100);
    await eventually(async () => (await gateway!.store.getMessage(neverSent.id))?.wamid, 'the resend to be recorded');
    // Every send goes through a send job: once none is left, no further send can happen.
    await eventually(async () => {
      const sendJobs = (await gateway!.queue.counts()).filter((counts) => counts.queue === SEND_QUEUE);
      return sendJobs.every((counts) => counts.ready + counts.scheduled + counts.leased === 0);
    }, 'both send jobs to be finished');
    expect(sendsTo(reachedMeta.to)).toHaveLength(1);
    expect(sendsTo(neverSent.to)).toHaveLength(1);
    // The unproven one was held and resent once. The proven one was held too, unless its retried
    // webhook arrived before the dispatcher first looked at it (then it was skipped outright).
    const { held, skipped, resentAfterHold } = gateway.dispatcher.stats;
    expect(resentAfterHold).toBe(1);
    expect(held === 2 || (held === 1 && skipped >= 1)).toBe(true);
  }, 30_000);
});
