/**
 * In-process gateways for HTTP-level tests: a real server on a free port, a real SQLite file in
 * a temporary directory, and (in sandbox mode) the real Meta simulator behind it.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { request } from 'undici';
import { loadConfig } from '../../src/config/load.js';
import { startGateway, type Gateway } from '../../src/gateway.js';

export { eventually } from './eventually.js';

export const FIXTURES = new URL('../fixtures/', import.meta.url);

export interface TestGateway extends Gateway {
  dataDir: string;
  post(pathname: string, body: string | Buffer | object, headers?: Record<string, string>): Promise<{ status: number; body: string; json: any }>;
  stop(): Promise<void>;
}

export async function startTestGateway(raw: Record<string, unknown> = {}, options: { dataDir?: string } = {}): Promise<TestGateway> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'wabridge-gw-'));
  const config = loadConfig({
    env: {},
    raw: { server: { host: '127.0.0.1', port: 0 }, store: { path: path.join(dataDir, 'wabridge.db') }, log: { level: 'silent' }, ...raw },
  });
  const gateway = await startGateway(config, { logger: pino({ level: 'silent' }) });
  return {
    ...gateway,
    dataDir,
    async post(pathname, body, headers = {}) {
      const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      const response = await request(gateway.url + pathname, {
        method: 'POST',
        body: payload,
        headers: { 'content-type': 'application/json', ...headers },
      });
      const text = await response.body.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.statusCode, body: text, json };
    },
    async stop() {
      await gateway.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function fixture(relative: string): any {
  return JSON.parse(readFileSync(new URL(relative, FIXTURES), 'utf8'));
}

export function fixtureNames(folder: string): string[] {
  return readdirSync(new URL(folder, FIXTURES)).filter((name) => name.endsWith('.json')).sort();
}

