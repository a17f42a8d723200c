/**
 * Delivery reports end to end: CleverTap request → gateway → Meta simulator → signed status
 * webhooks → gateway → CleverTap simulator, which rejects any body not in CleverTap's format.
 * The funnel CleverTap sees must equal what Meta did, in order, also across a CleverTap outage.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startClevertapSimulator, type ClevertapSimulator } from '../src/sim/clevertap/index.js';
import { ASYNC_MAGIC_PREFIX } from '../src/sim/meta/index.js';
import { eventually, fixture, startTestGateway, type TestGateway } from './support/gateway.js';

let gateway: TestGateway | undefined;
let clevertap: ClevertapSimulator | undefined;
afterEach(async () => {
  await gateway?.stop();
  await clevertap?.close();
  gateway = clevertap = undefined;
});

const CAMPAIGN = '4930004';

async function start(extra: Record<string, unknown> = {}) {
  clevertap = await startClevertapSimulator();
  gateway = await startTestGateway({
    callbacks: { retryScheduleMs: [0, 200, 400, 800] },
    accounts: [{ id: 'sandbox', wabaNumber: '919888888888', clevertap: { auth: { kind: 'bearer', token: 'ct' }, deliveryReportUrl: clevertap.deliveryReportUrl('sandbox') }, whatsapp: { messagesPerSecond: 500 } }],
    ...extra,
  });
  return { gateway, clevertap };
}

async function send(gw: TestGateway, i: number, to: string) {
  const body = { ...fixture('clevertap/requests/template-image-dynamic-url.json'), to, msgId: `${i}|${CAMPAIGN}|20241114|${i}` };
  const response = await gw.post('/v1/clevertap/sandbox/messages', body, { authorization: 'Bearer ct' });
  expect(response.json).toEqual({ status: 'success' });
}

describe('delivery reports to CleverTap', () => {
  it('reports sent, delivered, read and failed (with the mapped code) in order, matching Meta', async () => {
    const { gateway: gw, clevertap: ct } = await start();
    for (let i = 0; i < 30; i++) await send(gw, i, String(919600000000 + i));
    await send(gw, 30, `${ASYNC_MAGIC_PREFIX}131026`);
    await send(gw, 31, `${ASYNC_MAGIC_PREFIX}131047`);
    const funnel = await eventually(() => {
      const current = ct.funnel(CAMPAIGN);
      return current.read === 30 && current.failed.total === 2 ? current : undefined;
    }, 'the funnel to complete', 20_000);
    // Meta fails these two without a `sent` first, and CleverTap hears exactly that.
    expect(funnel).toMatchObject({ sent: 30, delivered: 30, read: 30, failed: { total: 2, byCode: { '1007': 1, '1008': 1 } } });
    expect(ct.orderViolations()).toEqual([]);
    expect(ct.rejectedBodies()).toEqual([]);
    expect(ct.statusesOf(`0|${CAMPAIGN}|20241114|0`)).toEqual(['sent', 'delivered', 'read']);
  }, 30_000);

  it('keeps every report through a CleverTap outage and delivers them, in order, afterwards', async () => {
    const { gateway: gw, clevertap: ct } = await start();
    ct.failFor({ status: 500, durationMs: 1500 });
    for (let i = 0; i < 20; i++) await send(gw, i, String(919610000000 + i));
    await eventually(() => ct.rejectedBodies().length > 0, 'CleverTap to refuse a callback');
    const funnel = await eventually(() => {
      const current = ct.funnel(CAMPAIGN);
      return current.read === 20 ? current : undefined;
    }, 'everything to arrive after the outage', 20_000);
    expect(funnel).toMatchObject({ sent: 20, delivered: 20, read: 20, failed: { total: 0 } });
    expect(ct.orderViolations()).toEqual([]);
    expect(ct.rejectedBodies().every((rejection) => rejection.kind === 'fault')).toBe(true);
  }, 30_000);
});
