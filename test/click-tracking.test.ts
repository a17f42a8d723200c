/**
 * Provider click tracking: a whole-URL button parameter is sent to Meta as a short code; a tap on
 * the short link redirects to the real URL and CleverTap hears `Clicked` with url, shortUrl,
 * userAgent and ts, in a body its format check accepts.
 */
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

describe('click tracking', () => {
  it('redirects a tracked button to its destination and reports the click', async () => {
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
    const msgId = '4930004|1731583253|20241114|4930004';
    const template = fixture('clevertap/requests/template-file-header-multi-button.json');
    const send = { ...template, template: { ...template['template'], namespace: 'multi_button_offer_tracked' }, msgId, to: '919944400001' };
    expect((await gateway.post('/v1/clevertap/sandbox/messages', send, { authorization: 'ct' })).json).toEqual({ status: 'success' });
    const sent = await eventually(() => gateway!.simulator!.accepted()[0], 'the send');
    const buttons = (sent.body as { template: { components: Array<{ type: string; sub_type?: string; parameters: Array<{ text?: string }> }> } }).template.components.filter((component) => component.sub_type === 'url');
    const code = buttons[0]!.parameters[0]!.text!;
    expect(code).toMatch(/^[A-Za-z0-9]{10}$/);

    const userAgent = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)';
    const tap = await request(`${gateway.url}/c/${code}`, { headers: { 'user-agent': userAgent } });
    expect(tap.statusCode).toBe(302);
    expect(tap.headers['location']).toBe('https://shop.example.com/app/summer');
    await tap.body.dump();

    const report = await eventually(
      () => clevertap!.deliveryReports().flatMap((dlr) => (dlr.body as { statuses: Array<Record<string, unknown>> }).statuses).find((status) => status['status'] === 'Clicked'),
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

  it('leaves button parameters alone when tracking is off or the parameter is only a suffix', async () => {
    gateway = await startTestGateway();
    const send = { ...fixture('clevertap/requests/template-file-header-multi-button.json'), msgId: 'no-track|1', to: '919944400002' };
    expect((await gateway.post('/v1/clevertap/sandbox/messages', send, { authorization: `Bearer ${gateway.sandboxSecrets!.clevertapToken}` })).json).toEqual({ status: 'success' });
    const sent = await eventually(() => gateway!.simulator!.accepted()[0], 'the send');
    const url = (sent.body as { template: { components: Array<{ sub_type?: string; parameters: Array<{ text?: string }> }> } }).template.components.find((component) => component.sub_type === 'url');
    expect(url!.parameters[0]!.text).toBe('app/summer');
  });
});
