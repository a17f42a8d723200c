/**
 * @module sim/clevertap/test-support
 * Helpers for the simulator's own tests: fixture loading, a JSON POST over real HTTP, and a
 * `node:http` stand-in for the gateway's messaging endpoint whose answer depends on the request.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/clevertap/', import.meta.url));

export function fixtureNames(folder: 'callbacks' | 'requests'): string[] {
  return readdirSync(FIXTURES + folder)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

export function fixture(folder: 'callbacks' | 'requests', name: string): any {
  return JSON.parse(readFileSync(`${FIXTURES}${folder}/${name}.json`, 'utf8'));
}

export interface PostResult {
  status: number;
  body: any;
}

export async function postJson(url: string, body: unknown, init: { raw?: string; contentType?: string; signal?: AbortSignal } = {}): Promise<PostResult> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': init.contentType ?? 'application/json' },
    body: init.raw ?? JSON.stringify(body),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* plain text */
  }
  return { status: res.status, body: parsed };
}

export interface StandIn {
  url: string;
  /** Every request body received, parsed, with its headers. */
  requests: { headers: IncomingMessage['headers']; body: any }[];
  maxInFlight: number;
  close(): Promise<void>;
}

/** `after`: the answer waits for it, e.g. for a callback the stand-in posts before acknowledging. */
export type Answer = { status: number; body: string; delayMs?: number; after?: Promise<unknown> };

/** A bare gateway stand-in: `answer(body)` decides status, body and delay per request. */
export async function startStandIn(answer: (body: any) => Answer): Promise<StandIn> {
  let inFlight = 0;
  const standIn: StandIn = { url: '', requests: [], maxInFlight: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    inFlight++;
    standIn.maxInFlight = Math.max(standIn.maxInFlight, inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      standIn.requests.push({ headers: req.headers, body });
      const a = answer(body);
      const finish = () => {
        inFlight--;
        if (!res.destroyed) res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body);
      };
      const answerNow = () => (a.delayMs ? setTimeout(finish, a.delayMs) : finish());
      if (a.after) void a.after.then(answerNow, answerNow);
      else answerNow();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/clevertap/messages`;
  standIn.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return standIn;
}
