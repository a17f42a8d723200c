import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.js';
import { DEFAULT_TEMPLATES, type MetaSimulator } from './index.js';
import { runMetaSimulatorCli } from './cli.js';
import { PHONE_ID, TOKEN, WABA_ID, graph, sendMessage, startTestSim } from './test-support.js';

/** Download URL lifetime: long enough to use the URL on a loaded machine, short enough to wait out. */
const URL_TTL_MS = 1000;

let sim: MetaSimulator;
beforeAll(async () => {
  sim = await startTestSim({ mediaUrlTtlMs: URL_TTL_MS });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const auth = { authorization: `Bearer ${TOKEN}` };

async function upload(bytes: Buffer, mime: string): Promise<Response> {
  const form = new FormData();
  form.set('messaging_product', 'whatsapp');
  form.set('type', mime);
  form.set('file', new Blob([bytes], { type: mime }), 'photo.jpg');
  return fetch(`${sim.graphBaseUrl}/${PHONE_ID}/media`, { method: 'POST', headers: auth, body: form });
}

describe('media', () => {
  it('uploads, describes, downloads with the token, expires and deletes', async () => {
    const bytes = Buffer.from('\xff\xd8\xff\xe0 fake jpeg bytes \r\n--not-a-boundary\r\n', 'latin1');
    const up = await upload(bytes, 'image/jpeg');
    expect(up.status).toBe(200);
    const { id } = (await up.json()) as { id: string };
    expect(id).toMatch(/^\d{16,}$/);

    const info = await graph(sim, 'GET', `/${id}`);
    const deadAt = Date.now() + URL_TTL_MS;
    expect(info.body).toEqual({
      messaging_product: 'whatsapp',
      url: expect.stringMatching(new RegExp(`^${sim.url}/_media/`)),
      mime_type: 'image/jpeg',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      file_size: bytes.length,
      id,
    });

    expect((await fetch(info.body.url)).status).toBe(401);
    const dl = await fetch(info.body.url, { headers: auth });
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await dl.arrayBuffer()).equals(bytes)).toBe(true);

    await eventually(() => Date.now() > deadAt, 'the download URL to expire');
    expect((await fetch(info.body.url, { headers: auth })).status).toBe(404);

    // A media id that exists can be sent; an unknown one fails later with 131053.
    expect((await sendMessage(sim, { messaging_product: 'whatsapp', to: '16505551234', type: 'image', image: { id } })).status).toBe(200);

    expect((await graph(sim, 'DELETE', `/${id}`)).body).toEqual({ success: true });
    expect((await graph(sim, 'GET', `/${id}`)).body.error).toMatchObject({ code: 100, error_subcode: 33 });
  });

  it('rejects uploads without messaging_product or with an unsupported type', async () => {
    const form = new FormData();
    form.set('file', new Blob([Buffer.from('x')], { type: 'image/png' }), 'a.png');
    const r = await fetch(`${sim.graphBaseUrl}/${PHONE_ID}/media`, { method: 'POST', headers: auth, body: form });
    expect(r.status).toBe(400);
    expect((await upload(Buffer.from('x'), 'application/x-unknown-thing')).status).toBe(200);
    const bad = await upload(Buffer.from('x'), 'chemical/x-pdb');
    expect(((await bad.json()) as any).error.code).toBe(131053);
  });

  it('resolves inbound media added by tests', async () => {
    const id = sim.addInboundMedia(Buffer.from('OggS'), 'audio/ogg');
    const info = await graph(sim, 'GET', `/${id}`);
    expect(info.body.mime_type).toBe('audio/ogg');
  });
});

describe('template listing', () => {
  const list = (query: string) => graph(sim, 'GET', `/${WABA_ID}/message_templates?${query}`);

  it('pages with opaque cursors, no duplicates, next absent on the last page', async () => {
    const seen: string[] = [];
    let r = await list('limit=4&fields=name,language,status');
    let pages = 0;
    for (;;) {
      pages++;
      for (const t of r.body.data) {
        expect(Object.keys(t).sort()).toEqual(['id', 'language', 'name', 'status']);
        seen.push(t.id);
      }
      // Opaque and URL-safe, like Graph's.
      expect(r.body.paging.cursors.after).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(r.body.paging.cursors.after).not.toContain(r.body.data.at(-1).id);
      if (!r.body.paging.next) break;
      expect(r.body.data).toHaveLength(4);
      const next = new URL(r.body.paging.next);
      expect(next.searchParams.get('fields')).toBe('name,language,status');
      r = await graph(sim, 'GET', next.pathname.replace('/v23.0', '') + next.search);
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(DEFAULT_TEMPLATES.length);
    expect(pages).toBe(Math.ceil(DEFAULT_TEMPLATES.length / 4));

    const back = await list(`limit=4&before=${encodeURIComponent(r.body.paging.cursors.before)}`);
    expect(back.body.data).toHaveLength(4);
    expect(back.body.paging.next).toBeDefined();
  });

  it('filters by status and always returns id', async () => {
    const r = await list('status=PAUSED,DISABLED&fields=name');
    expect(r.body.data.map((t: any) => t.name).sort()).toEqual(['disabled_promo', 'paused_promo']);
    expect(r.body.data[0].id).toBeDefined();
    expect(r.body.paging.next).toBeUndefined();
  });

  it('next appears only when a further page exists; previous only after the first page', async () => {
    const total = DEFAULT_TEMPLATES.length;
    const all = await list(`limit=${total}`);
    expect(all.body.data).toHaveLength(total);
    expect(all.body.paging.next).toBeUndefined();
    expect(all.body.paging.previous).toBeUndefined();

    const first = await list(`limit=${total - 1}`);
    expect(first.body.paging.next).toBeDefined();
    // The cursor is taken as sent, even unencoded, and the last page has no next.
    const last = await list(`limit=${total - 1}&after=${first.body.paging.cursors.after}`);
    expect(last.body.data.map((t: any) => t.id)).toEqual([all.body.data.at(-1).id]);
    expect(last.body.paging.next).toBeUndefined();
    expect(last.body.paging.previous).toBeDefined();

    expect((await list('after=bm90LWEtY3Vyc29y')).body.error.code).toBe(100);
    expect((await list('limit=0')).body.error.code).toBe(100);
  });

  it('a cursor stays valid when its template leaves the filter between pages', async () => {
    const approved = await list('status=APPROVED&limit=3&fields=name,status');
    const cursorTemplate = approved.body.data.at(-1);
    const expected = (await list('status=APPROVED&limit=100&fields=name')).body.data.slice(3, 6).map((t: any) => t.name);
    expect(sim.setTemplateStatus(cursorTemplate.id, 'PAUSED')).toBe(true);
    const next = new URL(approved.body.paging.next);
    const page2 = await graph(sim, 'GET', next.pathname.replace('/v23.0', '') + next.search);
    expect(page2.status).toBe(200);
    expect(page2.body.data.map((t: any) => t.name)).toEqual(expected);
  });

  it('filters by name (substring, any case), language and category, combined with paging', async () => {
    const byName = await list('name=ORDER&fields=name');
    expect(byName.body.data.map((t: any) => t.name)).toEqual(['order_ready', 'order_shipped', 'order_confirmation_named']);
    expect((await list('language=en_US&fields=name')).body.data.map((t: any) => t.name)).toEqual([
      'hello_world',
      'video_teaser',
      'order_confirmation_named',
    ]);
    expect((await list('language=en_GB,en_US&name=sample&fields=name')).body.data.map((t: any) => t.name)).toEqual(['Sample_Template']);
    const utility = DEFAULT_TEMPLATES.filter((t) => t.category === 'UTILITY').map((t) => t.name);
    const seen: string[] = [];
    let r = await list('category=utility&limit=2&fields=name,category');
    for (;;) {
      for (const t of r.body.data) {
        expect(t.category).toBe('UTILITY');
        seen.push(t.name);
      }
      if (!r.body.paging?.next) break;
      expect(new URL(r.body.paging.next).searchParams.get('category')).toBe('utility');
      r = await list(`category=utility&limit=2&fields=name,category&after=${encodeURIComponent(r.body.paging.cursors.after)}`);
    }
    expect(seen).toEqual(utility);
    const none = await list('name=no_such_template');
    expect(none.body).toEqual({ data: [] });
  });

  it('requires auth and a known WABA', async () => {
    expect((await graph(sim, 'GET', `/${WABA_ID}/message_templates`, undefined, {})).body.error.code).toBe(104);
    expect((await graph(sim, 'GET', `/123/message_templates`)).body.error).toMatchObject({ code: 100, error_subcode: 33 });
  });

  it('adds templates through the control API', async () => {
    const res = await fetch(`${sim.url}/_sim/templates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'new_one', language: 'de', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hallo {{1}}' }] }),
    });
    expect(res.status).toBe(200);
    const send = await sendMessage(sim, {
      messaging_product: 'whatsapp',
      to: '16505551234',
      type: 'template',
      template: { name: 'new_one', language: { code: 'de' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }] },
    });
    expect(send.status).toBe(200);
  });
});

describe('control API', () => {
  it('reports accepted sends with since-paging and stats', async () => {
    for (let i = 0; i < 3; i++) await sendMessage(sim, { messaging_product: 'whatsapp', to: `1650555000${i}`, type: 'text', text: { body: 'x' } });
    await sendMessage(sim, { messaging_product: 'whatsapp', to: '99911310091', type: 'text', text: { body: 'x' } });
    const page = (await (await fetch(`${sim.url}/_sim/accepted?since=1&limit=1`)).json()) as any;
    expect(page).toMatchObject({ count: 3, since: 1, next: 2 });
    expect(page.items[0].to).toBe('16505550001');
    const stats = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as any;
    expect(stats).toMatchObject({ accepted: 3, rejected: { total: 1, byCode: { '131009': 1 } } });
    expect((await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })).status).toBe(200);
    expect(sim.accepted()).toHaveLength(0);
  });
});

describe('cli', () => {
  it('starts with demo defaults and prints its URL', async () => {
    const lines: string[] = [];
    const cliSim = await runMetaSimulatorCli(['--port', '0', '--access-token', 'cli-token', '--mps', '200'], {
      out: (l) => lines.push(l),
      handleSignals: false,
    });
    try {
      expect(lines[0]).toBe(`Meta Cloud API simulator listening on ${cliSim?.url}`);
      const r = await fetch(`${cliSim?.graphBaseUrl}/106540352242922?fields=throughput`, { headers: { authorization: 'Bearer cli-token' } });
      expect(await r.json()).toEqual({ throughput: { level: 'STANDARD' }, id: '106540352242922' });
    } finally {
      await cliSim?.close();
    }
  });
});
