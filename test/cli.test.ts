/**
 * `npm start` as a user meets it: a real process with no configuration at all, whose banner says
 * where to point CleverTap and with which header — and those work.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { eventually } from './support/gateway.js';
import { REPO_ROOT } from './support/process.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'wabridge-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

describe('wabridge CLI', () => {
  it('start: sandbox with no configuration prints a working endpoint and header, and stops cleanly on SIGTERM', async () => {
    const gateway = run(['start'], { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' });
    const banner: string = await eventually(() => (/Authorization: Bearer \S+/.test(gateway.output()) ? gateway.output() : undefined), 'the banner', 20_000);
    const endpoint = banner.match(/CleverTap HTTP Endpoint:\s+(\S+)/)![1]!;
    const header = banner.match(/Authorization header:\s+Authorization: (Bearer \S+)/)![1]!;
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/clevertap\/sandbox\/messages$/);

    const body = readFileSync(path.join(REPO_ROOT, 'test/fixtures/clevertap/requests/template-image-dynamic-url.json'));
    const response = await request(endpoint, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: header } });
    expect(await response.body.json()).toEqual({ status: 'success' });
    const simulatorStats = banner.match(/sent messages: (\S+)\)/)![1]!;
    await eventually(async () => {
      const stats = (await (await request(simulatorStats)).body.json()) as { accepted: number };
      return stats.accepted === 1;
    }, 'the message to reach the built-in simulator');

    const importUrl = banner.match(/Template import URL:\s+(\S+)/)![1]!;
    const imported = await request(importUrl, { headers: { authorization: header } });
    expect(imported.statusCode).toBe(200);
    expect(((await imported.body.json()) as { data: Array<{ name: string }> }).data.map((template) => template.name)).toContain('promo_image');

    gateway.child.kill('SIGTERM');
    expect(await gateway.exit).toBe(0);
    // The sandbox credentials are kept with the data, so the pasted header survives restarts.
    expect(JSON.parse(readFileSync(path.join(dataDir, 'sandbox-secrets.json'), 'utf8')).clevertapToken).toBe(header.slice('Bearer '.length));
  }, 40_000);

  it('start: refuses an invalid configuration, naming the key', async () => {
    const gateway = run(['start'], { DATA_DIR: dataDir, PORT: 'not-a-port' });
    expect(await gateway.exit).toBe(2); // a configuration error (`wabridge --help`'s exit codes)
    expect(gateway.output()).toContain('wabridge: invalid configuration: server.port: must be integer (got "not-a-port")');
  }, 20_000);

  it('config env: lists the environment variables the schema declares', async () => {
    const cli = run(['config', 'env'], {});
    expect(await cli.exit).toBe(0);
    for (const variable of ['PORT', 'HOST', 'PUBLIC_BASE_URL', 'STORE_PATH', 'LOG_LEVEL', 'WABRIDGE_MODE', 'DATA_DIR']) expect(cli.output()).toContain(variable);
  }, 20_000);
});
