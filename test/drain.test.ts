/**
 * SIGTERM under load: a real gateway process takes CleverTap sends on many keep-alive
 * connections when it is told to stop. It stops accepting (its listener closes; /readyz answers
 * 503 "draining" or nothing, never ready again), answers what is in flight, commits it, and exits
 * 0 — and every send it answered success is in the store afterwards: none is lost.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Pool } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSandboxSecrets } from '../src/compose/sandbox.js';
import { fixture } from './support/gateway.js';
import { freePort, spawnGateway, writeConfig, type GatewayProcess } from './support/process.js';

const CONNECTIONS = 32;
const SUCCESSES_BEFORE_SIGTERM = 600;

let dataDir: string | undefined;
let gateway: GatewayProcess | undefined;

afterAll(async () => {
  await gateway?.kill();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('SIGTERM', () => {
  it('drains: answers in flight, commits them, exits 0, loses none of the sends it answered', async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'wabridge-drain-'));
    const storePath = path.join(dataDir, 'wabridge.db');
    const { clevertapToken } = loadSandboxSecrets(dataDir);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const configFile = writeConfig(path.join(dataDir, 'config.json'), { mode: 'sandbox', server: { host: '127.0.0.1', port }, store: { path: storePath } });
    gateway = await spawnGateway(configFile, url);
    const exited = new Promise<number | null>((resolve) => gateway!.child.once('exit', (code) => resolve(code)));

    const template = fixture('clevertap/requests/freeform-text.json');
    const headers = { authorization: `Bearer ${clevertapToken}`, 'content-type': 'application/json' };
    const pool = new Pool(url, { connections: CONNECTIONS, pipelining: 1 });
    const answeredSuccess: string[] = [];
    const otherAnswers = new Map<number, number>();
    let sigtermSent = false;
    let next = 0;
    let onEnough!: () => void;
    const enough = new Promise<void>((resolve) => (onEnough = resolve));

    const sender = async () => {
      for (;;) {
        const index = next++;
        const msgId = `drain|${index}`;
        try {
          const response = await pool.request({
            path: '/v1/clevertap/sandbox/messages',
            method: 'POST',
            headers,
            body: JSON.stringify({ ...template, msgId, to: `9198${String(index).padStart(8, '0')}` }),
          });
          const text = await response.body.text();
          if (response.statusCode === 200 && text === '{"status":"success"}') answeredSuccess.push(msgId);
          else otherAnswers.set(response.statusCode, (otherAnswers.get(response.statusCode) ?? 0) + 1);
          if (answeredSuccess.length >= SUCCESSES_BEFORE_SIGTERM) onEnough();
          if (sigtermSent && response.statusCode !== 200) return;
        } catch {
          if (sigtermSent) return; // the listener closed: a client would retry elsewhere
          throw new Error(`request ${msgId} failed before SIGTERM`);
        }
      }
    };
    // /readyz on a connection of its own, asked continuously through the shutdown.
    const probe = new Client(url);
    const readyAfterSigterm: string[] = [];
    const prober = async () => {
      while (!sigtermSent) {
        const response = await probe.request({ path: '/readyz', method: 'GET' });
        await response.body.dump();
      }
      for (;;) {
        try {
          const response = await probe.request({ path: '/readyz', method: 'GET' });
          readyAfterSigterm.push(`${response.statusCode} ${await response.body.text()}`);
        } catch {
          return;
        }
      }
    };

    const senders = Array.from({ length: CONNECTIONS }, () => sender());
    const probing = prober();
    await enough;
    sigtermSent = true;
    gateway.child.kill('SIGTERM');
    await Promise.all(senders);
    await probing;
    const code = await exited;
    await Promise.all([pool.close(), probe.close()]);

    expect(code, gateway.output()).toBe(0);
    expect(answeredSuccess.length).toBeGreaterThanOrEqual(SUCCESSES_BEFORE_SIGTERM);
    // Refused while closing: 503 from fastify, never a 500 or a failure body.
    expect([...otherAnswers.keys()].filter((status) => status !== 503)).toEqual([]);
    // Answers still in flight when the signal landed may say ready; once one does not, none does
    // again, and each refusal says the gateway is draining (the connection may also just close).
    const firstNotReady = readyAfterSigterm.findIndex((answer) => !answer.startsWith('200'));
    if (firstNotReady >= 0) {
      for (const answer of readyAfterSigterm.slice(firstNotReady)) expect(answer).toMatch(/^503 .*"draining"/);
    }

    const db = new Database(storePath, { readonly: true });
    try {
      const stored = new Set((db.prepare("SELECT msg_id AS msgId FROM messages WHERE account_id = 'sandbox'").all() as Array<{ msgId: string }>).map((row) => row.msgId));
      const lost = answeredSuccess.filter((msgId) => !stored.has(msgId));
      expect(lost, `${lost.length} of ${answeredSuccess.length} answered sends are not in the store`).toEqual([]);
    } finally {
      db.close();
    }
  }, 120_000);
});
