/**
 * The console's Dashboard in a real browser against a real sandbox gateway (built-in Meta
 * simulator) reporting to the CleverTap simulator: a template sent through the account's
 * CleverTap endpoint, followed until CleverTap hears it was read, is counted in the funnel the
 * page shows — the same counts as the admin API's — for the account and for its campaign, and
 * the throughput chart draws.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { startClevertapSimulator, type ClevertapSimulator } from '../../src/sim/clevertap/index.js';
import { eventually, fixture, startTestGateway, type TestGateway } from '../support/gateway.js';
import { ensureConsoleBuilt, HAVE_CHROMIUM, openBrowser, type BrowserSession } from './browser.js';

const ADMIN_TOKEN = 'admin-token-dashboard-tests-0123456789';
const CLEVERTAP_TOKEN = 'ct-dashboard-tests';
const CAMPAIGN = '9061';
const STEPS = ['accepted', 'sent', 'delivered', 'read', 'replied', 'clicked', 'failed'] as const;

describe.skipIf(!HAVE_CHROMIUM)('console dashboard in Chromium', () => {
  let gateway: TestGateway;
  let clevertap: ClevertapSimulator;
  let session: BrowserSession;

  beforeAll(async () => {
    const [, simulator] = await Promise.all([ensureConsoleBuilt(), startClevertapSimulator()]);
    clevertap = simulator;
    gateway = await startTestGateway(
      {
        mode: 'sandbox',
        admin: { token: ADMIN_TOKEN },
        accounts: [
          {
            id: 'sandbox',
            wabaNumber: '919888888888',
            clevertap: { auth: { kind: 'bearer', token: CLEVERTAP_TOKEN }, deliveryReportUrl: clevertap.deliveryReportUrl('sandbox'), inboundMessageUrl: clevertap.inboundMessageUrl('sandbox') },
          },
        ],
      },
      { dataDir: mkdtempSync(path.join(tmpdir(), 'wabridge-browser-dashboard-')) },
    );
    session = await openBrowser(gateway.url);
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    await gateway?.stop();
    await clevertap?.close();
  });

  async function dashboardApi(query: string): Promise<{ funnel: Record<(typeof STEPS)[number], number>; campaigns: Array<{ campaign: string }> }> {
    const response = await request(`${gateway.url}/v1/admin/dashboard?${query}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.statusCode).toBe(200);
    return (await response.body.json()) as never;
  }

  /** The funnel the page shows, step by step, read from each bar's text. */
  async function shownFunnel(): Promise<Record<string, number>> {
    const shown: Record<string, number> = {};
    for (const step of STEPS) shown[step] = Number(((await session.page.getByTestId(`funnel-${step}`).textContent()) ?? '').replace(/,/g, ''));
    return shown;
  }

  it('counts a template message CleverTap heard was read in the funnel, as the admin API does', async () => {
    const { page, pageErrors } = session;
    // Two sends of one campaign through the account's CleverTap endpoint, as CleverTap makes them.
    for (const [i, to] of [['1', '919999900101'], ['2', '919999900102']] as const) {
      const message = { ...fixture('clevertap/requests/template-text-header.json'), to, msgId: `${i}|${CAMPAIGN}|20261208|${i}` };
      const response = await request(`${gateway.url}/v1/clevertap/sandbox/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${CLEVERTAP_TOKEN}` },
        body: JSON.stringify(message),
      });
      expect(await response.body.json()).toEqual({ status: 'success' });
    }
    const msgIds = [`1|${CAMPAIGN}|20261208|1`, `2|${CAMPAIGN}|20261208|2`];
    await eventually(() => msgIds.every((msgId) => clevertap.statusesOf(msgId).includes('read')), 'both messages read, as CleverTap hears it', 20_000);

    await page.goto(`/#token=${ADMIN_TOKEN}`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
    await page.waitForURL((url) => url.pathname === '/dashboard');
    await page.getByLabel('Account').selectOption('sandbox');
    const api = await dashboardApi('account=sandbox');
    expect(api.funnel).toMatchObject({ accepted: 2, sent: 2, delivered: 2, read: 2, failed: 0 });
    await eventually(async () => (await shownFunnel()).read === api.funnel.read, 'the funnel to show both messages read');
    expect(await shownFunnel()).toEqual(api.funnel);
    // Each bar says what it counts in text, for a screen reader as for the eye.
    const readRow = page.getByRole('list', { name: 'Funnel' }).getByRole('listitem').filter({ hasText: 'Read' });
    expect(await readRow.textContent()).toMatch(/^Read2100%$/);

    // The campaign picker offers the msgId's campaign; picked, the funnel is that campaign's.
    expect(api.campaigns.map((row) => row.campaign)).toEqual([CAMPAIGN]);
    await page.getByLabel('Campaign').selectOption(CAMPAIGN);
    const campaignApi = await dashboardApi(`account=sandbox&campaign=${CAMPAIGN}`);
    await eventually(async () => (await shownFunnel()).accepted === campaignApi.funnel.accepted, 'the campaign funnel');
    expect(await shownFunnel()).toEqual(campaignApi.funnel);
    expect(await page.getByTestId('campaigns-table').textContent()).toContain(CAMPAIGN);

    // The charts draw from the gateway's buckets (uPlot's canvas in each box).
    for (const chart of ['chart-throughput', 'chart-answer', 'chart-lag']) await page.getByTestId(chart).locator('canvas').first().waitFor();
    await page.getByLabel('Campaign').selectOption('');
    await eventually(async () => (await shownFunnel()).accepted === api.funnel.accepted, 'the account funnel again');
    await session.screenshot('dashboard');
    expect(pageErrors).toEqual([]);
  });
});
