/**
 * The accounts admin service over a real SQLite store and the real Meta simulator. The account
 * registry is a small stand-in here (its own tests live with it); the route and gateway tests
 * use the real one.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveAccounts } from '../config/accounts.js';
import type { AccountConfig, Config } from '../config/schema.js';
import type { MetaSimulator } from '../sim/meta/index.js';
import { DISPLAY, PHONE_ID, SECRET, TOKEN, WABA_ID, startTestSim } from '../sim/meta/test-support.js';
import { createSqliteStorage, type SqliteStorage } from '../store/sqlite/create-sqlite-storage.js';
import { AccountAdmin, changesBetween, type AdminRegistry } from './account-admin.js';
import { validateAccount } from './validate-account.js';

let sim: MetaSimulator;
let storage: SqliteStorage;
let refreshes: number;

const FILE_ACCOUNT = validAccount({ id: 'acme', wabaNumber: '+91 98777 77777', clevertap: { auth: { kind: 'bearer', token: 'file-token-0123456789' } }, whatsapp: {} });

function validAccount(document: Record<string, unknown>): AccountConfig {
  const result = validateAccount(document, { mode: 'sandbox' });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.account;
}

function registry(): AdminRegistry {
  return {
    directory: { byId: () => undefined },
    fileAccount: (id) => (id === FILE_ACCOUNT.id ? FILE_ACCOUNT : undefined),
    fileAccounts: () => [FILE_ACCOUNT],
    resolve: (document) => resolveAccounts({ mode: 'production', accounts: [document] } as unknown as Config)[0]!,
    refresh: async () => {
      refreshes += 1;
    },
  };
}

function admin(): AccountAdmin {
  return new AccountAdmin({
    config: { mode: 'production', store: { path: '/nonexistent/wabridge.db' } as Config['store'] },
    accounts: storage.accounts,
    audit: storage.audit,
    registry: registry(),
    publicBase: () => 'https://wa.example.com',
    webhookPath: '/v1/whatsapp/webhook',
    now: () => Date.UTC(2026, 11, 8, 12),
  });
}

function body(overrides: { whatsapp?: Record<string, unknown>; [key: string]: unknown } = {}): Record<string, unknown> {
  const { whatsapp, ...rest } = overrides;
  return {
    id: 'globex',
    wabaNumber: `+${DISPLAY}`,
    clevertap: { auth: { kind: 'bearer', token: 'ct-token-0123456789' }, deliveryReportUrl: 'https://wzrkt.com/dlr' },
    whatsapp: { graphBaseUrl: sim.graphBaseUrl, phoneNumberId: PHONE_ID, wabaId: WABA_ID, accessToken: TOKEN, appSecret: SECRET, webhookVerifyToken: 'verify-token-0123456', ...whatsapp },
    ...rest,
  };
}

beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => sim.close());
beforeEach(async () => {
  storage = await createSqliteStorage({ path: ':memory:' });
  refreshes = 0;
});
afterEach(async () => storage.close());

describe('AccountAdmin', () => {
  it('creates a verified account, answers it masked with its connect values, applies and audits it', async () => {
    const created = await admin().create(body(), { actor: 'admin' });
    expect(created).toEqual({
      ok: true,
      value: expect.objectContaining({
        id: 'globex',
        wabaNumber: DISPLAY,
        source: 'store',
        readOnly: false,
        version: 1,
        createdAt: '2026-12-08T12:00:00.000Z',
        whatsapp: expect.objectContaining({ accessToken: '…', appSecret: 'test…cret', webhookVerifyToken: 'veri…3456' }),
        connect: {
          clevertap: {
            endpoint: 'https://wa.example.com/v1/clevertap/globex/messages',
            requestType: 'POST',
            auth: { kind: 'bearer', header: 'Authorization', value: 'Bearer ct-t…6789' },
            templateImportUrl: 'https://wa.example.com/v1/clevertap/globex/templates',
          },
          meta: { webhookUrl: 'https://wa.example.com/v1/whatsapp/webhook', verifyToken: 'veri…3456' },
        },
      }),
    });
    expect(refreshes).toBe(1);
    expect((await storage.accounts.get('globex'))?.document).toMatchObject({ wabaNumber: DISPLAY, whatsapp: { accessToken: TOKEN } });
    const [entry] = await storage.audit.list({ limit: 10 });
    expect(entry).toMatchObject({ actor: 'admin', action: 'account.create', subject: 'globex', details: { verification: `verified: ${DISPLAY}` } });
    expect((entry!.details['changes'] as Record<string, unknown>)['whatsapp.accessToken']).toBe('(changed)');
    expect(JSON.stringify(entry)).not.toContain(TOKEN);
    expect(JSON.stringify(entry)).not.toContain('ct-token-0123456789');
  });

  it('lists the file accounts read-only, then the stored ones', async () => {
    await admin().create(body(), { actor: 'admin' });
    const listed = await admin().list();
    expect(listed.map((view) => [view.id, view.source, view.readOnly])).toEqual([
      ['acme', 'file', true],
      ['globex', 'store', false],
    ]);
    expect(JSON.stringify(listed)).not.toContain('file-token-0123456789');
  });

  it('answers Meta\'s refusals as field errors and saves nothing', async () => {
    const wrongToken = await admin().create(body({ whatsapp: { accessToken: 'EAAG-not-the-token' } }), { actor: 'admin' });
    expect(wrongToken).toMatchObject({ ok: false, status: 422, errors: [{ field: 'whatsapp.accessToken' }] });
    const wrongId = await admin().create(body({ whatsapp: { phoneNumberId: '999999999999999' } }), { actor: 'admin' });
    expect(wrongId).toMatchObject({ ok: false, status: 422, errors: [{ field: 'whatsapp.phoneNumberId' }] });
    const wrongNumber = await admin().create(body({ wabaNumber: '+15550783881' }), { actor: 'admin' });
    expect(wrongNumber).toMatchObject({ ok: false, status: 422, errors: [{ field: 'wabaNumber' }] });
    expect(await storage.accounts.list()).toEqual([]);
    expect(refreshes).toBe(0);
  });

  it('says Meta is unreachable (502), and saves with verify false', async () => {
    sim.setNetworkFault({ mode: 'refuse' });
    try {
      const refused = await admin().create(body(), { actor: 'admin' });
      expect(refused).toMatchObject({ ok: false, status: 502, message: expect.stringContaining('?verify=false') });
      const saved = await admin().create(body(), { actor: 'loopback', verify: false });
      expect(saved.ok).toBe(true);
      expect((await storage.audit.list({ limit: 1 }))[0]).toMatchObject({ actor: 'loopback', details: { verification: 'skipped' } });
    } finally {
      sim.setNetworkFault({ mode: 'none' });
    }
  });

  it('refuses a number or id another account has, the file\'s included', async () => {
    expect(await admin().create(body({ wabaNumber: '919877777777' }), { actor: 'admin', verify: false })).toEqual({
      ok: false,
      status: 409,
      message: '919877777777 is already served by account acme',
      errors: [{ field: 'wabaNumber', message: '919877777777 is already served by account acme' }],
    });
    expect(await admin().create(body({ id: 'acme' }), { actor: 'admin', verify: false })).toMatchObject({ status: 409, errors: [{ field: 'id' }] });
    await admin().create(body(), { actor: 'admin' });
    expect(await admin().create(body({ id: 'other' }), { actor: 'admin', verify: false })).toMatchObject({
      status: 409,
      message: `${DISPLAY} is already served by account globex`,
      errors: [{ field: 'wabaNumber' }],
    });
    expect(await admin().create(body(), { actor: 'admin', verify: false })).toMatchObject({ status: 409, errors: [{ field: 'id' }] });
  });

  it('refuses to change or delete a file account', async () => {
    const sentence = 'account acme is declared in the configuration file; edit the file to change it';
    expect(await admin().update('acme', body({ id: 'acme' }), { actor: 'admin' })).toEqual({ ok: false, status: 409, message: sentence, errors: [] });
    expect(await admin().delete('acme', { actor: 'admin' })).toEqual({ ok: false, status: 409, message: sentence, errors: [] });
  });

  it('updates keeping the secrets sent back masked, audits what changed, refuses a stale version', async () => {
    const created = await admin().create(body(), { actor: 'admin' });
    if (!created.ok) throw new Error(created.message);
    const view = created.value;
    const edited = { ...view, clevertap: { ...view.clevertap, deliveryReportUrl: 'https://wzrkt.com/dlr2' }, whatsapp: { ...view.whatsapp, appSecret: 'a-new-app-secret-value' } };
    const updated = await admin().update('globex', edited, { actor: 'admin' });
    expect(updated).toMatchObject({ ok: true, value: { version: 2, clevertap: { deliveryReportUrl: 'https://wzrkt.com/dlr2' } } });
    expect((await storage.accounts.get('globex'))?.document).toMatchObject({ whatsapp: { accessToken: TOKEN, appSecret: 'a-new-app-secret-value' }, clevertap: { auth: { token: 'ct-token-0123456789' } } });
    const [entry] = await storage.audit.list({ limit: 1 });
    expect(entry).toMatchObject({
      action: 'account.update',
      details: { changes: { 'clevertap.deliveryReportUrl': { from: 'https://wzrkt.com/dlr', to: 'https://wzrkt.com/dlr2' }, 'whatsapp.appSecret': '(changed)' } },
    });
    expect(Object.keys(entry!.details['changes'] as object)).toEqual(['clevertap.deliveryReportUrl', 'whatsapp.appSecret']);
    expect(JSON.stringify(entry)).not.toContain('a-new-app-secret-value');

    expect(await admin().update('globex', edited, { actor: 'admin' })).toMatchObject({ ok: false, status: 409, errors: [{ field: 'version' }] });
    expect(await admin().update('globex', { ...edited, id: 'renamed', version: 2 }, { actor: 'admin' })).toMatchObject({ status: 422, errors: [{ field: 'id' }] });
    expect(await admin().update('nobody', edited, { actor: 'admin' })).toMatchObject({ status: 404 });
  });

  it('deletes: the account is gone from the API, its deletion audited', async () => {
    await admin().create(body(), { actor: 'admin' });
    expect(await admin().delete('globex', { actor: 'loopback' })).toEqual({ ok: true, value: undefined });
    expect(await admin().get('globex')).toMatchObject({ ok: false, status: 404 });
    expect((await admin().list()).map((view) => view.id)).toEqual(['acme']);
    expect(await admin().delete('globex', { actor: 'loopback' })).toMatchObject({ status: 404 });
    expect((await storage.audit.list({ limit: 1, subject: 'globex' }))[0]).toMatchObject({ actor: 'loopback', action: 'account.delete' });
    expect(refreshes).toBe(2);
  });
});

describe('changesBetween', () => {
  it('marks secrets changed, never shows them, and lists settings from → to', () => {
    const before = validAccount({ id: 'a', wabaNumber: '919888888888', clevertap: { auth: { kind: 'headers', headers: { 'api-key': 'k-0123456789abc' } } } });
    const after = validAccount({ id: 'a', wabaNumber: '919888888888', defaultCountryCode: '91', clevertap: { auth: { kind: 'headers', headers: { 'api-key': 'k-other-value-0' } } } });
    expect(changesBetween(before as unknown as Record<string, unknown>, after)).toEqual({ 'clevertap.auth.headers.api-key': '(changed)', defaultCountryCode: { to: '91' } });
  });
});
