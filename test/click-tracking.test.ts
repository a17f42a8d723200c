/**
 * Provider click tracking: a whole-URL button parameter is sent to Meta as a short code; a tap on
 * the short link redirects to the real URL and CleverTap hears `Clicked` with url, shortUrl,
 * userAgent and ts, in a body its format check accepts. Every tap is redirected, but a link is
 * reported at most once per window, and a destination that is no valid URL never breaks the redirect.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startClevertapSimulator, type ClevertapSimulator } from '../src/sim/clevertap/index.js';
import { eventually, fixture, startTestGateway, type TestGateway } from './support/gateway.js';

let gateway: TestGateway | undefined;
let clevertap: ClevertapSimulator | undefined;
afterEach(async () => {
  await gateway?.stop();
  await clevertap?.close();
  gateway = clevertap = undefined;
});

/** A gateway with click tracking on, its tracked template synced, reporting to a CleverTap simulator. */
async function startTrackingGateway(): Promise<{ gateway: TestGateway; clevertap: ClevertapSimulator }> {
  clevertap = await startClevertapSimulator();
  gateway = await startTestGateway({
    accounts: [
      {
        id: 'sandbox',
        wabaNumber: '919888888888',
        clevertap: { auth: { kind: 'bearer', token: 'ct' }, deliveryReportUrl: clevertap.deliveryReportUrl('sandbox'), clickTracking: { enabled: true, baseUrl: 'https://t.example.com' } },
      },
    ],
  });
  // Tracking needs a template whose URL button points at the tracking domain; CleverTap then
  // sends the destination as a whole URL, which pre-flight leaves for click tracking to replace.
  gateway.simulator!.upsertTemplate({
    name: 'multi_button_offer_tracked',
    language: 'en',
    category: 'MARKETING',
    components: [
      { type: 'HEADER', format: 'DOCUMENT', example: { header_handle: ['4::YXBwbGljYXRpb24vcGRm:ARc2'] } },
      { type: 'BODY', text: 'Hey {{1}}, This is a test template', example: { body_text: [['0']] } },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'COPY_CODE', text: 'Copy offer code', example: 'SAMPLECODE' },
          { type: 'URL', text: 'Visit App', url: 'https://t.example.com/c/{{1}}', example: ['https://t.example.com/c/abc'] },
          { type: 'URL', text: 'Check Out Now', url: 'https://shop.example.com' },
          { type: 'QUICK_REPLY', text: 'Show more' },
          { type: 'QUICK_REPLY', text: 'Not Now' },
          { type: 'QUICK_REPLY', text: 'STOP' },
        ],
      },
    ],
  });
  expect((await gateway.templates.sync('sandbox')).ok).toBe(true);
  return { gateway, clevertap };
}

/** Sends the tracked template with `destination` as the dynamic URL; returns what Meta got as the button's parameter. */
async function sendTracked(gateway: TestGateway, msgId: string, to: string, destination: string): Promise<string> {
  const template = fixture('clevertap/requests/template-file-header-multi-button.json');
  const components = (template['components'] as Array<Record<string, unknown>>).map((component) =>
    component['subType'] === 'dynamicUrl' ? { ...component, parameters: [{ type: 'text', text: destination }] } : component,
  );
  const send = { ...template, template: { ...template['template'], namespace: 'multi_button_offer_tracked' }, components, msgId, to };
  expect((await gateway.post('/v1/clevertap/sandbox/messages', send, { authorization: 'ct' })).json).toEqual({ status: 'success' });
  const sent = await eventually(() => gateway.simulator!.accepted().find((request) => JSON.stringify(request.body).includes(to.replace('+', ''))), 'the send');
  const buttons = (sent.body as { template: { components: Array<{ sub_type?: string; parameters: Array<{ text?: string }> }> } }).template.components.filter((component) => component.sub_type === 'url');
  return buttons[0]!.parameters[0]!.text!;
}

/** A second connection to the gateway's database, to look at (and plant) what the store holds. */
function openStore(gateway: TestGateway): Database.Database {
  const db = new Database(path.join(gateway.dataDir, 'wabridge.db'));
  db.pragma('busy_timeout = 5000');
  return db;
}

describe('click tracking', () => {
  it('redirects a tracked button to its destination and reports the click', async () => {
    const { gateway, clevertap } = await startTrackingGateway();
    const msgId = '4930004|1731583253|20241114|4930004';
    const code = await sendTracked(gateway, msgId, '919944400001', 'https://shop.example.com/app/summer');
    expect(code).toMatch(/^[A-Za-z0-9]{10}$/);

    const userAgent = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)';
    const tap = await request(`${gateway.url}/c/${code}`, { headers: { 'user-agent': userAgent } });
    expect(tap.statusCode).toBe(302);
    expect(tap.headers['location']).toBe('https://shop.example.com/app/summer');
    await tap.body.dump();

    const report = await eventually(
      () => clevertap.deliveryReports().flatMap((dlr) => (dlr.body as { statuses: Array<Record<string, unknown>> }).statuses).find((status) => status['status'] === 'Clicked'),
      'the Clicked report',
    );
    expect(report).toMatchObject({ msgId, status: 'Clicked', url: 'https://shop.example.com/app/summer', shortUrl: `https://t.example.com/c/${code}`, userAgent });
    expect(typeof report['ts']).toBe('number');
    expect(clevertap.funnel('1731583253').clicked).toBe(1);
    expect(clevertap.rejectedBodies()).toEqual([]);

    const unknown = await request(`${gateway.url}/c/nosuchcode1`);
    expect(unknown.statusCode).toBe(404);
    await unknown.body.dump();
  });

  it('redirects every tap but reports a link once per window, with the user agent cut to 256 characters', async () => {
    const { gateway, clevertap } = await startTrackingGateway();
    const msgId = 'bots|1731583254|20241114|1';
    const code = await sendTracked(gateway, msgId, '919944400003', 'https://shop.example.com/app/summer');
    const userAgent = `Bot/1.0 ${'x'.repeat(8 * 1024)}`;
    for (let batch = 0; batch < 10; batch++) {
      const taps = await Promise.all(Array.from({ length: 30 }, () => request(`${gateway.url}/c/${code}`, { headers: { 'user-agent': userAgent } })));
      for (const tap of taps) {
        expect(tap.statusCode).toBe(302);
        expect(tap.headers['location']).toBe('https://shop.example.com/app/summer');
        await tap.body.dump();
      }
    }
    // Each report is committed before its redirect is answered, so after 300 answers the count is final.
    const db = openStore(gateway);
    try {
      const owed = db.prepare(`SELECT payload FROM callbacks WHERE payload LIKE '%"clicked"%'`).all() as Array<{ payload: string }>;
      expect(owed).toHaveLength(1);
    } finally {
      db.close();
    }
    const report = await eventually(
      () => clevertap.deliveryReports().flatMap((dlr) => (dlr.body as { statuses: Array<Record<string, unknown>> }).statuses).find((status) => status['status'] === 'Clicked'),
      'the Clicked report',
    );
    expect(report).toMatchObject({ msgId, userAgent: userAgent.slice(0, 256) });
  }, 30_000);

  it('does not track a destination with CR/LF, and answers a stored bad destination with 404, never 500', async () => {
    const { gateway } = await startTrackingGateway();
    // At intake: a "URL" with a line break is not a URL: pre-flight refuses the send (2001), so no
    // short link is made and nothing goes to Meta.
    const broken = 'https://shop.example.com/x\r\nSet-Cookie: a=b';
    const template = fixture('clevertap/requests/template-file-header-multi-button.json');
    const components = (template['components'] as Array<Record<string, unknown>>).map((component) =>
      component['subType'] === 'dynamicUrl' ? { ...component, parameters: [{ type: 'text', text: broken }] } : component,
    );
    const refused = await gateway.post(
      '/v1/clevertap/sandbox/messages',
      { ...template, template: { ...template['template'], namespace: 'multi_button_offer_tracked' }, components, msgId: 'crlf|1', to: '919944400004' },
      { authorization: 'ct' },
    );
    expect(refused.json).toMatchObject({ status: 'failure', error: { code: 2001, message: expect.stringMatching(/control character/) } });
    // A message to hang the planted links on.
    await sendTracked(gateway, 'crlf|1731583255|20241114|2', '919944400005', 'https://shop.example.com/fine');
    const db = openStore(gateway);
    try {
      expect(db.prepare('SELECT COUNT(*) AS n FROM click_links').get()).toEqual({ n: 1 });
      // A link stored before intake refused such URLs (or written by hand) must still get a clear answer.
      const message = db.prepare('SELECT id, msg_id AS msgId FROM messages LIMIT 1').get() as { id: string; msgId: string };
      const insert = db.prepare('INSERT INTO click_links (code, account_id, message_id, msg_id, url, created_at) VALUES (?, ?, ?, ?, ?, ?)');
      insert.run('badcrlf001', 'sandbox', message.id, message.msgId, broken, Date.now());
      insert.run('badjs00001', 'sandbox', message.id, message.msgId, 'javascript:alert(1)', Date.now());
    } finally {
      db.close();
    }
    for (const code of ['badcrlf001', 'badjs00001']) {
      for (let tap = 0; tap < 2; tap++) {
        const response = await request(`${gateway.url}/c/${code}`);
        expect(response.statusCode, code).toBe(404);
        expect(await response.body.json()).toEqual({ message: "this link's destination is not a valid http(s) URL", errors: [] });
      }
    }
  });

  it('redirects to a destination with characters a header cannot carry, percent-encoded', async () => {
    const { gateway } = await startTrackingGateway();
    const code = await sendTracked(gateway, 'emoji|1731583256|20241114|1', '919944400005', 'https://shop.example.com/sale/🎉?q=ünï');
    expect(code).toMatch(/^[A-Za-z0-9]{10}$/);
    const tap = await request(`${gateway.url}/c/${code}`);
    expect(tap.statusCode).toBe(302);
    expect(tap.headers['location']).toBe('https://shop.example.com/sale/%F0%9F%8E%89?q=%C3%BCn%C3%AF');
    await tap.body.dump();
  });

  it('leaves button parameters alone when tracking is off or the parameter is only a suffix', async () => {
    gateway = await startTestGateway();
    const send = { ...fixture('clevertap/requests/template-file-header-multi-button.json'), msgId: 'no-track|1', to: '919944400002' };
    expect((await gateway.post('/v1/clevertap/sandbox/messages', send, { authorization: `Bearer ${gateway.sandboxSecrets!.clevertapToken}` })).json).toEqual({ status: 'success' });
    const sent = await eventually(() => gateway!.simulator!.accepted()[0], 'the send');
    const url = (sent.body as { template: { components: Array<{ sub_type?: string; parameters: Array<{ text?: string }> }> } }).template.components.find((component) => component.sub_type === 'url');
    expect(url!.parameters[0]!.text).toBe('app/summer');
  });
});
