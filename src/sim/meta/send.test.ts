import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MetaSimulator } from './index.js';
import { PHONE_ID, TOKEN, graph, sendMessage, startTestSim, text, waitFor } from './test-support.js';

let sim: MetaSimulator;
beforeAll(async () => {
  sim = await startTestSim({ pairRateLimit: false });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

describe('auth', () => {
  it('rejects a wrong token with 401 / 190 and no (#) prefix', async () => {
    const r = await sendMessage(sim, text('16505551234'), { authorization: 'Bearer nope' });
    expect(r.status).toBe(401);
    expect(r.body.error).toMatchObject({
      message: 'Invalid OAuth access token - Cannot parse access token',
      type: 'OAuthException',
      code: 190,
    });
    expect(r.body.error.error_subcode).toBeUndefined();
    expect(r.body.error.fbtrace_id).toMatch(/^A[\w-]{22}$/);
    expect(r.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('answers a missing token with 104', async () => {
    const r = await sendMessage(sim, text('16505551234'), {});
    expect(r.status).toBe(401);
    expect(r.body.error).toMatchObject({ code: 104, message: 'An access token is required to request this resource.' });
  });

  it('accepts ?access_token= and any /vNN.N prefix', async () => {
    const res = await fetch(`${sim.url}/v21.0/${PHONE_ID}/messages?access_token=${TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(text('16505551234')),
    });
    expect(res.status).toBe(200);
  });

  it('rejects an unknown phone-number-id with 100/33 GraphMethodException', async () => {
    const r = await graph(sim, 'POST', '/999999/messages', text('16505551234'));
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 100, error_subcode: 33, type: 'GraphMethodException' });
    expect(r.body.error.message).toMatch(
      /^Unsupported post request\. Object with ID '999999' does not exist, cannot be loaded due to missing permissions, or does not support this operation\./,
    );
    expect(sim.rejected().map((x) => x.code)).toEqual([100]);
  });
});

describe('validation', () => {
  const cases: [string, unknown, number, RegExp?][] = [
    ['wrong messaging_product', { ...text('16505551234'), messaging_product: 'sms' }, 100],
    ['unknown type', { messaging_product: 'whatsapp', to: '16505551234', type: 'hologram', hologram: {} }, 131051],
    ['missing text.body', { messaging_product: 'whatsapp', to: '16505551234', type: 'text', text: {} }, 131008, /text\['body'\]/],
    ['missing to', { messaging_product: 'whatsapp', type: 'text', text: { body: 'x' } }, 131008, /parameter to/],
    ['text too long', text('16505551234', { text: { body: 'x'.repeat(4097) } }), 131009, /4096/],
    ['too short a number', text('12345'), 131009],
    ['letters in the number', text('1650555ABCD'), 131009],
    [
      'caption too long',
      { messaging_product: 'whatsapp', to: '16505551234', type: 'image', image: { link: 'https://x.example/a.png', caption: 'c'.repeat(1025) } },
      131009,
      /1024/,
    ],
    ['media without id or link', { messaging_product: 'whatsapp', to: '16505551234', type: 'video', video: {} }, 131008],
    [
      'four reply buttons',
      {
        messaging_product: 'whatsapp',
        to: '16505551234',
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: 'pick' },
          action: { buttons: [1, 2, 3, 4].map((i) => ({ type: 'reply', reply: { id: `b${i}`, title: `B${i}` } })) },
        },
      },
      131009,
      /^Invalid buttons count\. Min allowed buttons: 1, Max allowed buttons: 3$/,
    ],
  ];
  it.each(cases)('%s', async (_name, body, code, details) => {
    const r = await sendMessage(sim, body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe(code);
    expect(r.body.error.type).toBe('OAuthException');
    expect(r.body.error.message).toMatch(new RegExp(`^\\(#${code}\\) `));
    expect(r.body.error.error_data.messaging_product).toBe('whatsapp');
    if (details) expect(r.body.error.error_data.details).toMatch(details);
  });

  it('answers malformed JSON with a Graph error', async () => {
    const res = await fetch(`${sim.graphBaseUrl}/${PHONE_ID}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{"messaging_product":',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.code).toBe(100);
  });
});

describe('success', () => {
  it('returns the §1.4 body with input echo, digits wa_id and a fresh wamid', async () => {
    const a = await sendMessage(sim, text('+1 (650) 555-1234', { biz_opaque_callback_data: 'order-42' }));
    const b = await sendMessage(sim, text('16505551234'));
    expect(a.status).toBe(200);
    expect(a.body).toEqual({
      messaging_product: 'whatsapp',
      contacts: [{ input: '+1 (650) 555-1234', wa_id: '16505551234' }],
      messages: [{ id: expect.stringMatching(/^wamid\.HBg[A-Za-z0-9+/=]+$/) }],
    });
    expect(a.body.messages[0].id).not.toBe(b.body.messages[0].id);
    expect(Buffer.from(a.body.messages[0].id.slice(6), 'base64').toString('latin1')).toContain('16505551234');
    const acc = sim.accepted();
    expect(acc).toHaveLength(2);
    expect(acc[0]).toMatchObject({ wamid: a.body.messages[0].id, phoneNumberId: PHONE_ID, bizOpaqueCallbackData: 'order-42' });
    expect((acc[0]?.body as any).to).toBe('+1 (650) 555-1234');
  });

  it('adds message_status only to template sends', async () => {
    const r = await sendMessage(sim, {
      messaging_product: 'whatsapp',
      to: '16505551234',
      type: 'template',
      template: { name: 'hello_world', language: { code: 'en_US' } },
    });
    expect(r.status).toBe(200);
    expect(r.body.messages[0].message_status).toBe('accepted');
  });

  it('marks inbound messages read', async () => {
    const r = await sendMessage(sim, { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.ABC' });
    expect(r).toMatchObject({ status: 200, body: { success: true } });
  });

  it('accepts every free-form type', async () => {
    const bodies = [
      { type: 'image', image: { id: '123' } },
      { type: 'audio', audio: { link: 'https://media.example.com/audio.mp3' } },
      { type: 'document', document: { link: 'https://media.example.com/document.pdf', caption: 'This is body', filename: 'sample.pdf' } },
      { type: 'location', location: { latitude: 40.78, longitude: -73.96, name: 'Park' } },
      { type: 'contacts', contacts: [{ name: { formatted_name: 'Ana' } }] },
      { type: 'reaction', reaction: { message_id: 'wamid.X', emoji: '\u{1F600}' } },
      {
        type: 'interactive',
        interactive: {
          type: 'list',
          body: { text: 'pick' },
          action: { button: 'Options', sections: [{ title: 'S', rows: [{ id: 'r1', title: 'Row' }] }] },
        },
      },
      {
        type: 'interactive',
        interactive: { type: 'cta_url', body: { text: 'see' }, action: { name: 'cta_url', parameters: { display_text: 'Go', url: 'https://x.example' } } },
      },
    ];
    for (const b of bodies) {
      const r = await sendMessage(sim, { messaging_product: 'whatsapp', to: '16505551234', ...b });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
  });
});

// A minimal CleverTap → Meta translation, just enough to prove DEFAULT_TEMPLATES fits the fixtures.
function translateComponents(components: any[]): any[] {
  const out: any[] = [];
  for (const c of components) {
    switch (c.type) {
      case 'header': {
        const h = c.header;
        if (h.type === 'text') out.push({ type: 'header', parameters: h.text.parameters });
        else if (h.type === 'file') {
          out.push({ type: 'header', parameters: [{ type: 'document', document: { link: h.file.mediaURL, filename: h.file.filename } }] });
        } else if (h.type === 'location') {
          const l = h.location;
          out.push({
            type: 'header',
            parameters: [{ type: 'location', location: { latitude: Number(l.latitude), longitude: Number(l.longitude), name: l.name, address: l.address } }],
          });
        } else out.push({ type: 'header', parameters: [{ type: h.type, [h.type]: { link: h[h.type].mediaURL } }] });
        break;
      }
      case 'body':
        out.push({ type: 'body', parameters: c.body.parameters });
        break;
      case 'button':
        if (c.subType === 'dynamicUrl') out.push({ type: 'button', sub_type: 'url', index: String(c.index), parameters: c.parameters });
        else if (c.subType === 'copy_code') out.push({ type: 'button', sub_type: 'copy_code', index: c.index, parameters: c.parameters });
        else if (c.subType === 'quickReply' && c.parameters) {
          out.push({ type: 'button', sub_type: 'quick_reply', index: String(c.index), parameters: c.parameters });
        }
        break;
      case 'limited_time_offer':
        out.push({ type: 'limited_time_offer', parameters: c.parameters });
        break;
      case 'carousel':
        out.push({ type: 'carousel', cards: c.cards.map((card: any, i: number) => ({ card_index: i, components: translateComponents(card.components) })) });
        break;
    }
  }
  return out;
}

function translateFixture(f: any): any {
  const lang = /^en\(uk\)$/i.test(f.template.languageCode) ? 'en_GB' : f.template.languageCode;
  return {
    messaging_product: 'whatsapp',
    to: f.to,
    type: 'template',
    template: { name: f.template.namespace, language: { code: lang }, components: translateComponents(f.components) },
  };
}

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/clevertap/requests');
const templateFixtures = readdirSync(FIXTURES)
  .filter((f) => f.startsWith('template-'))
  .map((f) => [f, JSON.parse(readFileSync(join(FIXTURES, f), 'utf8'))] as const);

describe('templates', () => {
  it.each(templateFixtures)('accepts fixture %s translated', async (_name, fixture) => {
    const r = await sendMessage(sim, translateFixture(fixture));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.messages[0].message_status).toBe('accepted');
  });

  const fixture = (name: string) => translateFixture(templateFixtures.find(([f]) => f === name)?.[1]);

  it('132001 for an unknown name or language', async () => {
    const body = fixture('template-image-dynamic-url.json');
    body.template.language.code = 'fr';
    const r = await sendMessage(sim, body);
    expect(r.body.error).toMatchObject({ code: 132001, message: '(#132001) Template name does not exist in the translation' });
    expect(r.body.error.error_data.details).toBe('template name (promo_image) does not exist in fr');
  });

  it('132000 when body params are missing', async () => {
    const body = fixture('template-body-footertext.json');
    body.template.components = [];
    const r = await sendMessage(sim, body);
    expect(r.body.error.code).toBe(132000);
    expect(r.body.error.error_data.details).toBe('body: number of localizable_params (0) does not match the expected number of params (1)');
  });

  it('132000 when a dynamic URL button has no suffix', async () => {
    const body = fixture('template-image-dynamic-url.json');
    body.template.components = body.template.components.filter((c: any) => c.type !== 'button');
    const r = await sendMessage(sim, body);
    expect(r.body.error.code).toBe(132000);
    expect(r.body.error.error_data.details).toMatch(/^button at index 0: number of localizable_params \(0\)/);
  });

  it('132012 when a media header is missing', async () => {
    const body = fixture('template-video-header.json');
    body.template.components = body.template.components.filter((c: any) => c.type !== 'header');
    const r = await sendMessage(sim, body);
    expect(r.body.error.code).toBe(132012);
    expect(r.body.error.error_data.details).toBe('header: Format mismatch, expected VIDEO, received UNKNOWN');
  });

  it('132015 for PAUSED and 132016 for DISABLED', async () => {
    const base = { messaging_product: 'whatsapp', to: '16505551234', type: 'template' };
    const comps = [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }];
    const paused = await sendMessage(sim, { ...base, template: { name: 'paused_promo', language: { code: 'en' }, components: comps } });
    const disabled = await sendMessage(sim, { ...base, template: { name: 'disabled_promo', language: { code: 'en' }, components: comps } });
    expect(paused.body.error.code).toBe(132015);
    expect(disabled.body.error.code).toBe(132016);
  });

  it('NAMED templates require parameter_name', async () => {
    const send = (params: any[]) =>
      sendMessage(sim, {
        messaging_product: 'whatsapp',
        to: '16505551234',
        type: 'template',
        template: {
          name: 'order_confirmation_named',
          language: { code: 'en_US' },
          components: [
            { type: 'header', parameters: [{ type: 'text', parameter_name: 'order_id', text: '4411' }] },
            { type: 'body', parameters: params },
          ],
        },
      });
    const named = [
      { type: 'text', parameter_name: 'delivery_date', text: 'Monday' },
      { type: 'text', parameter_name: 'first_name', text: 'Ana' },
      { type: 'text', parameter_name: 'order_id', text: '4411' },
    ];
    expect((await send(named)).status).toBe(200);
    const bad = await send(named.map(({ parameter_name: _ignored, ...p }) => p));
    expect(bad.body.error.code).toBe(132000);
    expect(bad.body.error.error_data.details).toMatch(/parameter_name is required/);
  });

  it('a static URL button given a parameter is a mismatch', async () => {
    const body = fixture('template-file-header-multi-button.json');
    body.template.components.push({ type: 'button', sub_type: 'url', index: 2, parameters: [{ type: 'text', text: 'x' }] });
    const r = await sendMessage(sim, body);
    expect(r.body.error.code).toBe(132000);
  });

  it('status changes through the control API take effect', async () => {
    const list = (await (await fetch(`${sim.url}/_sim/templates`)).json()) as any;
    const promo = list.data.find((t: any) => t.name === 'promo_image');
    const res = await fetch(`${sim.url}/_sim/templates/${promo.id}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'PAUSED' }),
    });
    expect(res.status).toBe(200);
    const r = await sendMessage(sim, fixture('template-image-dynamic-url.json'));
    expect(r.body.error.code).toBe(132015);
  });
});

describe('magic sync recipients', () => {
  it.each([
    [130429, 400, 429],
    [131056, 400, 429],
    [131009, 400, 400],
    [131030, 400, 400],
    [131031, 400, 403],
    [368, 400, 403],
    [131042, 400, 400],
    [100, 400, 400],
    [131000, 400, 500],
  ])('9991%i fails synchronously', async (code, observed) => {
    const r = await sendMessage(sim, text(`9991${code}`));
    expect(r.status).toBe(observed);
    expect(r.body.error.code).toBe(code);
    expect(r.body.error.message.startsWith(`(#${code}) `)).toBe(true);
    expect(r.body.error.error_data.details.length).toBeGreaterThan(5);
  });

  it('documented mode uses the older HTTP status table', async () => {
    const doc = await startTestSim({ httpStatusMode: 'documented' });
    try {
      for (const [code, status] of [
        [130429, 429],
        [131031, 403],
        [131000, 500],
      ] as const) {
        expect((await sendMessage(doc, text(`9991${code}77`))).status).toBe(status);
      }
    } finally {
      await doc.close();
    }
  });
});

describe('rate limits', () => {
  it('returns 130429 with subcode 2494055 past the per-number mps', async () => {
    const limited = await startTestSim({
      phoneNumbers: [{ phoneNumberId: PHONE_ID, displayPhoneNumber: '1555', wabaId: '1', messagesPerSecond: 5 }],
      pairRateLimit: false,
    });
    try {
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => sendMessage(limited, text(`165055512${10 + i}`))));
      // The bucket is never below empty, so one token is back 1/5 s after the last of these arrived.
      const refilledBy = Date.now() + 1000 / 5;
      const limitedReplies = results.filter((r) => r.status !== 200);
      expect(limitedReplies.length).toBeGreaterThanOrEqual(6);
      expect(limitedReplies[0]?.body.error).toMatchObject({ code: 130429, error_subcode: 2494055, message: '(#130429) Rate limit hit' });
      expect(limitedReplies[0]?.body.error.error_data.details).toBe('Cloud API message throughput has been reached.');
      await waitFor(() => Date.now() > refilledBy, 5000, 'a token to be back');
      expect((await sendMessage(limited, text('16505551299'))).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('returns 131056 after a burst of 45 to one recipient, others unaffected', async () => {
    const pair = await startTestSim({
      phoneNumbers: [{ phoneNumberId: PHONE_ID, displayPhoneNumber: '1555', wabaId: '1', messagesPerSecond: 1000 }],
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 46; i++) statuses.push((await sendMessage(pair, text('16505551234'))).status);
      expect(statuses.slice(0, 45).every((s) => s === 200)).toBe(true);
      const over = await sendMessage(pair, text('16505551234'));
      expect(over.body.error.code).toBe(131056);
      expect(over.body.error.message).toBe('(#131056) (Business Account, Consumer Account) pair rate limit hit');
      expect((await sendMessage(pair, text('16505550000'))).status).toBe(200);
      expect(pair.stats().rejected.byCode['131056']).toBe(2);
    } finally {
      await pair.close();
    }
  });
});
