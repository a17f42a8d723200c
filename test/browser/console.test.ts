/**
 * The operator console in a real browser against a real sandbox gateway (built-in Meta simulator)
 * whose callbacks go to the CleverTap simulator. One browser and one page for the whole file, the
 * tests in order, as an operator would go: open the link the banner prints, see the accounts,
 * connect CleverTap, look at the templates, send a test message, watch the callbacks.
 */
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { startClevertapSimulator, type ClevertapSimulator } from '../../src/sim/clevertap/index.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { ensureConsoleBuilt, HAVE_CHROMIUM, openBrowser, type BrowserSession } from './browser.js';

const ADMIN_TOKEN = 'admin-token-browser-tests-0123456789';
const CLEVERTAP_TOKEN = 'ct-browser-tests';
const REFUSED_TOKEN = 'ct-browser-refused';

/** A CleverTap stand-in that refuses delivery reports (422) until `accept` is set: dead letters. */
async function startRefusingReceiver(): Promise<{ url: string; accepted: unknown[]; accept: boolean; close(): Promise<void> }> {
  const state = { url: '', accepted: [] as unknown[], accept: false, close: async () => {} };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (!state.accept) {
        res.writeHead(422, { 'content-type': 'application/json' }).end('{"error":"unknown msgId"}');
        return;
      }
      state.accepted.push(JSON.parse(body));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"success"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dlr/refused`;
  state.close = () => new Promise((resolve) => server.close(() => resolve()));
  return state;
}

describe.skipIf(!HAVE_CHROMIUM)('operator console in Chromium', () => {
  let gateway: TestGateway;
  let clevertap: ClevertapSimulator;
  let refusing: Awaited<ReturnType<typeof startRefusingReceiver>>;
  let session: BrowserSession;
  let accountsApi = false;
  let sentMsgId = '';

  beforeAll(async () => {
    const [, simulator, receiver] = await Promise.all([ensureConsoleBuilt(), startClevertapSimulator(), startRefusingReceiver()]);
    clevertap = simulator;
    refusing = receiver;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'wabridge-browser-'));
    gateway = await startTestGateway(
      {
        mode: 'sandbox',
        admin: { token: ADMIN_TOKEN },
        accounts: [
          {
            id: 'sandbox',
            wabaNumber: '919888888888',
            clevertap: {
              auth: { kind: 'bearer', token: CLEVERTAP_TOKEN },
              deliveryReportUrl: clevertap.deliveryReportUrl('sandbox'),
              inboundMessageUrl: clevertap.inboundMessageUrl('sandbox'),
            },
          },
          { id: 'refused', wabaNumber: '919777700000', clevertap: { auth: { kind: 'bearer', token: REFUSED_TOKEN }, deliveryReportUrl: refusing.url } },
        ],
      },
      { dataDir },
    );
    accountsApi = (await adminGet('/v1/admin/accounts')).status !== 404;
    session = await openBrowser(gateway.url);
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    await gateway?.stop();
    await clevertap?.close();
    await refusing?.close();
  });

  async function adminGet(pathname: string): Promise<{ status: number; json: unknown }> {
    const response = await request(gateway.url + pathname, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const text = await response.body.text();
    return { status: response.statusCode, json: text ? JSON.parse(text) : undefined };
  }

  /** Tests of pages built on the accounts API skip, saying so, on a gateway without it. */
  function needsAccountsApi(context: TestContext): void {
    if (!accountsApi) {
      console.warn('browser test skipped: GET /v1/admin/accounts answers 404 on this gateway (the accounts API has not landed)');
      context.skip();
    }
  }

  it('opens with the token from the link the banner prints, and takes it out of the address bar', async () => {
    const { page } = session;
    await page.goto(`/#token=${ADMIN_TOKEN}`);
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.waitForURL((url) => url.pathname === '/accounts');
    expect(page.url()).not.toContain(ADMIN_TOKEN);
    expect(await page.evaluate<string | null>("sessionStorage.getItem('wabridge.adminToken')")).toBe(ADMIN_TOKEN);
    for (const label of ['Accounts', 'Templates', 'Send test', 'Messages', 'Inbound', 'Callbacks']) {
      await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).isVisible()).resolves.toBe(true);
    }
  });

  it('lists the sandbox account on Accounts', async () => {
    const { page } = session;
    const row = page.locator('[data-testid="accounts-table"] tr[data-account="sandbox"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('sandbox');
    if (accountsApi) {
      expect(await row.textContent()).toContain('+919888888888');
      expect(await row.textContent()).toContain('file · read-only');
    }
    await session.screenshot('accounts');
  });

  it('copies the CleverTap endpoint to the clipboard from the Connect CleverTap panel', async (context) => {
    needsAccountsApi(context);
    const { page } = session;
    await page.locator('tr[data-account="sandbox"] a', { hasText: 'sandbox' }).click();
    await page.waitForURL((url) => url.pathname === '/accounts/sandbox');
    const endpoint = `${gateway.url}/v1/clevertap/sandbox/messages`;
    const panel = page.getByRole('region', { name: 'Connect CleverTap' });
    await expect(panel.getByLabel('HTTP Endpoint', { exact: true }).inputValue()).resolves.toBe(endpoint);
    await panel.getByRole('button', { name: 'Copy HTTP Endpoint' }).click();
    await panel.getByRole('button', { name: 'Copy HTTP Endpoint' }).filter({ hasText: 'Copied' }).waitFor();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(endpoint);
    const meta = page.getByRole('region', { name: 'Connect Meta' });
    await expect(meta.getByLabel('Callback URL', { exact: true }).inputValue()).resolves.toMatch(/\/webhooks?\/whatsapp|\/v1\/whatsapp\/webhook/);
    await session.screenshot('account');
  });

  it('shows a wrong access token next to the Access token field when creating an account', async (context) => {
    needsAccountsApi(context);
    const { page } = session;
    await page.goto('/accounts/new');
    await page.getByLabel('Account id', { exact: true }).fill('acme');
    await page.getByLabel('WhatsApp business number').fill('919777777777');
    await page.getByLabel('Phone number id').fill(gateway.accounts[0]!.whatsapp.phoneNumberId);
    await page.getByLabel('WhatsApp Business Account id').fill(gateway.accounts[0]!.whatsapp.wabaId ?? '1');
    await page.getByLabel('Access token').fill('EAAG-not-the-right-token');
    await page.getByLabel('App secret').fill('app-secret-for-acme');
    await page.getByLabel('Webhook verify token').fill('verify-acme');
    await page.getByLabel('Graph base URL').fill(gateway.simulator!.graphBaseUrl);
    await page.getByLabel('Bearer token').fill('ct-acme-token');
    await page.getByRole('button', { name: 'Create account' }).click();
    const fieldError = page.locator('[data-field="whatsapp.accessToken"] .field-error');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toBeTruthy();
    expect(await page.locator('[data-field="whatsapp.accessToken"] input').getAttribute('aria-invalid')).toBe('true');
    await session.screenshot('account-new-invalid');
  });

  it('shows the sandbox templates with their status and a WhatsApp preview', async () => {
    const { page } = session;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Templates' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/templates'));
    const helloWorld = page.locator('[data-template="hello_world"]');
    await helloWorld.waitFor();
    expect(await helloWorld.textContent()).toContain('APPROVED');
    const paused = page.locator('[data-template="paused_promo"]');
    expect(await paused.textContent()).toContain('PAUSED');
    await expect(page.locator('[data-template="order_ready"] [data-testid="whatsapp-preview"]').isVisible()).resolves.toBe(true);
    expect(await page.getByTestId('sync-state').textContent()).toMatch(/\d+ templates, synced/);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.getByText(/^Synced: \d+ templates\.$/).waitFor();
    await session.screenshot('templates');
  });

  it('sends a test template message and shows the request and the answer; CleverTap gets its reports', async () => {
    const { page } = session;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Send test' }).click();
    await page.getByLabel('Template (approved)').selectOption({ label: 'order_shipped (en)' });
    await page.getByLabel('Header {{1}}').fill('4411');
    await page.getByLabel('Body {{1}}').fill('Ana');
    await page.getByLabel('Body {{2}}').fill('4411');
    await page.getByLabel('Recipient number').fill('919999900001');
    // Without the accounts API the page cannot know the account's number and asks for it.
    if (!accountsApi) await page.getByLabel('WhatsApp business number').fill('919888888888');
    // The gateway sends on the account's behalf: the console never asks for the CleverTap credential.
    await page.getByRole('button', { name: 'Send test message' }).click();
    const answer = page.getByTestId('send-answer');
    await answer.waitFor();
    expect(JSON.parse((await answer.textContent()) ?? '')).toEqual({ status: 'success' });
    expect(await page.getByLabel('Authorization header value or bearer token').count()).toBe(0);
    const shown = (await page.locator('[data-testid="send-exchange"] pre').first().textContent()) ?? '';
    expect(shown.split('\n')[0]).toBe('POST /v1/clevertap/sandbox/messages');
    expect(shown).not.toContain(CLEVERTAP_TOKEN);
    const sent = JSON.parse((await page.locator('[data-testid="send-exchange"] pre').first().textContent())!.split('\n\n').slice(1).join('\n\n'));
    expect(sent).toMatchObject({ to: '919999900001', wabaNumber: '919888888888', isTemplate: true, template: { namespace: 'order_shipped', languageCode: 'en' } });
    expect(sent.components).toEqual([
      { type: 'header', header: { type: 'text', text: { text: 'Order 4411 shipped', parameters: [{ type: 'text', text: '4411' }] } } },
      { type: 'body', body: { text: expect.stringContaining('Ana'), parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: '4411' }] } },
    ]);
    await eventually(() => clevertap.statusesOf(sent.msgId).includes('read'), 'sent, delivered and read to reach CleverTap', 20_000);
    expect(clevertap.statusesOf(sent.msgId)).toEqual(['sent', 'delivered', 'read']);
    // The page follows the message live: Meta's statuses, then CleverTap's answers to the reports.
    const live = page.getByTestId('live-timeline');
    for (const state of ['sent', 'delivered', 'read']) await live.locator(`[data-kind="status"][data-state="${state}"]`).waitFor();
    await eventually(async () => (await live.locator('[data-kind="callback"]').allTextContents()).filter((text) => text.includes('delivered')).length >= 3, 'three delivered callbacks in the timeline');
    sentMsgId = sent.msgId;
    await session.screenshot('send-test');
    // The Accounts list now shows the account's last send and last webhook.
    if (accountsApi) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
      const cells = page.locator('[data-testid="accounts-table"] tr[data-account="sandbox"] td');
      await eventually(async () => (await cells.nth(3).locator('time').count()) === 1 && (await cells.nth(4).locator('time').count()) === 1, 'the last send and last webhook to show');
      expect(await cells.nth(5).textContent()).toMatch(/^\d+$/);
    }
  });

  it('finds the test message in Messages and opens its timeline: accepted, sent to Meta, statuses, callbacks', async () => {
    const { page } = session;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Messages' }).click();
    await page.getByLabel('msgId').fill(sentMsgId);
    await page.getByRole('button', { name: 'Search' }).click();
    const row = page.locator(`[data-testid="messages-table"] tr[data-msgid="${sentMsgId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('read');
    expect(await page.locator('[data-testid="messages-table"] tbody tr').count()).toBe(1);
    await session.screenshot('messages');
    await row.getByRole('link', { name: sentMsgId }).click();
    const timeline = page.getByTestId('timeline');
    await timeline.waitFor();
    const kinds = await timeline.locator('li').evaluateAll((items) => items.map((item) => item.getAttribute('data-kind')));
    expect(kinds[0]).toBe('accepted');
    expect(kinds).toContain('graph');
    expect(await timeline.locator('[data-kind="status"]').evaluateAll((items) => items.map((item) => item.getAttribute('data-state')))).toEqual(['sent', 'delivered', 'read']);
    expect(await timeline.locator('[data-kind="callback"]').count()).toBeGreaterThanOrEqual(3);
    await session.screenshot('message-timeline');
  });

  it('shows the Inbound page', async () => {
    const { page } = session;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbound' }).click();
    await page.getByRole('heading', { name: 'Inbound' }).waitFor();
    await page.getByText(/No inbound message yet|Received/).first().waitFor();
    await session.screenshot('inbound');
  });

  it('builds the media header and the dynamic URL button of a template, and the gateway accepts them', async () => {
    const { page } = session;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Send test' }).click();
    if (!accountsApi) await page.getByLabel('WhatsApp business number').fill('919888888888');
    await page.getByLabel('Template (approved)').selectOption({ label: 'promo_image (en)' });
    await page.getByLabel('Header image URL').fill('https://media.example.com/image.png');
    await page.getByLabel('Body {{1}}').fill('Ana');
    await page.getByLabel('Button "Shop now" URL suffix').fill('cart');
    expect(await page.getByTestId('whatsapp-preview').textContent()).toContain('Hi Ana, new arrivals are in');
    await page.getByRole('button', { name: 'Send test message' }).click();
    await eventually(async () => ((await page.locator('[data-testid="send-exchange"] pre').first().textContent()) ?? '').includes('promo_image'), 'the new request to show');
    const answer = page.getByTestId('send-answer');
    expect(JSON.parse((await answer.textContent()) ?? '')).toEqual({ status: 'success' });
    const sent = JSON.parse((await page.locator('[data-testid="send-exchange"] pre').first().textContent())!.split('\n\n').slice(1).join('\n\n'));
    expect(sent.components).toEqual([
      { type: 'header', header: { type: 'image', image: { mediaURL: 'https://media.example.com/image.png' } } },
      { type: 'body', body: { text: 'Hi Ana, new arrivals are in', parameters: [{ type: 'text', text: 'Ana' }] } },
      { type: 'button', index: 0, subType: 'dynamicUrl', buttonText: 'Shop now', parameters: [{ type: 'text', text: 'cart' }] },
    ]);
  });

  it('shows the CleverTap callback URL with what it delivered on Callbacks', async () => {
    const { page } = session;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Callbacks' }).click();
    // The gateway shows callback URLs by origin only: their paths carry CleverTap's tenant tokens.
    const row = page.locator('[data-testid="callback-endpoints"] tr', { hasText: new URL(clevertap.deliveryReportUrl('sandbox')).origin });
    await row.waitFor();
    await eventually(async () => /closed/.test((await row.textContent()) ?? ''), 'the breaker to show closed');
    expect(Number(await row.locator('td').nth(3).textContent())).toBeGreaterThanOrEqual(3);
    await session.screenshot('callbacks');
  });

  it('lists the callbacks CleverTap refused as dead letters and replays them all', async () => {
    const { page } = session;
    const send = { payloadVersion: 0.1, to: '919999900002', wabaNumber: '919777700000', isTemplate: false, msgId: 'dead|1|20261208|1', type: 'text', text: { body: 'refused reports' } };
    expect((await gateway.post('/v1/clevertap/refused/messages', send, { authorization: `Bearer ${REFUSED_TOKEN}` })).json).toEqual({ status: 'success' });
    const rows = page.locator('[data-testid="dead-letters"] tbody tr', { hasText: 'dead|1|20261208|1' });
    await eventually(async () => (await rows.count()) >= 3, 'the three refused reports to show as dead letters', 20_000);
    expect(await rows.first().textContent()).toContain('HTTP 422');
    await session.screenshot('callbacks-dead-letters');
    refusing.accept = true;
    await page.getByRole('button', { name: /^Replay all/ }).click();
    await page.getByRole('status').filter({ hasText: 'queued again' }).waitFor();
    // Reports to one URL travel in batches: count the statuses, not the requests.
    const statuses = () => (refusing.accepted as Array<{ statuses?: Array<{ status: string }> }>).flatMap((body) => (body.statuses ?? []).map((status) => status.status));
    await eventually(() => statuses().length >= 3, 'the replayed reports to reach CleverTap', 20_000);
    expect(statuses()).toEqual(expect.arrayContaining(['sent', 'delivered', 'read']));
    await eventually(async () => (await rows.count()) === 0, 'the replayed dead letters to leave the list');
  });

  it('says why when the gateway refuses the token, and takes another', async () => {
    const { page } = session;
    await page.getByRole('button', { name: 'Change admin token' }).click();
    await page.getByLabel('Admin token').fill('not-the-admin-token-at-all');
    await page.getByRole('button', { name: 'Open the console' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'The gateway refused the admin token.' }).first();
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('a valid admin token is required');
    await session.screenshot('token-refused');
    await refusal.getByRole('button', { name: 'Enter another token' }).click();
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Open the console' }).click();
    await page.locator('[data-testid="callback-endpoints"]').waitFor();
  });

  it('threw no error in the page', () => {
    expect(session.pageErrors).toEqual([]);
  });
});
