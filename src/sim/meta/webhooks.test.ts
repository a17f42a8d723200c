import { afterEach, describe, expect, it } from 'vitest';
import type { MetaSimulator } from './index.js';
import { metaJson } from './webhook-sender.js';
import { DISPLAY, PHONE_ID, WABA_ID, sendMessage, startReceiver, startTestSim, text, waitFor, type Receiver } from './test-support.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup(overrides: Parameters<typeof startTestSim>[0] = {}): Promise<{ sim: MetaSimulator; rx: Receiver }> {
  const rx = await startReceiver();
  const sim = await startTestSim({ webhookUrl: rx.url, ...overrides });
  cleanups.push(() => rx.close(), () => sim.close());
  return { sim, rx };
}

const statusesOf = (rx: Receiver, wamid: string) => rx.statuses().filter((s) => s.id === wamid);

describe('status lifecycle', () => {
  it('delivers signed sent → delivered → read with biz_opaque_callback_data echoed', async () => {
    const { sim, rx } = await setup();
    const r = await sendMessage(sim, text('16505551234', { biz_opaque_callback_data: 'order-42 / ünïcode' }));
    const wamid = r.body.messages[0].id;
    await waitFor(() => statusesOf(rx, wamid).length === 3, 3000, 'three statuses');

    expect(rx.received.every((w) => w.signatureOk)).toBe(true);
    expect(rx.received[0]?.sha1).toMatch(/^sha1=[0-9a-f]{40}$/);
    // Meta escapes non-ASCII and slashes on the wire.
    const raw = rx.received.map((w) => w.raw.toString('latin1')).join('');
    expect(raw).toContain('order-42 \\/ \\u00fcn\\u00efcode');
    expect(/[^\x00-\x7f]/.test(raw)).toBe(false);

    const body = rx.received[0]?.body;
    expect(body).toMatchObject({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: WABA_ID,
          changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: DISPLAY, phone_number_id: PHONE_ID } } }],
        },
      ],
    });
    const [sent, delivered, read] = statusesOf(rx, wamid);
    expect([sent?.status, delivered?.status, read?.status]).toEqual(['sent', 'delivered', 'read']);
    for (const s of [sent, delivered, read]) {
      expect(s).toMatchObject({ id: wamid, recipient_id: '16505551234', biz_opaque_callback_data: 'order-42 / ünïcode' });
      expect(s.timestamp).toMatch(/^\d{10}$/);
    }
    expect(sent.pricing).toEqual({ billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'service' });
    expect(sent.conversation).toMatchObject({ origin: { type: 'service' }, expiration_timestamp: expect.any(String) });
    expect(delivered.conversation.expiration_timestamp).toBeUndefined();
    expect(read.pricing).toBeUndefined();
    await waitFor(() => sim.pendingWebhooks() === 0, 1000, 'queue drained');
    expect(sim.webhookDeliveries().every((d) => d.ok)).toBe(true);
  });

  it('batches many statuses into one POST', async () => {
    const { sim, rx } = await setup({
      statusDelays: { sentMs: 20, deliveredMs: 2000, readMs: null },
      webhookBatch: { maxStatuses: 10, lingerMs: 100 },
      pairRateLimit: false,
    });
    await Promise.all(Array.from({ length: 25 }, (_, i) => sendMessage(sim, text(`1650555${String(i).padStart(4, '0')}`))));
    await waitFor(() => rx.statuses().length === 25, 3000, 'sent statuses');
    const sizes = rx.received.map((w) => w.body.entry[0].changes[0].value.statuses.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(10);
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    expect(rx.received.length).toBeLessThan(25);
  });

  it('magic lifecycles: offline delivers late, no-read stops at delivered, blocked stops at sent', async () => {
    // Far beyond the normal 60 ms, so the normal `delivered` below comes first even on a busy machine.
    const { sim, rx } = await setup({ offlineDeliveryMs: 2000 });
    const ids = await Promise.all(
      ['99931111111', '99941111111', '99951111111'].map(async (to) => (await sendMessage(sim, text(to))).body.messages[0].id as string),
    );
    const [offline, noRead, blocked] = ids as [string, string, string];
    // The no-read number's `delivered` is when the offline one's would have come, had it been online.
    await waitFor(() => statusesOf(rx, noRead).length === 2, 10_000, 'no-read delivered');
    expect(statusesOf(rx, offline).map((s) => s.status)).toEqual(['sent']);
    await waitFor(() => statusesOf(rx, offline).length === 3, 10_000, 'offline read');
    expect(statusesOf(rx, noRead).map((s) => s.status)).toEqual(['sent', 'delivered']);
    expect(statusesOf(rx, blocked).map((s) => s.status)).toEqual(['sent']);
  });

  it.each([131026, 131047, 131049, 131050, 131053, 130472, 131048, 131000, 132015])(
    '9992%i is accepted, then fails asynchronously',
    async (code) => {
      const { sim, rx } = await setup();
      const r = await sendMessage(sim, text(`9992${code}`));
      expect(r.status).toBe(200);
      const wamid = r.body.messages[0].id;
      await waitFor(() => statusesOf(rx, wamid).length === 1, 2000, 'failed status');
      const [failed] = statusesOf(rx, wamid);
      expect(failed.status).toBe('failed');
      expect(failed.pricing).toBeUndefined();
      const [err] = failed.errors;
      expect(err.code).toBe(code);
      expect(err.title).toBe(err.message);
      expect(err.error_data.details.length).toBeGreaterThan(5);
      expect(err.href).toMatch(/^https:\/\/developers\.facebook\.com\//);
    },
  );

  it('enforceCustomerWindow fails free-form outside a window with 131047, templates pass', async () => {
    const { sim, rx } = await setup({ enforceCustomerWindow: true, openWindows: ['16505550001'] });
    const closed = (await sendMessage(sim, text('16505550002'))).body.messages[0].id;
    const open = (await sendMessage(sim, text('16505550001'))).body.messages[0].id;
    const tpl = (
      await sendMessage(sim, {
        messaging_product: 'whatsapp',
        to: '16505550002',
        type: 'template',
        template: { name: 'hello_world', language: { code: 'en_US' } },
      })
    ).body.messages[0].id;
    await waitFor(() => statusesOf(rx, tpl).length === 3 && statusesOf(rx, open).length === 3, 2000, 'lifecycles');
    expect(statusesOf(rx, closed).map((s) => [s.status, s.errors?.[0]?.code])).toEqual([['failed', 131047]]);
    expect(statusesOf(rx, tpl)[0]?.pricing).toMatchObject({ billable: true, type: 'regular', category: 'utility' });
  });

  it('omits conversation for v24+ sends', async () => {
    const { sim, rx } = await setup();
    const res = await fetch(`${sim.url}/v24.0/${PHONE_ID}/messages`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-token', 'content-type': 'application/json' },
      body: JSON.stringify(text('16505551234')),
    });
    const wamid = ((await res.json()) as any).messages[0].id;
    await waitFor(() => statusesOf(rx, wamid).length === 3, 2000, 'statuses');
    expect(statusesOf(rx, wamid)[0]?.conversation).toBeUndefined();
    expect(statusesOf(rx, wamid)[0]?.pricing).toBeDefined();
  });
});

describe('webhook delivery', () => {
  it('retries while the receiver answers 500 and delivers once it recovers', async () => {
    const { sim, rx } = await setup({ webhookRetry: { initialMs: 20, factor: 2, maxMs: 100 } });
    rx.respondWith = 500;
    const wamid = (await sendMessage(sim, text('16505551234'))).body.messages[0].id;
    await waitFor(() => sim.webhookDeliveries().filter((d) => !d.ok).length >= 4, 3000, 'failed attempts');
    expect(sim.pendingWebhooks()).toBeGreaterThan(0);
    rx.respondWith = 200;
    await waitFor(() => statusesOf(rx, wamid).length === 3, 3000, 'recovered delivery');
    await waitFor(() => sim.pendingWebhooks() === 0, 2000, 'drained');
    const log = sim.webhookDeliveries();
    expect(log.some((d) => !d.ok && d.status === 500)).toBe(true);
    expect(log.some((d) => d.ok && d.attempt > 1)).toBe(true);
    expect(sim.stats().webhooks.failed).toBeGreaterThanOrEqual(4);
  });

  it('keeps retrying while the receiver is down and gives up after the max age', async () => {
    const rx = await startReceiver();
    const url = rx.url;
    await rx.close();
    const sim = await startTestSim({
      webhookUrl: url,
      webhookRetry: { initialMs: 10, factor: 2, maxMs: 40, maxAgeMs: 300 },
      statusDelays: { sentMs: 10, deliveredMs: 10_000, readMs: null },
    });
    cleanups.push(() => sim.close());
    await sendMessage(sim, text('16505551234'));
    await waitFor(() => sim.webhookDeliveries().some((d) => d.gaveUp === true), 3000, 'give up');
    const attempts = sim.webhookDeliveries();
    expect(attempts.length).toBeGreaterThanOrEqual(4);
    expect(attempts.every((d) => !d.ok && d.status === 0)).toBe(true);
    expect(sim.pendingWebhooks()).toBe(0);
  });

  it('holds statuses until a webhook URL is set', async () => {
    const sim = await startTestSim();
    cleanups.push(() => sim.close());
    const wamid = (await sendMessage(sim, text('16505551234'))).body.messages[0].id;
    // Every status has left the lifecycle and sits in the webhook queue, with nowhere to go.
    await waitFor(() => sim.scheduledStatuses() === 0 && sim.pendingWebhooks() > 0, 10_000, 'statuses queued');
    const rx = await startReceiver();
    cleanups.push(() => rx.close());
    const put = await fetch(`${sim.url}/_sim/webhook-url`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: rx.url }),
    });
    expect(put.status).toBe(200);
    await waitFor(() => statusesOf(rx, wamid).length === 3, 2000, 'statuses after URL set');
  });
});

describe('metaJson', () => {
  it('escapes non-ASCII as lowercase \\uXXXX and / as \\/', () => {
    expect(metaJson({ a: 'äöå/😀' })).toBe('{"a":"\\u00e4\\u00f6\\u00e5\\/\\ud83d\\ude00"}');
    expect(JSON.parse(metaJson({ a: 'äöå/😀' }))).toEqual({ a: 'äöå/😀' });
  });
});
