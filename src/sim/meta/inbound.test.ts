import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { InboundInput, MetaSimulator } from './index.js';
import { DISPLAY, PHONE_ID, TOKEN, WABA_ID, graph, sendMessage, startReceiver, startTestSim, text, waitFor, type Receiver } from './test-support.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup(overrides: Parameters<typeof startTestSim>[0] = {}): Promise<{ sim: MetaSimulator; rx: Receiver }> {
  const rx = await startReceiver();
  const sim = await startTestSim({ webhookUrl: rx.url, pairRateLimit: false, ...overrides });
  cleanups.push(() => rx.close(), () => sim.close());
  return { sim, rx };
}

const FROM = '16505551234';
const REPLIED_TO = 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA';

/** One injection per §3.5 shape, with the part of the message each one must carry. */
const CASES: [string, Omit<InboundInput, 'from'>, Record<string, unknown>][] = [
  ['text', { type: 'text', text: 'Hi äöå / there' }, { text: { body: 'Hi äöå / there' } }],
  ['image', { type: 'image', text: 'a caption' }, { image: { caption: 'a caption', mime_type: 'image/jpeg' } }],
  ['video', { type: 'video' }, { video: { mime_type: 'video/mp4' } }],
  ['audio (voice)', { type: 'audio' }, { audio: { mime_type: 'audio/ogg; codecs=opus', voice: true } }],
  ['document', { type: 'document', text: 'invoice', media: { filename: 'inv.pdf' } }, { document: { caption: 'invoice', filename: 'inv.pdf', mime_type: 'application/pdf' } }],
  ['sticker', { type: 'sticker' }, { sticker: { mime_type: 'image/webp', animated: false } }],
  [
    'location',
    { type: 'location', location: { latitude: 12.97, longitude: 77.59, name: 'Office', address: 'MG Road' } },
    { location: { latitude: 12.97, longitude: 77.59, name: 'Office', address: 'MG Road' } },
  ],
  ['contacts', { type: 'contacts' }, { contacts: [{ name: { formatted_name: 'John Doe' }, phones: [{ wa_id: '16505551234' }] }] }],
  [
    'button (template quick reply)',
    { type: 'button', buttonPayload: 'STOP_PROMOS', text: 'Stop promotions', contextWamid: REPLIED_TO },
    { button: { payload: 'STOP_PROMOS', text: 'Stop promotions' }, context: { from: DISPLAY, id: REPLIED_TO } },
  ],
  [
    'interactive button_reply',
    { type: 'interactive', interactive: { type: 'button_reply', id: 'yes', title: 'Yes' }, contextWamid: REPLIED_TO },
    { interactive: { type: 'button_reply', button_reply: { id: 'yes', title: 'Yes' } }, context: { id: REPLIED_TO } },
  ],
  [
    'interactive list_reply',
    { type: 'interactive', interactive: { type: 'list_reply', id: 'r2', title: 'Row 2', description: 'second' } },
    { interactive: { type: 'list_reply', list_reply: { id: 'r2', title: 'Row 2', description: 'second' } } },
  ],
  [
    'interactive nfm_reply',
    { type: 'interactive', interactive: { type: 'nfm_reply', responseJson: { flow_token: 'ft-1', rating: 5 } } },
    { interactive: { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent', response_json: '{"flow_token":"ft-1","rating":5}' } } },
  ],
  ['reaction', { type: 'reaction', reaction: { messageId: REPLIED_TO, emoji: '❤️' } }, { reaction: { message_id: REPLIED_TO, emoji: '❤️' } }],
  [
    'order',
    { type: 'order', text: 'asap', order: { catalogId: 'cat-1', productItems: [{ product_retailer_id: 'p1', quantity: 2, item_price: 5, currency: 'INR' }] } },
    { order: { catalog_id: 'cat-1', text: 'asap', product_items: [{ product_retailer_id: 'p1', quantity: 2, item_price: 5, currency: 'INR' }] } },
  ],
  ['system', { type: 'system', system: { newWaId: '16505559999' } }, { system: { type: 'user_changed_number', wa_id: '16505559999' } }],
  [
    'unsupported',
    { type: 'unsupported', unsupportedType: 'edit' },
    { unsupported: { type: 'edit' }, errors: [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown' }] },
  ],
];

describe('inbound injection', () => {
  it.each(CASES)('%s arrives signed in Meta envelope with contacts[]', async (_label, input, expected) => {
    const { sim, rx } = await setup();
    const { wamid } = await sim.injectInbound({ from: '+1 650-555-1234', name: 'Sheena Nelson', ...input });
    await waitFor(() => rx.messages().length === 1, 2000, 'inbound webhook');

    const w = rx.received[0];
    expect(w?.signatureOk).toBe(true);
    expect(w?.sha1).toMatch(/^sha1=[0-9a-f]{40}$/);
    expect(/[^\x00-\x7f]/.test(w?.raw.toString('latin1') ?? '')).toBe(false);
    expect(w?.body).toMatchObject({
      object: 'whatsapp_business_account',
      entry: [{ id: WABA_ID, changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: DISPLAY, phone_number_id: PHONE_ID } } }] }],
    });
    const value = w?.body.entry[0].changes[0].value;
    expect(value.statuses).toBeUndefined();
    expect(value.contacts).toEqual([{ profile: { name: 'Sheena Nelson' }, wa_id: FROM }]);
    const [message] = value.messages;
    expect(message).toMatchObject({ from: FROM, id: wamid, type: input.type, ...expected });
    expect(message.timestamp).toMatch(/^\d{10}$/);
    expect(wamid).toMatch(/^wamid\./);
    await waitFor(() => sim.webhookDeliveries().length === 1, 1000, 'delivery record');
    expect(sim.webhookDeliveries()[0]).toMatchObject({ ok: true, statuses: 0, messages: 1 });
  });

  it('inbound media is downloadable through the Graph media endpoints; the webhook hash is base64', async () => {
    const { sim, rx } = await setup();
    const bytes = Buffer.from('%PDF-1.4 tiny');
    const { mediaId } = await sim.injectInbound({ from: FROM, type: 'document', media: { bytes, filename: 'x.pdf' } });
    await waitFor(() => rx.messages().length === 1, 2000, 'inbound webhook');
    const doc = rx.messages()[0]?.message.document;
    expect(doc.id).toBe(mediaId);
    expect(doc.sha256).toBe(createHash('sha256').update(bytes).digest('base64'));

    const meta = await graph(sim, 'GET', `/${mediaId}?phone_number_id=${PHONE_ID}`);
    expect(meta.body).toMatchObject({ mime_type: 'application/pdf', sha256: createHash('sha256').update(bytes).digest('hex'), file_size: bytes.length });
    const download = await fetch(meta.body.url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);

    // A media id made beforehand with addInboundMedia works too.
    const id = sim.addInboundMedia(Buffer.from('RIFFxxxxWEBP'), 'image/webp');
    await sim.injectInbound({ from: FROM, type: 'sticker', media: { id, animated: true } });
    await waitFor(() => rx.messages().length === 2, 2000, 'sticker');
    expect(rx.messages()[1]?.message.sticker).toMatchObject({ id, animated: true, mime_type: 'image/webp' });
  });

  it('context: forwarded, frequently forwarded, and a default reply context for buttons; referral passes through', async () => {
    const { sim, rx } = await setup();
    await sim.injectInbound({ from: FROM, type: 'text', forwarded: true });
    await sim.injectInbound({ from: FROM, type: 'image', forwarded: 'frequently' });
    await sim.injectInbound({ from: FROM, type: 'button' });
    const referral = { source_url: 'https://fb.me/x', source_id: '1', source_type: 'ad', ctwa_clid: 'abc' };
    await sim.injectInbound({ from: FROM, type: 'text', referral });
    await waitFor(() => rx.messages().length === 4, 2000, 'four messages');
    const byType = (pred: (m: any) => boolean) => rx.messages().find((m) => pred(m.message))?.message;
    expect(byType((m) => m.type === 'text' && m.context)?.context).toEqual({ forwarded: true });
    expect(byType((m) => m.type === 'image')?.context).toEqual({ forwarded: true, frequently_forwarded: true });
    expect(byType((m) => m.type === 'button')?.context).toMatchObject({ from: DISPLAY, id: expect.stringMatching(/^wamid\./) });
    expect(byType((m) => m.referral)?.referral).toEqual(referral);
    // The slash in the URL is escaped on the wire like Meta does.
    expect(rx.received.map((r) => r.raw.toString('latin1')).join('')).toContain('https:\\/\\/fb.me\\/x');
  });

  it('an inbound message opens the customer-service window for that number, and it expires', async () => {
    // Long enough to send inside it on a loaded machine, short enough to wait out.
    const windowMs = 1000;
    const { sim, rx } = await setup({ enforceCustomerWindow: true, customerWindowMs: windowMs });
    const before = (await sendMessage(sim, text(FROM))).body.messages[0].id;
    await sim.injectInbound({ from: FROM, type: 'text' });
    const closedBy = Date.now() + windowMs;
    const inside = (await sendMessage(sim, text(FROM))).body.messages[0].id;
    await waitFor(() => rx.statuses().filter((s) => s.id === inside).length === 3, 2000, 'inside-window lifecycle');
    expect(rx.statuses().filter((s) => s.id === before).map((s) => [s.status, s.errors?.[0]?.code])).toEqual([['failed', 131047]]);

    await waitFor(() => Date.now() > closedBy, 5000, 'the window to close');
    const after = (await sendMessage(sim, text(FROM))).body.messages[0].id;
    await waitFor(() => rx.statuses().some((s) => s.id === after), 2000, 'after-window status');
    expect(rx.statuses().find((s) => s.id === after)).toMatchObject({ status: 'failed', errors: [{ code: 131047 }] });

    // System notices are not user messages.
    await sim.injectInbound({ from: '16505550000', type: 'system' });
    const sys = (await sendMessage(sim, text('16505550000'))).body.messages[0].id;
    await waitFor(() => rx.statuses().some((s) => s.id === sys), 2000, 'system-user status');
    expect(rx.statuses().find((s) => s.id === sys)?.status).toBe('failed');
  });

  it('is retried like status webhooks while the receiver fails', async () => {
    const { sim, rx } = await setup({ webhookRetry: { initialMs: 20, factor: 2, maxMs: 50 } });
    rx.respondWith = 503;
    const { wamid } = await sim.injectInbound({ from: FROM, type: 'text' });
    await waitFor(() => sim.webhookDeliveries().filter((d) => !d.ok).length >= 2, 2000, 'failed attempts');
    rx.respondWith = 200;
    await waitFor(() => rx.messages().length === 1 && sim.pendingWebhooks() === 0, 2000, 'recovered');
    expect(rx.messages()[0]?.message.id).toBe(wamid);
    expect(sim.webhookDeliveries().at(-1)).toMatchObject({ ok: true, messages: 1 });
  });

  it('POST /_sim/inbound injects from JSON (media as base64) and refuses bad input with 400', async () => {
    const { sim, rx } = await setup();
    const post = (body: unknown) =>
      fetch(`${sim.url}/_sim/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const ok = await post({ from: FROM, type: 'image', media: { base64: Buffer.from('jpeg!').toString('base64') } });
    expect(ok.status).toBe(200);
    const { wamid, mediaId } = (await ok.json()) as { wamid: string; mediaId: string };
    await waitFor(() => rx.messages().length === 1, 2000, 'inbound');
    expect(rx.messages()[0]?.message).toMatchObject({ id: wamid, image: { id: mediaId, sha256: createHash('sha256').update('jpeg!').digest('base64') } });

    expect((await post({ from: FROM, type: 'hologram' })).status).toBe(400);
    expect((await post({ from: '12', type: 'text' })).status).toBe(400);
    expect((await post({ from: FROM, type: 'text', phoneNumberId: '1' })).status).toBe(400);
    await expect(sim.injectInbound({ from: FROM, type: 'image', media: { id: 'nope' } })).rejects.toThrow(/does not exist/);
  });
});
