/**
 * The console's Messages page, end to end through real processes: a template sent as CleverTap
 * sends it, through the gateway, to the Meta simulator and back as status webhooks, with the
 * callbacks landing at the CleverTap simulator. The admin API then finds the message by its msgId
 * and tells its story in order: accepted, pre-flight, the Graph request answered 200, the sent,
 * delivered and read webhooks, and each callback with CleverTap's HTTP answer. A send Meta refuses
 * shows Meta's error code and title.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClevertapSimulator, type ClevertapSimulator } from '../src/sim/clevertap/index.js';
import { startMetaSimulator, SYNC_MAGIC_PREFIX, type MetaSimulator } from '../src/sim/meta/index.js';
import { eventually, fixture } from './support/gateway.js';
import { freePort, spawnGateway, writeConfig, type GatewayProcess } from './support/process.js';

const PHONE_NUMBER_ID = '104000000000007';
const SECRETS = { accessToken: 'timeline-token', appSecret: 'timeline-secret' };
const ADMIN_TOKEN = 'timeline-admin-token-0123456789';
const CT_TOKEN = 'ct-timeline';

interface Entry {
  kind: string;
  outcome: string;
  state?: string;
  httpStatus?: number;
  code?: number;
  title?: string;
  latencyMs?: number;
  url?: string;
}

describe('message search and timelines through the admin API', () => {
  let dataDir: string;
  let meta: MetaSimulator;
  let clevertap: ClevertapSimulator;
  let gateway: GatewayProcess;
  let url: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'wabridge-timeline-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    clevertap = await startClevertapSimulator();
    meta = await startMetaSimulator({
      ...SECRETS,
      phoneNumbers: [{ phoneNumberId: PHONE_NUMBER_ID, displayPhoneNumber: '919888888888', wabaId: '204000000000007', messagesPerSecond: 80 }],
      webhookUrl: `${url}/v1/whatsapp/webhook`,
      statusDelays: { sentMs: 20, deliveredMs: 60, readMs: 120 },
      pairRateLimit: false,
    });
    const configFile = writeConfig(path.join(dataDir, 'config.json'), {
      mode: 'sandbox',
      server: { host: '127.0.0.1', port },
      store: { path: path.join(dataDir, 'wabridge.db') },
      admin: { token: ADMIN_TOKEN },
      accounts: [
        {
          id: 'timeline',
          wabaNumber: '919888888888',
          clevertap: { auth: { kind: 'bearer', token: CT_TOKEN }, deliveryReportUrl: clevertap.deliveryReportUrl('timeline'), inboundMessageUrl: clevertap.inboundMessageUrl('timeline') },
          whatsapp: { graphBaseUrl: meta.graphBaseUrl, phoneNumberId: PHONE_NUMBER_ID, wabaId: '204000000000007', ...SECRETS, webhookVerifyToken: 'v', messagesPerSecond: 80 },
        },
      ],
    });
    gateway = await spawnGateway(configFile, url);
  }, 60_000);

  afterAll(async () => {
    await gateway?.kill();
    await meta?.close();
    await clevertap?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function send(msgId: string, to: string): Promise<void> {
    const body = { ...fixture('clevertap/requests/template-file-header-multi-button.json'), msgId, to };
    const response = await fetch(`${url}/v1/clevertap/timeline/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CT_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(await response.text()).toBe('{"status":"success"}');
  }

  async function admin<T>(pathAndQuery: string): Promise<T> {
    const response = await fetch(`${url}${pathAndQuery}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  }

  const findByMsgId = async (msgId: string) =>
    (await admin<{ data: Array<{ id: string; state: string; campaign?: string }> }>(`/v1/admin/messages?msgId=${encodeURIComponent(msgId)}`)).data[0];
  const timelineOf = async (id: string) => (await admin<{ message: { msgId: string }; timeline: Entry[] }>(`/v1/admin/messages/${id}`)).timeline;

  it('finds a read message by its msgId and shows its whole story in order', async () => {
    const msgId = '901|31337|20261208|901';
    await send(msgId, '919600000001');
    const found = await eventually(async () => {
      const message = await findByMsgId(msgId);
      return message?.state === 'read' ? message : undefined;
    }, 'the message to be read', 20_000);
    expect(found.campaign).toBe('31337');
    // Three reports (sent, delivered, read) delivered to CleverTap, each with its answer.
    const timeline = await eventually(async () => {
      const entries = await timelineOf(found.id);
      return entries.filter((entry) => entry.kind === 'callback' && entry.outcome === 'delivered').length === 3 ? entries : undefined;
    }, 'the three callbacks to be delivered', 20_000);

    const story = timeline.map((entry) => [entry.kind, entry.outcome, entry.state ?? entry.httpStatus ?? null]);
    const first = (kind: string, state?: string) => timeline.findIndex((entry) => entry.kind === kind && (state === undefined || entry.state === state));
    expect(story.slice(0, 3)).toEqual([
      ['accepted', 'stored', null],
      ['preflight', expect.stringMatching(/^(passed|repaired|unvalidated)$/), null],
      ['graph', 'accepted', 200],
    ]);
    expect(timeline.filter((entry) => entry.kind === 'status').map((entry) => [entry.state, entry.outcome])).toEqual([
      ['sent', 'applied'],
      ['delivered', 'applied'],
      ['read', 'applied'],
    ]);
    const graph = timeline[2]!;
    expect(graph.latencyMs).toBeGreaterThanOrEqual(0);
    const callbacks = timeline.filter((entry) => entry.kind === 'callback');
    expect(callbacks.map((entry) => [entry.state, entry.outcome, entry.httpStatus, entry.url])).toEqual(
      // Callback URLs carry tenant tokens: the admin API shows their origin only.
      ['sent', 'delivered', 'read'].map((state) => [state, 'delivered', 200, `${new URL(clevertap.deliveryReportUrl('timeline')).origin}/…`]),
    );
    for (const callback of callbacks) expect(callback.latencyMs).toBeGreaterThanOrEqual(0);
    // Each report went out after the status it reports.
    expect(first('callback', 'sent')).toBeGreaterThan(first('status', 'sent'));
    expect(first('callback', 'read')).toBeGreaterThan(first('status', 'read'));
    // What CleverTap got agrees.
    expect(clevertap.statusesOf(msgId)).toEqual(['sent', 'delivered', 'read']);
    // The campaign search finds it too.
    const byCampaign = await admin<{ data: Array<{ id: string }> }>('/v1/admin/messages?campaign=31337&account=timeline');
    expect(byCampaign.data.map((message) => message.id)).toEqual([found.id]);
  }, 60_000);

  it("shows Meta's error code and title for a send Meta refuses", async () => {
    const msgId = '902|31337|20261208|902';
    await send(msgId, `${SYNC_MAGIC_PREFIX}13103000001`);
    const found = await eventually(async () => {
      const message = await findByMsgId(msgId);
      return message?.state === 'failed' ? message : undefined;
    }, 'the message to fail', 20_000);
    const timeline = await eventually(async () => {
      const entries = await timelineOf(found.id);
      return entries.some((entry) => entry.kind === 'callback' && entry.outcome === 'delivered') ? entries : undefined;
    }, 'the failure report to be delivered', 20_000);
    const graph = timeline.find((entry) => entry.kind === 'graph');
    expect(graph).toMatchObject({ outcome: 'rejected', httpStatus: 400, code: 131030 });
    expect(graph?.title).toBeTruthy();
    expect(timeline.find((entry) => entry.kind === 'status')).toMatchObject({ state: 'failed', outcome: 'applied', code: 131030 });
    expect(timeline.find((entry) => entry.kind === 'callback')).toMatchObject({ state: 'failed', outcome: 'delivered', httpStatus: 200 });
    const failed = await admin<{ data: Array<{ id: string }> }>('/v1/admin/messages?state=failed');
    expect(failed.data.map((message) => message.id)).toContain(found.id);
  }, 60_000);
});
