/**
 * Templates through the running gateway: pre-flight answers mismatches with 2001 inside the
 * request, status webhooks from the Meta simulator apply at once, CleverTap's import pages
 * through the approved catalogue, probes never reach WhatsApp, NAMED templates get their
 * parameter names, and a restart with Meta unreachable still validates from the stored copy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startMetaSimulator, type MetaSimulator } from '../src/sim/meta/index.js';
import { DEFAULT_TEMPLATES } from '../src/sim/meta/default-templates.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { openSqlite } from '../src/store/sqlite/open-sqlite.js';
import { SqliteTemplateStore } from '../src/store/sqlite/sqlite-template-store.js';
import { freePort, REPO_ROOT, writeConfig } from './support/process.js';
import { eventually, fixture, startTestGateway, type TestGateway } from './support/gateway.js';
import { sendsFinished } from './support/queues.js';
import { sandboxAdminAuth } from './support/admin-auth.js';

let gateway: TestGateway | undefined;
let simulator: MetaSimulator | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await gateway?.stop();
  await simulator?.close();
  gateway = simulator = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const FAILURE_2001 = (message: string) => ({ status: 'failure', error: { code: 2001, message } });

async function sandbox(): Promise<{ gw: TestGateway; send(body: object): Promise<unknown>; auth: Record<string, string> }> {
  gateway = await startTestGateway();
  const gw = gateway;
  const auth = { authorization: `Bearer ${gw.sandboxSecrets!.clevertapToken}` };
  return { gw, auth, send: async (body) => (await gw.post('/v1/clevertap/sandbox/messages', body, auth)).json };
}

function withBody(body: object, params: string[]): object {
  const send = structuredClone(body) as { components: Array<{ type: string; body?: { parameters: unknown[] } }> };
  send.components.find((component) => component.type === 'body')!.body!.parameters = params.map((text) => ({ type: 'text', text }));
  return send;
}

/** An account on a Meta simulator of its own (not the sandbox's), reachable at `graphBaseUrl`. */
function acmeAccount(graphBaseUrl: string) {
  return {
    id: 'acme',
    wabaNumber: '919888888888',
    clevertap: { auth: { kind: 'bearer', token: 'ct' } },
    whatsapp: { graphBaseUrl, phoneNumberId: '108000000000001', wabaId: '208000000000001', accessToken: 'token', appSecret: 'secret', webhookVerifyToken: 'verify' },
  };
}

function startAcmeSimulator(options: Partial<Parameters<typeof startMetaSimulator>[0]> = {}): Promise<MetaSimulator> {
  return startMetaSimulator({
    accessToken: 'token',
    appSecret: 'secret',
    phoneNumbers: [{ phoneNumberId: '108000000000001', displayPhoneNumber: '919888888888', wabaId: '208000000000001' }],
    ...options,
  });
}

async function get(url: string, headers: Record<string, string>): Promise<{ status: number; json: any }> {
  const response = await request(url, { headers });
  return { status: response.statusCode, json: await response.body.json() };
}

describe('template pre-flight at the messaging endpoint', () => {
  it('accepts a matching send and answers each mismatch with 2001 without sending it', async () => {
    const { gw, send } = await sandbox();
    const promo = fixture('clevertap/requests/template-image-dynamic-url.json');
    expect(await send({ ...promo, to: '919900000001' })).toEqual({ status: 'success' });
    await eventually(() => gw.simulator!.accepted().find((sent) => sent.waId === '919900000001'), 'the valid send');

    expect(await send({ ...withBody(promo, ['a', 'b']), to: '919900000002' })).toEqual(
      FAILURE_2001('body of template "promo_image" (en) takes 1 parameter, got 2'),
    );
    expect(await send({ ...promo, template: { namespace: 'no_such_template', languageCode: 'en' }, to: '919900000003' })).toEqual(
      FAILURE_2001('template "no_such_template" (en) does not exist'),
    );
    expect(await send({ ...promo, template: { namespace: 'promo_image', languageCode: 'fr' }, to: '919900000004' })).toEqual(
      FAILURE_2001('template "promo_image" (fr) does not exist; it exists in: en'),
    );
    const paused = { ...withBody(promo, ['Ana']), template: { namespace: 'paused_promo', languageCode: 'en' }, components: [{ type: 'body', body: { parameters: [{ type: 'text', text: 'Ana' }] } }], to: '919900000005' };
    expect(await send(paused)).toEqual(FAILURE_2001('template "paused_promo" (en) is PAUSED'));

    await eventually(() => sendsFinished(gw), 'every send job to finish');
    const refusedRecipients = ['919900000002', '919900000003', '919900000004', '919900000005'];
    expect(gw.simulator!.accepted().filter((sent) => refusedRecipients.includes(sent.waId ?? ''))).toEqual([]);
    expect(gw.simulator!.rejected()).toEqual([]);
  });

  it('applies a template status webhook at once: paused → 2001, approved again → sent', async () => {
    const { gw, send } = await sandbox();
    const promo = fixture('clevertap/requests/template-image-dynamic-url.json');
    const id = DEFAULT_TEMPLATES.find((template) => template.name === 'promo_image')!.id!;

    expect(gw.simulator!.setTemplateStatus(id, 'PAUSED')).toBe(true);
    await eventually(async () => {
      const answer = (await send({ ...promo, to: '919900000010' })) as { status: string };
      return answer.status === 'failure' ? answer : undefined;
    }, 'the pause to reach pre-flight');
    expect(await send({ ...promo, to: '919900000011' })).toEqual(FAILURE_2001('template "promo_image" (en) is PAUSED'));

    expect(gw.simulator!.setTemplateStatus(id, 'APPROVED')).toBe(true);
    await eventually(async () => {
      const answer = (await send({ ...promo, to: '919900000012' })) as { status: string };
      return answer.status === 'success' ? answer : undefined;
    }, 'the re-approval to reach pre-flight');
  });

  it('sends NAMED templates with each value under its parameter name', async () => {
    const { gw, send } = await sandbox();
    const named = {
      payloadVersion: 0.1,
      to: '919900000020',
      wabaNumber: '919888888888',
      isTemplate: true,
      msgId: 'named|1',
      template: { namespace: 'order_confirmation_named', languageCode: 'en(US)' },
      components: [
        { type: 'header', header: { type: 'text', text: { text: 'Order 4411', parameters: [{ type: 'text', text: '4411' }] } } },
        { type: 'body', body: { parameters: ['Ana', '4411', 'Monday'].map((text) => ({ type: 'text', text })) } },
      ],
    };
    expect(await send(named)).toEqual({ status: 'success' });
    const sent = await eventually(() => gw.simulator!.accepted().find((accepted) => accepted.waId === '919900000020'), 'the NAMED send');
    const template = (sent.body as { template: { language: { code: string }; components: Array<{ type: string; parameters: unknown[] }> } }).template;
    expect(template.language.code).toBe('en_US');
    expect(template.components).toEqual([
      { type: 'header', parameters: [{ type: 'text', text: '4411', parameter_name: 'order_id' }] },
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'Ana', parameter_name: 'first_name' },
          { type: 'text', text: '4411', parameter_name: 'order_id' },
          { type: 'text', text: 'Monday', parameter_name: 'delivery_date' },
        ],
      },
    ]);
  });

  it('validates template-save probes and answers them without sending', async () => {
    const { gw, send } = await sandbox();
    const promo = fixture('clevertap/requests/template-image-dynamic-url.json');
    expect(await send({ ...promo, to: '+919870369294' })).toEqual({ status: 'success' });
    expect(await send({ ...withBody(promo, []), to: '+919870369294' })).toEqual(
      FAILURE_2001('body of template "promo_image" (en) takes 1 parameter, got 0'),
    );
    // A real send afterwards proves the dispatcher ran; the probe still never reached Meta.
    expect(await send({ ...promo, to: '919900000030' })).toEqual({ status: 'success' });
    await eventually(() => gw.simulator!.accepted().find((sent) => sent.waId === '919900000030'), 'the real send');
    expect(gw.simulator!.accepted().filter((sent) => sent.waId === '919870369294')).toEqual([]);
  });
});

describe('CleverTap template import', () => {
  it('pages through every approved template exactly once, with the messaging credentials', async () => {
    const { gw, auth } = await sandbox();
    const approved = DEFAULT_TEMPLATES.filter((template) => (template.status ?? 'APPROVED') === 'APPROVED').map((template) => template.id);
    expect(approved.length).toBeGreaterThan(4);

    const seen: string[] = [];
    let url: string | undefined = `${gw.url}/v1/clevertap/sandbox/templates?limit=3`;
    let pages = 0;
    while (url) {
      const page = await get(url, auth);
      expect(page.status).toBe(200);
      for (const template of page.json.data) {
        expect(template.status).toBe('APPROVED');
        seen.push(template.id);
      }
      url = page.json.paging?.next;
      if (url) expect(page.json.paging.cursors.after).toBeTruthy();
      pages++;
    }
    expect(pages).toBe(Math.ceil(approved.length / 3));
    expect(seen.sort()).toEqual([...approved].sort());

    expect((await get(`${gw.url}/v1/clevertap/sandbox/templates`, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await get(`${gw.url}/v1/clevertap/nobody/templates`, auth)).status).toBe(404);
    const badCursor = await get(`${gw.url}/v1/clevertap/sandbox/templates?after=%21%21`, auth);
    expect(badCursor.status).toBe(400);
    expect(badCursor.json.error.message).toMatch(/not a cursor/);
  });

  it('reports sync status and syncs on demand through the admin API', async () => {
    const { gw } = await sandbox();
    const status = await get(`${gw.url}/v1/admin/templates`, sandboxAdminAuth(gw));
    expect(status.json).toEqual([expect.objectContaining({ accountId: 'sandbox', templateCount: DEFAULT_TEMPLATES.length, syncing: false })]);
    expect(status.json[0].lastSuccessAt).toBeGreaterThan(0);

    gw.simulator!.upsertTemplate({ name: 'fresh_template', language: 'en', components: [{ type: 'BODY', text: 'Hello' }] });
    const sync = await request(`${gw.url}/v1/admin/templates/sync?account=sandbox`, { method: 'POST', headers: sandboxAdminAuth(gw) });
    expect(sync.statusCode).toBe(200);
    expect(await sync.body.json()).toEqual({ results: [expect.objectContaining({ ok: true, accountId: 'sandbox', templates: DEFAULT_TEMPLATES.length + 1 })] });
    const unknown = await request(`${gw.url}/v1/admin/templates/sync?account=nobody`, { method: 'POST', headers: sandboxAdminAuth(gw) });
    expect(unknown.statusCode).toBe(404);
    await unknown.body.dump();
  });
});

describe('templates across restarts', () => {
  it('passes sends through before any sync, and validates from the stored copy when Meta is unreachable after a restart', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'wabridge-templates-'));
    dirs.push(dataDir);
    const graphPort = await freePort();
    const account = acmeAccount(`http://127.0.0.1:${graphPort}/v23.0`);
    const start = () => startTestGateway({ accounts: [account] }, { dataDir });
    const promo = fixture('clevertap/requests/template-image-dynamic-url.json');
    const send = async (body: object) => (await gateway!.post('/v1/clevertap/acme/messages', body, { authorization: 'ct' })).json;

    // Meta unreachable, nothing stored: sends pass unvalidated and the status says why.
    gateway = await start();
    expect(await send({ ...withBody(promo, ['a', 'b', 'c']), to: '919900000040' })).toEqual({ status: 'success' });
    const before = (await get(`${gateway.url}/v1/admin/templates`, sandboxAdminAuth(gateway!))).json[0];
    expect(before).toMatchObject({ accountId: 'acme', templateCount: 0 });
    expect(before.lastSuccessAt).toBeUndefined();
    expect(before.lastError).toMatch(/unreachable/i);
    await gateway.close();
    gateway = undefined;

    // Meta up: the sync at start stores the catalogue.
    simulator = await startAcmeSimulator({ port: graphPort });
    gateway = await start();
    expect(await send({ ...withBody(promo, ['a', 'b']), to: '919900000041' })).toEqual(FAILURE_2001('body of template "promo_image" (en) takes 1 parameter, got 2'));
    await gateway.close();
    gateway = undefined;
    await simulator.close();
    simulator = undefined;

    // Meta down again: the stored copy still validates, and the failed sync is reported.
    gateway = await start();
    expect(await send({ ...withBody(promo, ['a', 'b']), to: '919900000042' })).toEqual(FAILURE_2001('body of template "promo_image" (en) takes 1 parameter, got 2'));
    expect(await send({ ...promo, to: '919900000043' })).toEqual({ status: 'success' });
    const after = (await get(`${gateway.url}/v1/admin/templates`, sandboxAdminAuth(gateway!))).json[0];
    expect(after).toMatchObject({ accountId: 'acme', templateCount: DEFAULT_TEMPLATES.length });
    expect(after.lastError).toMatch(/unreachable/i);
    expect(after.lastSuccessAt).toBeGreaterThan(0);
    // `stop` would delete the data directory the next start needs; `close` keeps it.
  });
});

describe('template sync and Meta\'s management rate limit', () => {
  it('backs off after 80007 without calling Graph again, keeping the last good copy', async () => {
    const graphPort = await freePort();
    simulator = await startAcmeSimulator({ port: graphPort, managementRateLimit: { calls: 2, windowMs: 3_600_000 } });
    gateway = await startTestGateway({
      accounts: [
        acmeAccount(simulator.graphBaseUrl),
      ],
    });
    // The start-up sync took one call; an on-demand one takes the second; the third is refused.
    expect(await gateway.templates.sync('acme')).toMatchObject({ ok: true });
    const limited = await gateway.templates.sync('acme');
    expect(limited).toMatchObject({ ok: false, error: expect.stringContaining('80007') });
    expect(simulator.stats().managementCalls).toBe(3);

    // Backing off: neither on-demand nor scheduled syncs call Graph during the pause.
    const refused = await gateway.templates.sync('acme');
    expect(refused).toMatchObject({ ok: false, error: expect.stringContaining('rate limit') });
    expect(!refused.ok && refused.retryAt! - Date.now()).toBeGreaterThan(4 * 60_000);
    expect(simulator.stats().managementCalls).toBe(3);
    const status = (await get(`${gateway.url}/v1/admin/templates`, sandboxAdminAuth(gateway!))).json[0];
    expect(status).toMatchObject({ accountId: 'acme', templateCount: DEFAULT_TEMPLATES.length, lastError: expect.stringContaining('80007') });
    expect(status.rateLimitedUntil).toBeGreaterThan(Date.now());

    // The last good copy still validates sends.
    const promo = fixture('clevertap/requests/template-image-dynamic-url.json');
    const answer = await gateway.post('/v1/clevertap/acme/messages', { ...withBody(promo, []), to: '919900000050' }, { authorization: 'ct' });
    expect(answer.json).toEqual(FAILURE_2001('body of template "promo_image" (en) takes 1 parameter, got 0'));
  });
});

describe('wabridge templates sync', () => {
  const cli = async (env: Record<string, string>) => {
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'templates', 'sync'], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
      return { code: 0, stdout };
    } catch (error) {
      const failed = error as { code: number; stdout: string };
      return { code: failed.code, stdout: failed.stdout };
    }
  };

  it('syncs through the running gateway, or into the data directory when none runs', async () => {
    const { gw } = await sandbox();
    gw.simulator!.upsertTemplate({ name: 'cli_template', language: 'en', components: [{ type: 'BODY', text: 'Hello' }] });
    const port = new URL(gw.url).port;
    const throughGateway = await cli({ HOST: '127.0.0.1', PORT: port, DATA_DIR: gw.dataDir });
    expect(throughGateway).toEqual({ code: 0, stdout: `sandbox: ${DEFAULT_TEMPLATES.length + 1} templates synced (${gw.templates.approvedFor('sandbox').length} approved)\n` });
    expect(gw.templates.indexFor('sandbox')!.find('cli_template', 'en')).toHaveProperty('definition');

    simulator = await startAcmeSimulator();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'wabridge-templates-cli-'));
    dirs.push(dataDir);
    const configFile = writeConfig(path.join(dataDir, 'wabridge.json'), {
      mode: 'sandbox',
      server: { host: '127.0.0.1', port: await freePort() },
      store: { path: path.join(dataDir, 'wabridge.db') },
      accounts: [
        acmeAccount(simulator.graphBaseUrl),
      ],
    });
    const direct = await cli({ WABRIDGE_CONFIG: configFile });
    expect(direct.code).toBe(0);
    expect(direct.stdout).toContain('no gateway answers on this machine; syncing into the data directory directly');
    expect(direct.stdout).toContain(`acme: ${DEFAULT_TEMPLATES.length} templates synced`);
    const db = await openSqlite({ path: path.join(dataDir, 'wabridge.db') });
    try {
      expect(await new SqliteTemplateStore(db).list('acme')).toHaveLength(DEFAULT_TEMPLATES.length);
    } finally {
      db.close();
    }
    // Two CLI processes, each compiling the CLI with tsx first: far slower than 30 s on a busy machine.
  }, 120_000);
});

describe('a 1,000-template WABA end to end', () => {
  it('syncs every page from Meta and imports each approved template exactly once at limits 50 and 500', async () => {
    const statuses = ['APPROVED', 'APPROVED', 'APPROVED', 'PAUSED', 'REJECTED'] as const;
    const templates = Array.from({ length: 1_000 }, (_, i) => ({
      name: `campaign_${String(i).padStart(4, '0')}`,
      language: i % 2 === 0 ? 'en' : 'pt_BR',
      status: statuses[i % statuses.length]!,
      category: 'MARKETING' as const,
      components: [{ type: 'BODY' as const, text: `Offer ${i} for {{1}}`, example: { body_text: [['Ana']] } }],
    }));
    simulator = await startAcmeSimulator({ templates });
    gateway = await startTestGateway({
      accounts: [
        acmeAccount(simulator.graphBaseUrl),
      ],
    });
    await gateway.templates.settled();
    expect((await gateway.templates.status())[0]).toMatchObject({ templateCount: 1_000 });
    // 100 per Graph page: ten listing calls.
    expect(simulator.stats().managementCalls).toBe(10);

    const approved = templates.filter((template) => template.status === 'APPROVED').map((template) => `${template.name}/${template.language}`);
    for (const limit of [50, 500]) {
      const seen: string[] = [];
      let url: string | undefined = `${gateway.url}/v1/clevertap/acme/templates?limit=${limit}`;
      let pages = 0;
      while (url) {
        const page = await get(url, { authorization: 'Bearer ct' });
        expect(page.status).toBe(200);
        expect(page.json.data.length).toBeLessThanOrEqual(limit);
        seen.push(...page.json.data.map((template: { name: string; language: string; status: string }) => {
          expect(template.status).toBe('APPROVED');
          return `${template.name}/${template.language}`;
        }));
        url = page.json.paging?.next;
        pages++;
      }
      expect(pages).toBe(Math.ceil(approved.length / limit));
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.sort()).toEqual([...approved].sort());
    }
  });
});
