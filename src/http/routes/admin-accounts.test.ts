/**
 * The accounts admin API through a real gateway (production mode, SQLite, admin token) whose
 * accounts talk to a real Meta simulator: what an operator's form or script sees.
 */
import { createServer } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../../test/support/gateway.js';
import type { MetaSimulator } from '../../sim/meta/index.js';
import { DISPLAY, PHONE_ID, SECRET, TOKEN, WABA_ID, startTestSim } from '../../sim/meta/test-support.js';

const ADMIN_TOKEN = 'admin-token-accounts-0123456789';
const FILE_NUMBER = '919877777777';
const FILE_PHONE_ID = '106540352242923';
const CLEVERTAP_TOKEN = 'ct-token-globex-0123456789';
const VERIFY_TOKEN = 'verify-token-globex-0123456789';
const FILE_SECRETS = ['ct-token-acme-0123456789', 'verify-token-acme-0123456789'];

let sim: MetaSimulator;
let gateway: TestGateway;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: any;
}

/** `token` null: no Authorization header. */
async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, token: string | null = ADMIN_TOKEN): Promise<Answer> {
  const response = await request(gateway.url + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, body: text, json };
}

function account(overrides: { whatsapp?: Record<string, unknown>; clevertap?: Record<string, unknown>; [key: string]: unknown } = {}): Record<string, unknown> {
  const { whatsapp, clevertap, ...rest } = overrides;
  return {
    id: 'globex',
    wabaNumber: `+${DISPLAY}`,
    clevertap: { auth: { kind: 'bearer', token: CLEVERTAP_TOKEN }, deliveryReportUrl: 'https://wzrkt.example.com/dlr', ...clevertap },
    whatsapp: { graphBaseUrl: sim.graphBaseUrl, phoneNumberId: PHONE_ID, wabaId: WABA_ID, accessToken: TOKEN, appSecret: SECRET, webhookVerifyToken: VERIFY_TOKEN, ...whatsapp },
    ...rest,
  };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  sim = await startTestSim({
    phoneNumbers: [
      { phoneNumberId: PHONE_ID, displayPhoneNumber: DISPLAY, wabaId: WABA_ID },
      { phoneNumberId: FILE_PHONE_ID, displayPhoneNumber: FILE_NUMBER, wabaId: WABA_ID },
    ],
  });
  gateway = await startTestGateway({
    mode: 'production',
    server: { host: '127.0.0.1', port: 0, publicBaseUrl: 'https://wa.example.com' },
    admin: { token: ADMIN_TOKEN },
    accounts: [
      {
        id: 'acme',
        wabaNumber: `+${FILE_NUMBER}`,
        clevertap: { auth: { kind: 'bearer', token: FILE_SECRETS[0] } },
        whatsapp: { graphBaseUrl: sim.graphBaseUrl, phoneNumberId: FILE_PHONE_ID, wabaId: WABA_ID, accessToken: TOKEN, appSecret: SECRET, webhookVerifyToken: FILE_SECRETS[1] },
      },
    ],
  });
});
afterAll(async () => {
  await gateway?.stop();
  await sim?.close();
});

describe('accounts admin API', () => {
  it('asks for the admin token', async () => {
    for (const [method, path] of [['GET', '/v1/admin/accounts'], ['POST', '/v1/admin/accounts'], ['DELETE', '/v1/admin/accounts/acme'], ['GET', '/v1/admin/audit']] as const) {
      const answer = await call(method, path, method === 'POST' ? account() : undefined, null);
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({ message: expect.stringContaining('admin token'), errors: [] });
    }
    expect((await call('GET', '/v1/admin/accounts', undefined, 'wrong-token-0123456789')).status).toBe(401);
  });

  it('lists the configuration file\'s account read-only, its secrets masked', async () => {
    const answer = await call('GET', '/v1/admin/accounts');
    expect(answer.status).toBe(200);
    expect(answer.json.data).toEqual([
      expect.objectContaining({
        id: 'acme',
        wabaNumber: `+${FILE_NUMBER}`,
        source: 'file',
        readOnly: true,
        clevertap: expect.objectContaining({ auth: { kind: 'bearer', token: 'ct-t…6789' } }),
        whatsapp: expect.objectContaining({ accessToken: '…', webhookVerifyToken: 'veri…6789' }),
      }),
    ]);
    for (const secret of FILE_SECRETS) expect(answer.body).not.toContain(secret);
  });

  it('creates an account (201, secrets masked) whose CleverTap endpoint answers at once', async () => {
    expect((await gateway.post('/v1/clevertap/globex/messages', {}, { authorization: 'Bearer nobody' })).status).toBe(404);
    const answer = await call('POST', '/v1/admin/accounts', account());
    expect(answer.status).toBe(201);
    expect(answer.headers['location']).toBe('/v1/admin/accounts/globex');
    expect(answer.json).toEqual(
      expect.objectContaining({
        id: 'globex',
        wabaNumber: DISPLAY,
        source: 'store',
        readOnly: false,
        version: 1,
        clevertap: expect.objectContaining({ auth: { kind: 'bearer', token: 'ct-t…6789' } }),
        whatsapp: expect.objectContaining({ accessToken: '…', appSecret: 'test…cret', webhookVerifyToken: 'veri…6789' }),
        connect: {
          clevertap: {
            endpoint: 'https://wa.example.com/v1/clevertap/globex/messages',
            requestType: 'POST',
            auth: { kind: 'bearer', header: 'Authorization', value: 'Bearer ct-t…6789' },
            templateImportUrl: 'https://wa.example.com/v1/clevertap/globex/templates',
          },
          meta: { webhookUrl: 'https://wa.example.com/v1/whatsapp/webhook', verifyToken: 'veri…6789' },
        },
      }),
    );
    for (const secret of [CLEVERTAP_TOKEN, VERIFY_TOKEN, TOKEN, SECRET]) expect(answer.body).not.toContain(secret);
    // Known now: a wrong token is refused by the account's own auth (CleverTap's 2000), not "no such account".
    const wrongToken = await gateway.post('/v1/clevertap/globex/messages', {}, { authorization: 'Bearer nobody' });
    expect([wrongToken.status, wrongToken.json?.error?.code]).toEqual([200, 2000]);
    expect((await call('GET', '/v1/admin/accounts/globex')).json).toMatchObject({ id: 'globex', version: 1 });
  });

  it('names the field Meta refused: the token, the phone number id, the number', async () => {
    const cases = [
      [{ id: 'bad-token', whatsapp: { accessToken: 'EAAG-not-the-right-token' } }, 'whatsapp.accessToken'],
      [{ id: 'bad-id', whatsapp: { phoneNumberId: '999999999999999' } }, 'whatsapp.phoneNumberId'],
      [{ id: 'bad-number', wabaNumber: '+15550783881' }, 'wabaNumber'],
    ] as const;
    for (const [overrides, field] of cases) {
      const answer = await call('POST', '/v1/admin/accounts', account(overrides));
      expect(answer.status).toBe(422);
      expect(answer.json).toEqual({ message: expect.stringContaining(field), errors: [{ field, message: expect.any(String) }] });
      expect(answer.body).not.toContain('EAAG-not-the-right-token');
    }
    expect((await call('GET', '/v1/admin/accounts/bad-token')).status).toBe(404);
  });

  it('names every field at fault in a body that is not a valid account', async () => {
    const answer = await call('POST', '/v1/admin/accounts', { ...account({ id: 'has space', clevertap: { deliveryReportUrl: 'http://wzrkt.example.com/dlr' } }), surprise: 1 });
    expect(answer.status).toBe(422);
    expect(answer.json.errors).toEqual(
      expect.arrayContaining([
        { field: 'id', message: expect.any(String) },
        { field: 'surprise', message: 'is not a known field' },
        { field: 'clevertap.deliveryReportUrl', message: 'must use https in production mode' },
      ]),
    );
    expect((await call('POST', '/v1/admin/accounts', '{"id":')).status).toBe(400);
  });

  it('says Meta could not be reached (502), and saves with ?verify=false', async () => {
    const unreachable = account({ id: 'initech', wabaNumber: '+919866666666', whatsapp: { graphBaseUrl: `http://127.0.0.1:${await closedPort()}/v23.0` } });
    const refused = await call('POST', '/v1/admin/accounts', unreachable);
    expect(refused.status).toBe(502);
    expect(refused.json).toEqual({ message: expect.stringMatching(/could not be reached.*\?verify=false/), errors: [] });
    expect((await call('GET', '/v1/admin/accounts/initech')).status).toBe(404);
    const saved = await call('POST', '/v1/admin/accounts?verify=false', unreachable);
    expect(saved.status).toBe(201);
    expect((await call('DELETE', '/v1/admin/accounts/initech')).status).toBe(204);
  });

  it('refuses a number another account serves, the file\'s included (409 saying which)', async () => {
    const fileNumber = await call('POST', '/v1/admin/accounts?verify=false', account({ id: 'umbrella', wabaNumber: FILE_NUMBER }));
    expect(fileNumber.status).toBe(409);
    expect(fileNumber.json).toEqual({ message: `${FILE_NUMBER} is already served by account acme`, errors: [{ field: 'wabaNumber', message: `${FILE_NUMBER} is already served by account acme` }] });
    const storedNumber = await call('POST', '/v1/admin/accounts?verify=false', account({ id: 'umbrella' }));
    expect(storedNumber.status).toBe(409);
    expect(storedNumber.json.errors).toEqual([{ field: 'wabaNumber', message: `${DISPLAY} is already served by account globex` }]);
    expect((await call('POST', '/v1/admin/accounts?verify=false', account())).json.errors).toEqual([{ field: 'id', message: expect.any(String) }]);
  });

  it('refuses to change or delete an account of the configuration file', async () => {
    const body = { message: 'account acme is declared in the configuration file; edit the file to change it', errors: [] };
    const put = await call('PUT', '/v1/admin/accounts/acme', account({ id: 'acme' }));
    expect([put.status, put.json]).toEqual([409, body]);
    const deleted = await call('DELETE', '/v1/admin/accounts/acme');
    expect([deleted.status, deleted.json]).toEqual([409, body]);
  });

  it('updates from the answer it gave (masked secrets kept, version checked)', async () => {
    const view = (await call('GET', '/v1/admin/accounts/globex')).json;
    const edited = { ...view, clevertap: { ...view.clevertap, inboundMessageUrl: 'https://wzrkt.example.com/imo' } };
    const updated = await call('PUT', '/v1/admin/accounts/globex', edited);
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ version: 2, clevertap: { inboundMessageUrl: 'https://wzrkt.example.com/imo', auth: { token: 'ct-t…6789' } } });
    // The stored secrets are the real ones still: the account's own token is accepted.
    const ownToken = await gateway.post('/v1/clevertap/globex/messages', {}, { authorization: `Bearer ${CLEVERTAP_TOKEN}` });
    expect(ownToken.status).not.toBe(404);
    expect(ownToken.json?.error?.code).not.toBe(2000);
    const stale = await call('PUT', '/v1/admin/accounts/globex', edited);
    expect(stale.status).toBe(409);
    expect(stale.json.errors).toEqual([{ field: 'version', message: expect.any(String) }]);
    expect((await call('PUT', '/v1/admin/accounts/nobody', account({ id: 'nobody' }))).status).toBe(404);
  });

  it('lists every change in the audit log, newest first, with no secret in it', async () => {
    const answer = await call('GET', '/v1/admin/audit?limit=100');
    expect(answer.status).toBe(200);
    const entries = answer.json.data as Array<{ action: string; subject: string; actor: string; at: string; details: Record<string, any> }>;
    expect(entries.map((entry) => `${entry.action} ${entry.subject}`)).toEqual(['account.update globex', 'account.delete initech', 'account.create initech', 'account.create globex']);
    expect(entries.every((entry) => entry.actor === 'admin' && !Number.isNaN(Date.parse(entry.at)))).toBe(true);
    expect(entries[0]!.details['changes']).toEqual({ 'clevertap.inboundMessageUrl': { to: 'https://wzrkt.example.com/imo' } });
    expect(entries[3]!.details['changes']['whatsapp.accessToken']).toBe('(changed)');
    for (const secret of [CLEVERTAP_TOKEN, VERIFY_TOKEN, TOKEN, SECRET, ...FILE_SECRETS]) expect(answer.body).not.toContain(secret);
    expect((await call('GET', '/v1/admin/audit?subject=initech')).json.data).toHaveLength(2);
    expect((await call('GET', '/v1/admin/audit?limit=0')).status).toBe(400);
  });

  it('deletes: 204, then the account and its CleverTap endpoint answer 404', async () => {
    expect((await call('DELETE', '/v1/admin/accounts/globex')).status).toBe(204);
    expect((await call('GET', '/v1/admin/accounts/globex')).status).toBe(404);
    expect((await call('DELETE', '/v1/admin/accounts/globex')).status).toBe(404);
    expect((await gateway.post('/v1/clevertap/globex/messages', {}, { authorization: `Bearer ${CLEVERTAP_TOKEN}` })).status).toBe(404);
    expect((await call('GET', '/v1/admin/accounts')).json.data.map((view: { id: string }) => view.id)).toEqual(['acme']);
  });
});

describe('accounts admin API in sandbox mode, no admin token configured (the generated one is required)', () => {
  let sandbox: TestGateway;
  beforeAll(async () => {
    sandbox = await startTestGateway();
  });
  afterAll(async () => sandbox?.stop());

  // The sandbox's generated admin token: a sandbox requires it as production requires admin.token.
  const ask = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const authorization = `Bearer ${sandbox.sandboxSecrets!.adminToken}`;
    const response = await request(sandbox.url + path, {
      method,
      headers: { authorization, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.statusCode, json: (await response.body.json()) as any };
  };

  it('wires an account without Graph credentials to the built-in simulator, audited as the admin token', async () => {
    const created = await ask('POST', '/v1/admin/accounts', { id: 'demo2', wabaNumber: '+91 98666 66666', clevertap: { auth: { kind: 'bearer', token: 'demo2-token-0123456789' } } });
    expect(created.status).toBe(201);
    // The sandbox's own verify token, masked: the simulator signs and verifies with it.
    expect(created.json.connect.meta.verifyToken).toBe(`${sandbox.sandboxSecrets!.webhookVerifyToken.slice(0, 4)}…${sandbox.sandboxSecrets!.webhookVerifyToken.slice(-4)}`);
    expect(created.json.whatsapp).toEqual({ messagesPerSecond: 80, maxInFlight: 64 });
    const audit = await ask('GET', '/v1/admin/audit');
    expect(audit.json.data).toEqual([expect.objectContaining({ actor: 'admin', action: 'account.create', subject: 'demo2', details: expect.objectContaining({ verification: 'built-in simulator' }) })]);
    const listed = await ask('GET', '/v1/admin/accounts');
    expect(listed.json.data.map((view: { id: string; source: string }) => `${view.id}:${view.source}`)).toEqual(['sandbox:file', 'demo2:store']);
    const send = await sandbox.post('/v1/clevertap/demo2/messages', {}, { authorization: 'Bearer demo2-token-0123456789' });
    expect(send.status).not.toBe(404);
    expect(send.json?.error?.code).not.toBe(2000);
  });
});
