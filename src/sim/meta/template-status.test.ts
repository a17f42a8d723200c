import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES, type MetaSimulator, type SeedTemplate } from './index.js';
import { SECRET, WABA_ID, startReceiver, startTestSim, waitFor, type Receiver } from './test-support.js';

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

const FIELD = 'message_template_status_update';
const seeded = (name: string): SeedTemplate => {
  const t = DEFAULT_TEMPLATES.find((x) => x.name === name);
  if (!t?.id) throw new Error(`no seeded ${name}`);
  return t;
};
const PROMO = seeded('promo_image'); // id 1387372356726606, en, MARKETING, APPROVED

/** The `value`s of every template status webhook received so far, in arrival order. */
function templateValues(rx: Receiver): any[] {
  return rx.received.flatMap((w) =>
    w.body.entry.flatMap((e: any) => e.changes.filter((c: any) => c.field === FIELD).map((c: any) => c.value)),
  );
}

/**
 * Waits until everything the calls so far would have POSTed has been answered: the simulator
 * queues a template webhook within the call that changes the status (the URL-less test below
 * pins that), so once the queue is empty nothing more can arrive.
 */
async function settle(sim: MetaSimulator): Promise<void> {
  await waitFor(() => sim.pendingWebhooks() === 0, 10_000, 'webhook queue drained');
}

const control = (sim: MetaSimulator, path: string, body: unknown) =>
  fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('message_template_status_update', () => {
  it('a pause POSTs Meta\'s exact envelope, signed over the raw bytes', async () => {
    const { sim, rx } = await setup();
    const before = Math.floor(Date.now() / 1000);
    expect(sim.setTemplateStatus(PROMO.id as string, 'PAUSED')).toBe(true);
    await waitFor(() => rx.received.length === 1, 2000, 'template webhook');
    const after = Math.ceil(Date.now() / 1000);

    const [hook] = rx.received;
    if (!hook) throw new Error('no webhook');
    expect(hook.signatureOk).toBe(true);
    expect(hook.sha1).toBe('sha1=' + createHmac('sha1', SECRET).update(hook.raw).digest('hex'));
    expect(hook.body).toEqual({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: WABA_ID,
          time: expect.any(Number),
          changes: [
            {
              value: {
                event: 'PAUSED',
                message_template_id: 1387372356726606,
                message_template_name: 'promo_image',
                message_template_language: 'en',
                reason: 'NONE',
                message_template_category: 'MARKETING',
                other_info: { title: 'FIRST_PAUSE', description: expect.stringContaining('paused for 3 hours') },
              },
              field: FIELD,
            },
          ],
        },
      ],
    });
    const time = hook.body.entry[0].time;
    expect(Number.isInteger(time) && time >= before && time <= after).toBe(true);
    // The id is a JSON integer on the wire, not a string; no messages-only parts leak in.
    const raw = hook.raw.toString('latin1');
    expect(raw).toContain('"message_template_id":1387372356726606,');
    expect(raw).not.toContain('metadata');
    expect(raw).not.toContain('messaging_product');

    await settle(sim);
    expect(sim.webhookDeliveries()).toEqual([{ attempt: 1, ok: true, status: 200, statuses: 0, field: FIELD, at: expect.any(Number) }]);
    // The listing and sends see the new status too.
    const listed = await (await fetch(`${sim.url}/_sim/templates`)).json();
    expect((listed as any).data.find((t: any) => t.id === PROMO.id).status).toBe('PAUSED');
  });

  it('emits only on a real change: unpause, second pause, disable, each with its own extras', async () => {
    const { sim, rx } = await setup();
    const id = PROMO.id as string;
    sim.setTemplateStatus(id, 'APPROVED'); // already APPROVED: nothing
    sim.setTemplateStatus(id, 'PAUSED');
    sim.setTemplateStatus(id, 'PAUSED'); // unchanged: nothing
    sim.setTemplateStatus(id, 'APPROVED');
    sim.setTemplateStatus(id, 'PAUSED');
    sim.setTemplateStatus(id, 'DISABLED');
    await waitFor(() => templateValues(rx).length === 4, 2000, 'four template webhooks');
    await settle(sim);

    const values = templateValues(rx);
    // Deliveries are concurrent, like Meta's, so compare by event, not arrival order.
    const byTitle = (title: string) => values.find((v) => v.other_info?.title === title);
    expect(values.map((v) => v.event).sort()).toEqual(['APPROVED', 'DISABLED', 'PAUSED', 'PAUSED']);
    expect(byTitle('FIRST_PAUSE')).toMatchObject({ event: 'PAUSED', reason: 'NONE' });
    expect(byTitle('SECOND_PAUSE')).toMatchObject({ event: 'PAUSED', other_info: { description: expect.stringContaining('6 hours') } });
    expect(byTitle('UNPAUSE')).toEqual({
      event: 'APPROVED',
      message_template_id: 1387372356726606,
      message_template_name: 'promo_image',
      message_template_language: 'en',
      reason: 'NONE',
      message_template_category: 'MARKETING',
      other_info: { title: 'UNPAUSE', description: 'Your WhatsApp message template has been unpaused.' },
    });
    const disabled = values.find((v) => v.event === 'DISABLED');
    expect(disabled.other_info).toBeUndefined();
    expect(Number.isInteger(disabled.disable_info.disable_date)).toBe(true);
    expect(Math.abs(disabled.disable_info.disable_date - Date.now() / 1000)).toBeLessThan(5);
    expect(rx.received.every((w) => w.signatureOk)).toBe(true);
    expect(sim.webhookDeliveries()).toHaveLength(4);

    // An unknown id changes nothing and sends nothing.
    expect(sim.setTemplateStatus('999', 'PAUSED')).toBe(false);
    await settle(sim);
    expect(templateValues(rx)).toHaveLength(4);
  });

  it('the control API takes a reason, other_info and rejection_info, escaped and signed like Meta', async () => {
    const { sim, rx } = await setup();
    const id = seeded('pending_welcome').id as string;
    const res = await control(sim, `/_sim/templates/${id}/status`, {
      status: 'rejected',
      reason: 'INVALID_FORMAT',
      rejection_info: { reason: 'Paramètres {{1}}{{2}} collés / adjacent', recommendation: 'Separate parameters.' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, status: 'REJECTED', changed: true });
    await waitFor(() => templateValues(rx).length === 1, 2000, 'rejection webhook');
    expect(templateValues(rx)[0]).toEqual({
      event: 'REJECTED',
      message_template_id: Number(id),
      message_template_name: 'pending_welcome',
      message_template_language: 'en',
      reason: 'INVALID_FORMAT',
      message_template_category: 'UTILITY',
      rejection_info: { reason: 'Paramètres {{1}}{{2}} collés / adjacent', recommendation: 'Separate parameters.' },
    });
    const [hook] = rx.received;
    expect(hook?.signatureOk).toBe(true);
    expect(hook?.raw.toString('latin1')).toContain('Param\\u00e8tres {{1}}{{2}} coll\\u00e9s \\/ adjacent');

    const again = await control(sim, `/_sim/templates/${id}/status`, { status: 'REJECTED' });
    expect(await again.json()).toMatchObject({ changed: false });
    expect((await control(sim, `/_sim/templates/${id}/status`, { status: 'PAUSED', other_info: { title: 1 } })).status).toBe(400);
    expect((await control(sim, `/_sim/templates/${id}/status`, { status: 'PAUSED', reason: 7 })).status).toBe(400);
    expect((await control(sim, `/_sim/templates/${id}/status`, { status: 'FLAGGED' })).status).toBe(400);
    expect((await control(sim, '/_sim/templates/404404/status', { status: 'PAUSED' })).status).toBe(404);

    // A scheduled deletion carries a null reason; an explicit other_info replaces the default.
    await control(sim, `/_sim/templates/${id}/status`, { status: 'PENDING_DELETION' });
    await control(sim, `/_sim/templates/${PROMO.id}/status`, {
      status: 'PAUSED',
      other_info: { title: 'RATE_LIMITING_PAUSE', description: 'Paused while rate limited.' },
    });
    await waitFor(() => templateValues(rx).length === 3, 2000, 'two more webhooks');
    await settle(sim);
    expect(templateValues(rx)).toHaveLength(3);
    expect(templateValues(rx).find((v) => v.event === 'PENDING_DELETION')).toMatchObject({ reason: null });
    expect(templateValues(rx).find((v) => v.event === 'PAUSED').other_info).toEqual({
      title: 'RATE_LIMITING_PAUSE',
      description: 'Paused while rate limited.',
    });
  });

  it('upserts: a new template is silent, replacing one with another status emits', async () => {
    const { sim, rx } = await setup();
    const draft: SeedTemplate = {
      name: 'spring_sale',
      language: 'en_US',
      status: 'PENDING',
      category: 'MARKETING',
      components: [{ type: 'BODY', text: 'Spring sale, {{1}}!', example: { body_text: [['Ana']] } }],
    };
    const { id } = sim.upsertTemplate(draft);
    sim.upsertTemplate(draft); // same status again
    await settle(sim);
    expect(rx.received).toHaveLength(0);

    sim.upsertTemplate({ ...draft, status: 'APPROVED' });
    await waitFor(() => templateValues(rx).length === 1, 2000, 'approval webhook');
    expect(templateValues(rx)[0]).toEqual({
      event: 'APPROVED',
      message_template_id: Number(id),
      message_template_name: 'spring_sale',
      message_template_language: 'en_US',
      reason: 'NONE',
      message_template_category: 'MARKETING',
    });

    // The same through the control API.
    const res = await control(sim, '/_sim/templates', { ...draft, status: 'PAUSED' });
    expect(res.status).toBe(200);
    await waitFor(() => templateValues(rx).length === 2, 2000, 'pause webhook');
    expect(templateValues(rx)[1]).toMatchObject({ event: 'PAUSED', message_template_id: Number(id), other_info: { title: 'FIRST_PAUSE' } });
  });

  it('is retried like status webhooks until the receiver takes it', async () => {
    const { sim, rx } = await setup({ webhookRetry: { initialMs: 20, factor: 2, maxMs: 100 } });
    rx.respondWith = 503;
    sim.setTemplateStatus(PROMO.id as string, 'DISABLED');
    await waitFor(() => sim.webhookDeliveries().filter((d) => !d.ok).length >= 3, 3000, 'failed attempts');
    expect(rx.received).toHaveLength(0);
    rx.respondWith = 200;
    await waitFor(() => templateValues(rx).length === 1, 3000, 'delivered after recovery');
    await settle(sim);
    const log = sim.webhookDeliveries();
    expect(log.every((d) => d.field === FIELD && d.statuses === 0)).toBe(true);
    expect(log.at(-1)).toMatchObject({ ok: true, attempt: log.length });
    expect(rx.received[0]?.signatureOk).toBe(true);
  });

  it('waits for a webhook URL, and goes to every WABA the simulator hosts', async () => {
    const sim = await startTestSim({
      phoneNumbers: [
        { phoneNumberId: '106540352242922', displayPhoneNumber: '15550783881', wabaId: WABA_ID },
        { phoneNumberId: '106540352242923', displayPhoneNumber: '15550783882', wabaId: '102290129340399' },
        { phoneNumberId: '106540352242924', displayPhoneNumber: '15550783883', wabaId: WABA_ID },
      ],
    });
    cleanups.push(() => sim.close());
    sim.setTemplateStatus(PROMO.id as string, 'PAUSED');
    // Queued within the call, one per WABA, and held there while there is no URL to POST to.
    expect(sim.pendingWebhooks()).toBe(2);
    const rx = await startReceiver();
    cleanups.push(() => rx.close());
    sim.setWebhookUrl(rx.url);
    await waitFor(() => rx.received.length === 2, 2000, 'one POST per WABA');
    expect(rx.received.map((w) => w.body.entry[0].id).sort()).toEqual([WABA_ID, '102290129340399']);
    expect(rx.received.every((w) => w.signatureOk && w.body.entry[0].changes[0].value.event === 'PAUSED')).toBe(true);
  });

  it('reset restores the seeded statuses without webhooks and restarts the pause count', async () => {
    const { sim, rx } = await setup();
    sim.setTemplateStatus(PROMO.id as string, 'PAUSED');
    await waitFor(() => templateValues(rx).length === 1, 2000, 'first pause');
    sim.reset();
    await settle(sim);
    expect(templateValues(rx)).toHaveLength(1);
    sim.setTemplateStatus(PROMO.id as string, 'PAUSED');
    await waitFor(() => templateValues(rx).length === 2, 2000, 'pause after reset');
    expect(templateValues(rx)[1].other_info.title).toBe('FIRST_PAUSE');
  });
});
