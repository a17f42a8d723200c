/**
 * `wabridge send-test` against a real gateway process (sandbox, built-in Meta simulator): the
 * CleverTap-shaped request is printed with its credentials masked, the gateway's answer follows,
 * and `--wait` follows the message to `read` through the admin API.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { eventually } from '../../test/support/eventually.js';
import { freePort, spawnGateway, writeConfig, type GatewayProcess } from '../../test/support/process.js';
import { runCli } from './test-support.js';

let dir: string;
let gateway: GatewayProcess;
let env: Record<string, string>;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'wabridge-cli-send-test-'));
  const port = await freePort();
  const configFile = writeConfig(path.join(dir, 'config.json'), { mode: 'sandbox', server: { host: '127.0.0.1', port }, store: { path: path.join(dir, 'wabridge.db') } });
  url = `http://127.0.0.1:${port}`;
  gateway = await spawnGateway(configFile, url);
  env = { WABRIDGE_CONFIG: configFile };
}, 60_000);
afterAll(async () => {
  await gateway?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('wabridge send-test', () => {
  it('sends a template as CleverTap would, with the sandbox account read from this machine, and prints request and answer', async () => {
    const run = await runCli(['send-test', '--to', '+917000000001', '--template', 'order_ready:en_GB', '--param', 'Ana', '--msg-id', 'cli|1|20261208|1'], env);
    expect(run.code, run.output).toBe(0);
    expect(run.stdout).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/v1\/clevertap\/sandbox\/messages$/m);
    expect(run.stdout).toMatch(/^Authorization: Bearer wb_.…....$/m);
    expect(run.stdout).toContain('"namespace": "order_ready"');
    expect(run.stdout).toContain('"text": "Ana"');
    expect(run.stdout).toMatch(/^HTTP 200 \(\d+ ms\)$/m);
    expect(run.stdout).toContain('"status":"success"');
  }, 60_000);

  it('--wait follows the message until it is read (exit 0); --json gives request, answer and states', async () => {
    const run = await runCli(['send-test', '--to', '917000000002', '--text', 'hello from the CLI', '--wait', '--json'], env);
    expect(run.code, run.output).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ ok: true, request: { body: { isTemplate: false, text: { body: 'hello from the CLI' } } }, answer: { status: 200, body: { status: 'success' } }, wait: { kind: 'final', state: 'read' } });
    expect(result.request.headers.Authorization).toMatch(/^Bearer wb_.…....$/);
  }, 90_000);

  it('a message the gateway refuses exits 1; a usage error exits 2', async () => {
    const refused = await runCli(['send-test', '--to', '917000000003', '--template', 'no_such_template:en'], env);
    expect(refused.code, refused.output).toBe(1);
    expect(refused.stderr).toContain('the gateway did not accept the message');
    const usage = await runCli(['send-test', '--to', '917000000003'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--template <name:lang>');
  }, 60_000);

  it('an account added with `wabridge accounts add` is served by the running gateway without a restart, and sends from the store\'s credentials', async () => {
    const file = path.join(dir, 'cli-added.json');
    writeFileSync(file, JSON.stringify({ id: 'cli-added', wabaNumber: '+919222222222', clevertap: { auth: { kind: 'bearer', token: 'cli-added-token-0123456789' } } }));
    const endpointStatus = async () => {
      const response = await request(`${url}/v1/clevertap/cli-added/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      await response.body.dump();
      return response.statusCode;
    };
    expect(await endpointStatus()).toBe(404);
    const added = await runCli(['accounts', 'add', '--file', file], env);
    expect(added.code, added.output).toBe(0);
    // The gateway polls the store's revision every 2 s.
    await eventually(async () => (await endpointStatus()) !== 404, 'the gateway to serve the account added through the store', 15_000);

    const sent = await runCli(['send-test', '--account', 'cli-added', '--to', '917000000004', '--template', 'order_ready:en_GB', '--param', 'Ana'], env);
    expect(sent.code, sent.output).toBe(0);
    expect(sent.stdout).toMatch(/^Authorization: Bearer cli-…6789$/m);

    const removed = await runCli(['accounts', 'remove', 'cli-added'], env);
    expect(removed.code, removed.output).toBe(0);
    await eventually(async () => (await endpointStatus()) === 404, 'the removed account\'s endpoint to answer 404', 15_000);
  }, 150_000);
});
