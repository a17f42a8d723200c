/**
 * `wabridge start --workers N` as real processes: refused where replicas cannot share state;
 * on Postgres + Redis, N workers behind one port that serve CleverTap, a dead worker replaced,
 * and all of them stopped by one SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.js';
import { throwawayDatabase } from '../../test/support/postgres.js';
import { freePort, REPO_ROOT, writeConfig } from '../../test/support/process.js';
import { startMetaSimulator } from '../sim/meta/index.js';
import { parseWorkers } from './workers.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function start(configFile: string, workers: string): { child: ChildProcess; output(): string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start', '--workers', workers], {
    cwd: REPO_ROOT,
    env: { ...process.env, WABRIDGE_CONFIG: configFile, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { child, output: () => output, exited };
}

/** The pids of a process's children, from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] === String(pid);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * Ready on every worker: each new connection goes to the next worker in turn, so enough ready
 * answers in a row, each on a connection of its own, have come from all of them.
 */
async function everyWorkerReady(url: string): Promise<void> {
  let inARow = 0;
  await eventually(async () => {
    const status = await fetch(`${url}/readyz`, { headers: { connection: 'close' } }).then((answer) => answer.status, () => 0);
    inARow = status === 200 ? inARow + 1 : 0;
    return inARow >= 6;
  }, 'every worker to be ready', 60_000);
}

describe('--workers', () => {
  it('reads a count or auto, and refuses anything else', () => {
    expect(parseWorkers('3')).toBe(3);
    expect(parseWorkers('auto')).toBeGreaterThanOrEqual(1);
    expect(() => parseWorkers('0')).toThrow(/whole number/);
    expect(() => parseWorkers('two')).toThrow(/whole number/);
  });

  it('refuses several workers on SQLite, saying what they need', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wabridge-workers-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const configFile = writeConfig(path.join(dir, 'config.json'), { mode: 'sandbox', server: { port: 0 }, store: { path: path.join(dir, 'wabridge.db') } });
    const process = start(configFile, '2');
    expect(await process.exited).toBe(1);
    expect(process.output()).toMatch(/cannot start 2 workers: .*store\.kind postgres and queue\.kind bullmq/);
  });

  it('serves one port from two workers on Postgres and Redis, replaces a worker that dies, and stops them all on SIGTERM', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wabridge-workers-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const database = await throwawayDatabase('workers');
    cleanups.push(() => database.drop());
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const prefix = `wabridge-workers-${port}`;
    cleanups.push(async () => {
      // The queue's and the cluster's keys, once the workers are gone.
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    });
    const meta = await startMetaSimulator({
      accessToken: 'workers-token',
      appSecret: 'workers-secret',
      phoneNumbers: [{ phoneNumberId: '108000000000001', displayPhoneNumber: '919888888888', wabaId: '208000000000001', messagesPerSecond: 500 }],
      webhookUrl: `${url}/v1/whatsapp/webhook`,
      statusDelays: { sentMs: 20, deliveredMs: 40, readMs: null },
    });
    cleanups.push(() => meta.close());
    const configFile = writeConfig(path.join(dir, 'config.json'), {
      mode: 'sandbox',
      server: { host: '127.0.0.1', port, mediaSigningSecret: 'workers-media-secret' },
      store: { kind: 'postgres', url: database.url, path: path.join(dir, 'unused.db') },
      queue: { kind: 'bullmq', redisUrl: REDIS_URL, prefix },
      accounts: [
        {
          id: 'acme',
          wabaNumber: '919888888888',
          clevertap: { auth: { kind: 'bearer', token: 'ct-workers' } },
          whatsapp: { graphBaseUrl: meta.graphBaseUrl, phoneNumberId: '108000000000001', wabaId: '208000000000001', accessToken: 'workers-token', appSecret: 'workers-secret', webhookVerifyToken: 'v', messagesPerSecond: 500 },
        },
      ],
    });
    const primary = start(configFile, '2');
    // Generous: on a busy machine two workers loading the code and the store can take a while.
    await eventually(() => childrenOf(primary.child.pid!).length === 2, 'two workers', 60_000);
    await everyWorkerReady(url);

    const send = (index: number) =>
      fetch(`${url}/v1/clevertap/acme/messages`, {
        method: 'POST',
        headers: { authorization: 'Bearer ct-workers', 'content-type': 'application/json' },
        body: JSON.stringify({ msgId: `w|${index}`, to: `9197${String(index).padStart(8, '0')}`, wabaNumber: '919888888888', type: 'text', text: { body: 'hello' } }),
      }).then((answer) => answer.json() as Promise<{ status?: string }>);
    const answers = await Promise.all(Array.from({ length: 100 }, (_, index) => send(index)));
    expect(answers.filter((answer) => answer.status !== 'success')).toEqual([]);
    await eventually(() => meta.accepted().length === 100, 'every message to reach Meta');

    // A worker dies: the primary starts another, and the port keeps answering meanwhile.
    const [first] = childrenOf(primary.child.pid!);
    process.kill(first!, 'SIGKILL');
    await eventually(() => {
      const now = childrenOf(primary.child.pid!);
      return now.length === 2 && !now.includes(first!);
    }, 'a replacement worker', 60_000);
    await everyWorkerReady(url);
    const later = await Promise.all(Array.from({ length: 20 }, (_, index) => send(100 + index)));
    expect(later.filter((answer) => answer.status !== 'success')).toEqual([]);
    await eventually(() => meta.accepted().length === 120, 'the later messages to reach Meta');
    expect(new Set(meta.accepted().map((accepted) => accepted.bizOpaqueCallbackData)).size).toBe(120);

    primary.child.kill('SIGTERM');
    expect(await primary.exited).toBe(0);
  }, 120_000);
});
