/**
 * A store the gateway cannot write stops it at start, with one line that names the file and the
 * cause and a non-zero exit: a read-only data directory, a store file that cannot be written (we
 * run as root, for whom chmod changes nothing, so the file is made immutable), a store locked by
 * another process, and a data directory already used by another running gateway. A gateway that
 * started anyway would answer 500 to every message.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMetaSimulator, type MetaSimulator } from '../src/sim/meta/index.js';
import { eventually } from './support/gateway.js';
import { REPO_ROOT, freePort, runGatewayUntilExit, spawnGateway, writeConfig, type ExitedProcess, type GatewayProcess } from './support/process.js';
import { mountTmpfs, type Tmpfs } from './support/tmpfs.js';

const PHONE_NUMBER_ID = '109000000000003';
const WABA_ID = '209000000000003';
const SECRETS = { accessToken: 'start-test-token', appSecret: 'start-test-app-secret', verify: 'start-verify' };

let workDir: string;
let simulator: MetaSimulator;
const mounts: Tmpfs[] = [];
const running: Array<GatewayProcess | ChildProcess> = [];

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'wabridge-store-start-'));
  simulator = await startMetaSimulator({
    accessToken: SECRETS.accessToken,
    appSecret: SECRETS.appSecret,
    phoneNumbers: [{ phoneNumberId: PHONE_NUMBER_ID, displayPhoneNumber: '919888888888', wabaId: WABA_ID }],
  });
});

afterEach(async () => {
  for (const process of running.splice(0)) {
    if ('output' in process) await process.kill();
    else if (process.exitCode === null && process.signalCode === null) {
      const exited = new Promise((resolve) => process.once('exit', resolve));
      process.kill('SIGKILL');
      await exited;
    }
  }
});

afterAll(async () => {
  await simulator?.close();
  for (const mount of mounts) {
    try {
      execFileSync('chattr', ['-R', '-i', mount.dir], { stdio: 'pipe' });
    } catch {
      // nothing was made immutable
    }
    mount.unmount();
  }
  rmSync(workDir, { recursive: true, force: true });
});

/** A config for a gateway whose data lives in `dataDir`; returns its file and URL. */
async function gatewayConfig(name: string, dataDir: string): Promise<{ file: string; url: string }> {
  const port = await freePort();
  const file = writeConfig(path.join(workDir, `${name}.json`), {
    mode: 'sandbox',
    server: { host: '127.0.0.1', port },
    store: { path: path.join(dataDir, 'wabridge.db') },
    accounts: [
      {
        id: 'start',
        wabaNumber: '919888888888',
        clevertap: { auth: { kind: 'bearer', token: 'ct-start-token' } },
        whatsapp: {
          graphBaseUrl: simulator.graphBaseUrl,
          phoneNumberId: PHONE_NUMBER_ID,
          wabaId: WABA_ID,
          accessToken: SECRETS.accessToken,
          appSecret: SECRETS.appSecret,
          webhookVerifyToken: SECRETS.verify,
        },
      },
    ],
  });
  return { file, url: `http://127.0.0.1:${port}` };
}

/** A data directory on its own tmpfs, holding a store made by a gateway that ran and stopped. */
async function usedDataDir(name: string): Promise<Tmpfs | string> {
  const mount = mountTmpfs(path.join(workDir, name), 16);
  if (typeof mount === 'string') return mount;
  mounts.push(mount);
  const { file, url } = await gatewayConfig(`${name}-setup`, mount.dir);
  const setup = await spawnGateway(file, url);
  await setup.kill('SIGTERM');
  return mount;
}

/** One line on stderr that says what is wrong, and no stack trace. */
function expectOneLineError(result: ExitedProcess, ...mentions: RegExp[]): string {
  expect(result.code).not.toBe(0);
  expect(result.code).not.toBeNull();
  const lines = result.output.split('\n').filter((line) => line.trim() !== '');
  expect(lines, result.output).toHaveLength(1);
  expect(result.output).not.toMatch(/\n\s+at /);
  for (const mention of mentions) expect(lines[0]).toMatch(mention);
  return lines[0]!;
}

describe('a store that cannot be written stops the start with one clear line', () => {
  it('a read-only data directory', async (context) => {
    const mount = await usedDataDir('ro-dir');
    if (typeof mount === 'string') return context.skip(mount);
    mount.remount({ ro: true });
    const { file } = await gatewayConfig('ro-dir', mount.dir);
    const line = expectOneLineError(await runGatewayUntilExit(file), /^wabridge: /, new RegExp(mount.dir), /read-only/);
    console.info(`read-only data directory → ${line}`);
  }, 60_000);

  it('a store file this process may not write (immutable, since root ignores permissions)', async (context) => {
    const mount = await usedDataDir('ro-file');
    if (typeof mount === 'string') return context.skip(mount);
    const store = path.join(mount.dir, 'wabridge.db');
    try {
      execFileSync('chattr', ['+i', store], { stdio: 'pipe' });
    } catch (error) {
      return context.skip(`chattr +i is not available here: ${(error as Error).message}`);
    }
    const { file } = await gatewayConfig('ro-file', mount.dir);
    const line = expectOneLineError(await runGatewayUntilExit(file), new RegExp(`cannot use the store ${store}: it is read-only`), /SQLITE_READONLY/);
    console.info(`immutable store file → ${line}`);
  }, 60_000);

  it('a store locked by another process', async (context) => {
    const mount = await usedDataDir('locked');
    if (typeof mount === 'string') return context.skip(mount);
    const store = path.join(mount.dir, 'wabridge.db');
    // Another program holding SQLite's exclusive lock, as a backup tool or a stray shell might.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(${JSON.stringify(store)});
         db.pragma('locking_mode = EXCLUSIVE'); db.exec('BEGIN EXCLUSIVE');
         console.log('locked'); setInterval(() => {}, 1000);`,
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    running.push(holder);
    let said = '';
    holder.stdout!.on('data', (chunk) => (said += chunk));
    await eventually(() => said.includes('locked'), 'the other process to hold the lock');
    const { file } = await gatewayConfig('locked', mount.dir);
    const line = expectOneLineError(await runGatewayUntilExit(file), new RegExp(`cannot use the store ${store}: it is locked by another process`), /SQLITE_BUSY/);
    console.info(`store locked elsewhere → ${line}`);
  }, 60_000);

  it('a data directory another running gateway is using', async () => {
    const dataDir = path.join(workDir, 'shared');
    mkdirSync(dataDir);
    const first = await gatewayConfig('first', dataDir);
    const gateway = await spawnGateway(first.file, first.url);
    running.push(gateway);
    const second = await gatewayConfig('second', dataDir);
    const line = expectOneLineError(
      await runGatewayUntilExit(second.file),
      new RegExp(`another wabridge \\(pid ${gateway.child.pid}\\) is using the data directory ${dataDir}`),
      /wabridge\.pid/,
    );
    // The running one is untouched by the attempt.
    expect(gateway.child.exitCode).toBeNull();
    console.info(`data directory in use → ${line}`);
  }, 60_000);
});
