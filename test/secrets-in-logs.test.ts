/**
 * No secret leaves the gateway: a production-mode gateway process with every kind of secret
 * configured runs a whole cycle at debug level — sends, status webhooks, an inbound message,
 * callbacks to CleverTap, the webhook handshake right and wrong, the admin API, the template
 * import, refused credentials, bad input, a send Meta refuses, the metrics — and then its whole
 * output (banner and logs), every
 * answer it gave, the admin API's answers and `wabridge config check` are searched for each
 * configured secret, found from the schema's `secret` marks. Its data files are its owner's alone.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { secretValues } from '../src/config/secrets.js';
import { startClevertapSimulator, type ClevertapSimulator } from '../src/sim/clevertap/index.js';
import { startMetaSimulator, type MetaSimulator } from '../src/sim/meta/index.js';
import { eventually, fixture } from './support/gateway.js';
import { freePort, REPO_ROOT, spawnGateway, writeConfig, type GatewayProcess } from './support/process.js';

const PHONE_NUMBER_ID = '105000000000001';
const WABA_ID = '205000000000001';
const SECRETS = {
  accessToken: 'graph-access-token-5f1c9e',
  appSecret: 'meta-app-secret-8a7b6c',
  webhookVerifyToken: 'verify-token-3d2e1f',
  clevertapToken: 'clevertap-bearer-4b5c6d',
  passcode: 'clevertap-passcode-7e8f9a',
  mediaSigningSecret: 'media-signing-secret-0a1b2c',
  adminToken: 'admin-token-9z8y7x6w5v',
};

let dataDir: string;
let configFile: string;
let url: string;
let meta: MetaSimulator;
let clevertap: ClevertapSimulator;
let gateway: GatewayProcess;
/** Every body the gateway answered in this test. */
const answers: string[] = [];

async function call(method: 'GET' | 'POST', pathname: string, options: { body?: string; headers?: Record<string, string> } = {}) {
  const response = await request(url + pathname, { method, ...(options.body !== undefined ? { body: options.body } : {}), headers: options.headers ?? {} });
  const text = await response.body.text();
  answers.push(text);
  return { status: response.statusCode, text };
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'wabridge-secrets-'));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  clevertap = await startClevertapSimulator();
  meta = await startMetaSimulator({
    accessToken: SECRETS.accessToken,
    appSecret: SECRETS.appSecret,
    phoneNumbers: [{ phoneNumberId: PHONE_NUMBER_ID, displayPhoneNumber: '919888888888', wabaId: WABA_ID, messagesPerSecond: 1000 }],
    webhookUrl: `${url}/v1/whatsapp/webhook`,
    statusDelays: { sentMs: 20, deliveredMs: 60, readMs: 120 },
    pairRateLimit: false,
  });
  configFile = writeConfig(path.join(dataDir, 'config.json'), {
    mode: 'production',
    server: { host: '127.0.0.1', port, publicBaseUrl: url, mediaSigningSecret: SECRETS.mediaSigningSecret },
    admin: { token: SECRETS.adminToken },
    store: { path: path.join(dataDir, 'store', 'wabridge.db') },
    log: { level: 'debug' },
    accounts: [
      {
        id: 'acme',
        wabaNumber: '919888888888',
        clevertap: {
          auth: { kind: 'bearer', token: SECRETS.clevertapToken },
          accountId: 'ct-project-1',
          passcode: SECRETS.passcode,
          deliveryReportUrl: clevertap.deliveryReportUrl('acme'),
          inboundMessageUrl: clevertap.inboundMessageUrl('acme'),
          allowPrivateCallbackTargets: true,
        },
        whatsapp: {
          graphBaseUrl: meta.graphBaseUrl,
          phoneNumberId: PHONE_NUMBER_ID,
          wabaId: WABA_ID,
          accessToken: SECRETS.accessToken,
          appSecret: SECRETS.appSecret,
          webhookVerifyToken: SECRETS.webhookVerifyToken,
        },
      },
    ],
  });
  gateway = await spawnGateway(configFile, url, { LOG_LEVEL: 'debug' });
}, 60_000);

afterAll(async () => {
  await gateway?.kill('SIGTERM');
  await meta?.close();
  await clevertap?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('secrets in a production gateway', () => {
  it('appear in no log line, no answer and no admin view after a whole cycle', async () => {
    const auth = { authorization: `Bearer ${SECRETS.clevertapToken}`, 'content-type': 'application/json' };
    const send = (index: number) => JSON.stringify({ ...fixture('clevertap/requests/freeform-text.json'), msgId: `secret|${index}`, to: `9199${String(index).padStart(8, '0')}` });
    for (let index = 0; index < 5; index++) expect((await call('POST', '/v1/clevertap/acme/messages', { body: send(index), headers: auth })).text).toBe('{"status":"success"}');
    // Refused and broken requests, which log why.
    await call('POST', '/v1/clevertap/acme/messages', { body: send(9), headers: { ...auth, authorization: `Bearer ${SECRETS.clevertapToken}x` } });
    await call('POST', '/v1/clevertap/acme/messages', { body: '{"broken', headers: auth });
    await call('POST', '/v1/whatsapp/webhook', { body: '{}', headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' } });
    // A send Meta refuses (the simulator's magic number for 131026): the failure is logged.
    const refusedByMeta = JSON.stringify({ ...fixture('clevertap/requests/freeform-text.json'), msgId: 'secret|meta-refuses', to: '99911310260001' });
    expect((await call('POST', '/v1/clevertap/acme/messages', { body: refusedByMeta, headers: auth })).text).toBe('{"status":"success"}');
    // The handshake, right, wrong and repeated: the verify token rides in the query string.
    const handshake = (token: string) => `/v1/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=42`;
    expect((await call('GET', handshake(SECRETS.webhookVerifyToken))).text).toBe('42');
    await call('GET', handshake(`${SECRETS.webhookVerifyToken}-wrong`));
    await call('GET', `${handshake(SECRETS.webhookVerifyToken)}&hub.verify_token=${SECRETS.webhookVerifyToken}`);
    // An inbound message, answered to CleverTap's inbound URL.
    await meta.injectInbound({ phoneNumberId: PHONE_NUMBER_ID, from: '919900000001', type: 'text', text: 'hello' } as never);
    // Admin and template import, with and without their credentials.
    const admin = await call('GET', '/v1/admin/stats', { headers: { authorization: `Bearer ${SECRETS.adminToken}` } });
    expect(admin.status).toBe(200);
    await call('GET', '/v1/admin/stats', { headers: { authorization: `Bearer ${SECRETS.adminToken}0` } });
    await call('GET', '/v1/admin/templates', { headers: { authorization: `Bearer ${SECRETS.adminToken}` } });
    await call('GET', '/v1/clevertap/acme/templates', { headers: auth });
    // The metrics, from loopback without the token and with it.
    expect((await call('GET', '/metrics')).text).toContain('wabridge_requests_total');
    expect((await call('GET', '/metrics', { headers: { authorization: `Bearer ${SECRETS.adminToken}` } })).status).toBe(200);

    await eventually(() => clevertap.deliveryReports().length > 0 && clevertap.inboundMessages().length > 0, 'callbacks to CleverTap', 30_000);
    await eventually(() => meta.accepted().length === 5, 'the five sends at Meta', 30_000);
    await eventually(() => gateway.output().includes('"msg":"message failed"'), 'the refused send logged', 30_000);

    const { stdout: checked } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'config', 'check'], {
      cwd: REPO_ROOT,
      env: { ...process.env, WABRIDGE_CONFIG: configFile },
    });
    expect(checked).toContain('"passcode": "[secret]"');

    const configured = secretValues(loadConfig({ env: { WABRIDGE_CONFIG: configFile } }));
    // Every secret configured above is one the schema knows to hide.
    expect(new Set(configured.map((secret) => secret.value))).toEqual(new Set(Object.values(SECRETS)));
    const output = gateway.output();
    // Log lines were written (the refused webhook's warning among them), so the scan saw them.
    expect(output.split('\n').filter((line) => line.startsWith('{"level"')).length).toBeGreaterThanOrEqual(2);
    // Each line written for a request names it: the refused webhook's warning, the broken body's.
    const requestLines = output.split('\n').filter((line) => line.includes('webhook rejected'));
    expect(requestLines.length).toBeGreaterThanOrEqual(1);
    for (const line of requestLines) expect(JSON.parse(line), line).toHaveProperty('reqId');
    const places = { 'gateway output': output, answers: answers.join('\n'), 'config check': checked };
    for (const { path: at, value } of configured) {
      for (const [where, text] of Object.entries(places)) expect(text.includes(value), `${at} found in ${where}`).toBe(false);
    }
  });

  it('keeps its store readable by its owner only', () => {
    const storeDir = path.join(dataDir, 'store');
    for (const file of ['wabridge.db', 'wabridge.db-wal']) expect((statSync(path.join(storeDir, file)).mode & 0o777).toString(8), file).toBe('600');
    expect((statSync(storeDir).mode & 0o777).toString(8)).toBe('700');
  });
});
