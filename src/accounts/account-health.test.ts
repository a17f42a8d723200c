/**
 * Account health on a sandbox gateway (real SQLite store, the built-in Meta simulator): the
 * accounts API answers each account's last send, last webhook, the callbacks its CleverTap URL is
 * still owed, and its template sync.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { sandboxAdminAuth } from '../../test/support/admin-auth.js';
import { eventually, fixture, startTestGateway, type TestGateway } from '../../test/support/gateway.js';
import type { ResolvedAccount } from '../config/accounts.js';
import { accountHealthReader, type AccountHealth, type TemplateSyncRow } from './account-health.js';

/** A port nothing listens on: CleverTap "down", so every callback to it stays owed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('account health in the accounts API', () => {
  let gw: TestGateway;
  let unreachable: string;

  beforeAll(async () => {
    unreachable = `http://127.0.0.1:${await closedPort()}/dlr/tenant-token-123`;
    gw = await startTestGateway({
      callbacks: { retryScheduleMs: [60_000] },
      accounts: [
        { id: 'sandbox', wabaNumber: '919888888888', clevertap: { auth: { kind: 'bearer', token: 'ct-health' }, deliveryReportUrl: unreachable } },
        { id: 'idle', wabaNumber: '919888888877', clevertap: { auth: { kind: 'bearer', token: 'ct-idle' } } },
      ],
    });
  });
  afterAll(() => gw.stop());

  const healthOf = async (id?: string): Promise<Record<string, AccountHealth>> => {
    const response = await request(`${gw.url}/v1/admin/accounts${id ? `/${id}` : ''}`, { headers: sandboxAdminAuth(gw) });
    expect(response.statusCode).toBe(200);
    const body = (await response.body.json()) as { data?: Array<{ id: string; health: AccountHealth }>; id?: string; health?: AccountHealth };
    return Object.fromEntries((body.data ?? [body as { id: string; health: AccountHealth }]).map((account) => [account.id, account.health]));
  };

  it('says an account that never sent has not, and how its templates stand', async () => {
    const { idle } = await eventually(async () => {
      const all = await healthOf();
      return all['idle']?.templates.state === 'synced' ? all : undefined;
    }, 'the idle account to have synced its templates');
    expect(idle).toEqual({ callbacksOwed: 0, templates: { state: 'synced', lastSyncAt: expect.any(String) } });
  });

  it('answers the last send, the last webhook and the callbacks still owed to CleverTap', async () => {
    const before = Date.now();
    const send = { ...fixture('clevertap/requests/freeform-text.json'), msgId: 'health|1|20261208|1', to: '919955500301' };
    expect((await gw.post('/v1/clevertap/sandbox/messages', send, { authorization: 'Bearer ct-health' })).json).toEqual({ status: 'success' });

    // The simulator sends sent, delivered and read; each report is owed to the unreachable URL.
    const health = await eventually(async () => {
      const { sandbox } = await healthOf('sandbox');
      return sandbox && sandbox.lastWebhookAt !== undefined && sandbox.callbacksOwed >= 3 ? sandbox : undefined;
    }, 'the statuses and the reports owed to show', 15_000);
    expect(Date.parse(health.lastSendAt!)).toBeGreaterThanOrEqual(before - 1000);
    // Meta's status times are whole seconds.
    expect(Date.parse(health.lastWebhookAt!)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(health.templates.state).toBe('synced');
    // The list answers the same, and the idle account still owes nothing.
    const all = await healthOf();
    expect(all['sandbox']).toMatchObject({ lastSendAt: health.lastSendAt, callbacksOwed: health.callbacksOwed });
    expect(all['idle']!.callbacksOwed).toBe(0);
  }, 20_000);
});

describe('accountHealthReader', () => {
  const DLR = 'https://wzrkt.example/a/dlr';
  const IMO = 'https://wzrkt.example/a/imo';
  const accounts: Record<string, Pick<ResolvedAccount['clevertap'], 'deliveryReportUrl' | 'inboundMessageUrl'>> = {
    acme: { deliveryReportUrl: DLR, inboundMessageUrl: IMO },
    // Another WhatsApp number of the same CleverTap project: the same report URL.
    twin: { deliveryReportUrl: DLR },
  };
  const templates: TemplateSyncRow[] = [
    { accountId: 'acme', syncing: false, lastSuccessAt: 1_700_000_000_000 },
    { accountId: 'twin', syncing: false, lastSuccessAt: 1_700_000_000_000, lastError: 'Graph 190: token expired' },
    { accountId: 'busy', syncing: true },
    { accountId: 'limited', syncing: false, rateLimitedUntil: 1_800_000_000_000, lastError: 'Graph 80008: too many calls' },
  ];
  const read = accountHealthReader({
    activity: { activity: async (id) => (id === 'acme' ? { lastSendAt: 1_700_000_001_000, lastWebhookAt: 1_700_000_002_000 } : {}) },
    queueCounts: async () => [
      { queue: 'callbacks', partitionKey: DLR, ready: 2, scheduled: 3, leased: 1 },
      { queue: 'callbacks', partitionKey: IMO, ready: 1, scheduled: 0, leased: 0 },
      { queue: 'callbacks', partitionKey: 'https://other.example/dlr', ready: 9, scheduled: 9, leased: 9 },
      { queue: 'send', partitionKey: 'acme', ready: 50, scheduled: 0, leased: 0 },
    ],
    templateStatus: async () => templates,
    account: (id) => (accounts[id] ? ({ id, clevertap: accounts[id] } as unknown as ResolvedAccount) : undefined),
  });

  it("sums the callbacks waiting for the account's own URLs, a shared URL for each of its accounts", async () => {
    const health = await read(['acme', 'twin', 'busy']);
    expect(health.get('acme')).toEqual({
      lastSendAt: '2023-11-14T22:13:21.000Z',
      lastWebhookAt: '2023-11-14T22:13:22.000Z',
      callbacksOwed: 7,
      templates: { state: 'synced', lastSyncAt: '2023-11-14T22:13:20.000Z' },
    });
    expect(health.get('twin')!.callbacksOwed).toBe(6);
    expect(health.get('busy')!.callbacksOwed).toBe(0);
  });

  it('says how the template sync stands: failed with its reason, syncing, rate limited, never synced', async () => {
    const health = await read(['twin', 'busy', 'limited', 'unknown']);
    expect(health.get('twin')!.templates).toEqual({ state: 'failed', lastSyncAt: '2023-11-14T22:13:20.000Z', error: 'Graph 190: token expired' });
    expect(health.get('busy')!.templates).toEqual({ state: 'syncing' });
    expect(health.get('limited')!.templates).toEqual({ state: 'rate-limited', error: 'Graph 80008: too many calls' });
    expect(health.get('unknown')!.templates).toEqual({ state: 'not-synced' });
  });
});
