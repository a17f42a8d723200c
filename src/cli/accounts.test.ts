/**
 * `wabridge accounts list|add|verify|remove` as an operator runs them: real processes on a real
 * SQLite store, Graph credentials checked against the real Meta simulator over HTTP. What is
 * checked is what a script relies on: the exit code, the dotted path of a refused field, and that
 * secrets never reach the terminal unmasked.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage } from '../compose/storage.js';
import type { MetaSimulator } from '../sim/meta/index.js';
import { DISPLAY, PHONE_ID, SECRET, TOKEN, WABA_ID, startTestSim } from '../sim/meta/test-support.js';
import { runCli } from './test-support.js';

const CLEVERTAP_TOKEN = 'ct-acme-0123456789-secret';
let dir: string;
let meta: MetaSimulator;
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'wabridge-cli-accounts-'));
  meta = await startTestSim();
  const config = {
    mode: 'sandbox',
    store: { path: path.join(dir, 'wabridge.db') },
    // A file account (wired to the sandbox's simulator): listed read-only beside the stored ones.
    accounts: [{ id: 'from-file', wabaNumber: '919111111111', clevertap: { auth: { kind: 'bearer', token: 'file-account-token-0123456789' } } }],
  };
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  env = { WABRIDGE_CONFIG: path.join(dir, 'config.json') };
});
afterAll(async () => {
  await meta?.close();
  rmSync(dir, { recursive: true, force: true });
});

function account(overrides: { clevertap?: Record<string, unknown>; whatsapp?: Record<string, unknown> } = {}): Record<string, unknown> {
  return {
    id: 'acme',
    wabaNumber: `+${DISPLAY}`,
    clevertap: { auth: { kind: 'bearer', token: CLEVERTAP_TOKEN }, deliveryReportUrl: 'http://127.0.0.1:4020/dlr/acme', ...overrides.clevertap },
    whatsapp: { graphBaseUrl: meta.graphBaseUrl, phoneNumberId: PHONE_ID, wabaId: WABA_ID, accessToken: TOKEN, appSecret: SECRET, webhookVerifyToken: 'verify-token-0123456789', ...overrides.whatsapp },
  };
}

function accountFile(name: string, document: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof document === 'string' ? document : JSON.stringify(document));
  return file;
}

describe('wabridge accounts', () => {
  it('add: a field the validation refuses exits 1 with its dotted path, and nothing is saved', async () => {
    const run = await runCli(['accounts', 'add', '--file', accountFile('bad-url.json', account({ clevertap: { deliveryReportUrl: 'ftp://ct.example/dlr' } }))], env);
    expect(run.code, run.output).toBe(1);
    expect(run.stderr).toMatch(/^ {2}clevertap\.deliveryReportUrl: .+/m);
    const list = await runCli(['accounts', 'list', '--json'], env);
    expect(JSON.parse(list.stdout).map((view: { id: string }) => view.id)).toEqual(['from-file']);
  }, 60_000);

  it('add: a token Meta refuses exits 1 naming whatsapp.accessToken; --no-verify would skip the check', async () => {
    const run = await runCli(['accounts', 'add', '--file', accountFile('bad-token.json', account({ whatsapp: { accessToken: 'not-the-token-Meta-knows' } }))], env);
    expect(run.code, run.output).toBe(1);
    expect(run.stderr).toMatch(/^ {2}whatsapp\.accessToken: .+/m);
  }, 60_000);

  it('add (verified with Meta) → list shows it masked → verify → remove → list no longer shows it', async () => {
    const yaml = [
      'id: acme',
      `wabaNumber: "+${DISPLAY}"`,
      'clevertap:',
      `  auth: { kind: bearer, token: ${CLEVERTAP_TOKEN} }`,
      '  deliveryReportUrl: http://127.0.0.1:4020/dlr/acme',
      'whatsapp:',
      `  graphBaseUrl: ${meta.graphBaseUrl}`,
      `  phoneNumberId: "${PHONE_ID}"`,
      `  wabaId: "${WABA_ID}"`,
      `  accessToken: ${TOKEN}`,
      `  appSecret: ${SECRET}`,
      '  webhookVerifyToken: verify-token-0123456789',
    ].join('\n');
    const added = await runCli(['accounts', 'add', '--file', accountFile('acme.yaml', yaml)], env);
    expect(added.code, added.output).toBe(0);
    expect(added.stdout).toContain('account acme created');
    expect(added.stdout).toMatch(/CleverTap HTTP Endpoint: +http:\/\/127\.0\.0\.1:8080\/v1\/clevertap\/acme\/messages/);

    const table = await runCli(['accounts', 'list'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^acme +919888888888 +store v1 +106540352242922 +Bearer ct-a…cret +http:\/\/127\.0\.0\.1:4020\/dlr\/acme$/m);
    expect(table.stdout).toMatch(/^from-file +919111111111 +file \(read-only\) +simulator/m);
    expect(table.output).not.toContain(CLEVERTAP_TOKEN);

    const json = await runCli(['accounts', 'list', '--json'], env);
    const views = JSON.parse(json.stdout) as Array<{ id: string; source: string; clevertap: { auth: { token: string } }; whatsapp: { accessToken: string } }>;
    expect(views.find((view) => view.id === 'acme')).toMatchObject({ source: 'store', clevertap: { auth: { token: 'ct-a…cret' } }, whatsapp: { accessToken: '…' } });
    expect(json.stdout).not.toContain(CLEVERTAP_TOKEN);

    const verified = await runCli(['accounts', 'verify', 'acme'], env);
    expect(verified.code, verified.output).toBe(0);
    expect(verified.stdout).toContain(`Meta knows phone number id ${PHONE_ID}`);

    const removed = await runCli(['accounts', 'remove', 'acme'], env);
    expect(removed.code, removed.output).toBe(0);
    expect(removed.stdout).toContain('account acme removed');
    const after = await runCli(['accounts', 'list'], env);
    expect(after.stdout).not.toMatch(/^acme /m);
    expect(after.stdout).toMatch(/^from-file /m);

    // Each change is in the audit log under the CLI's name.
    const storage = await createStorage({ kind: 'sqlite', path: path.join(dir, 'wabridge.db'), migrate: true, synchronous: 'normal' });
    try {
      const entries = await storage.audit.list({ limit: 10, subject: 'acme' });
      expect(entries.map((entry) => [entry.action, entry.actor])).toEqual([
        ['account.delete', 'cli'],
        ['account.create', 'cli'],
      ]);
    } finally {
      await storage.close();
    }
  }, 120_000);

  it('verify: a token Meta no longer accepts exits 1 naming the field; an unknown id exits 1', async () => {
    const added = await runCli(['accounts', 'add', '--no-verify', '--file', accountFile('stale.json', { ...account({ whatsapp: { accessToken: 'revoked-token-0123456789' } }), id: 'stale' })], env);
    expect(added.code, added.output).toBe(0);
    expect(added.stdout).toContain('not checked');
    const verified = await runCli(['accounts', 'verify', 'stale'], env);
    expect(verified.code, verified.output).toBe(1);
    expect(verified.stderr).toMatch(/^ {2}whatsapp\.accessToken: .+/m);
    const unknown = await runCli(['accounts', 'verify', 'nobody'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no account "nobody" exists');
    const removed = await runCli(['accounts', 'remove', 'stale', '--json'], env);
    expect(JSON.parse(removed.stdout)).toMatchObject({ ok: true });
  }, 120_000);

  it('usage errors exit 2: no --file, a file that is not there, a file account removed is refused (1)', async () => {
    expect((await runCli(['accounts', 'add'], env)).code).toBe(2);
    const missing = await runCli(['accounts', 'add', '--file', path.join(dir, 'nowhere.json')], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
    const fileAccount = await runCli(['accounts', 'remove', 'from-file'], env);
    expect(fileAccount.code).toBe(1);
    expect(fileAccount.stderr).toContain('declared in the configuration file');
  }, 60_000);
});
