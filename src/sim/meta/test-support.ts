/**
 * @module sim/meta/test-support
 * Shared helpers for the simulator's own tests: a started simulator with compressed delays,
 * a Graph client, and a `node:http` webhook receiver that checks signatures on the raw bytes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '../../whatsapp/signature.js';
import { startMetaSimulator, type MetaSimulator, type MetaSimulatorOptions } from './index.js';

export const TOKEN = 'test-token';
export const SECRET = 'test-app-secret';
export const PHONE_ID = '106540352242922';
export const DISPLAY = '919888888888';
export const WABA_ID = '102290129340398';

export function startTestSim(overrides: Partial<MetaSimulatorOptions> = {}): Promise<MetaSimulator> {
  return startMetaSimulator({
    accessToken: TOKEN,
    appSecret: SECRET,
    phoneNumbers: [{ phoneNumberId: PHONE_ID, displayPhoneNumber: DISPLAY, wabaId: WABA_ID }],
    statusDelays: { sentMs: 20, deliveredMs: 60, readMs: 100 },
    webhookBatch: { maxStatuses: 100, lingerMs: 10 },
    ...overrides,
  });
}

export interface GraphResponse {
  status: number;
  headers: Headers;
  body: any;
}

export async function graph(
  sim: MetaSimulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
): Promise<GraphResponse> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(sim.graphBaseUrl + path, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* binary or text body */
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export function sendMessage(sim: MetaSimulator, body: unknown, headers?: Record<string, string>): Promise<GraphResponse> {
  return graph(sim, 'POST', `/${PHONE_ID}/messages`, body, headers);
}

export function text(to: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { messaging_product: 'whatsapp', to, type: 'text', text: { body: 'hello' }, ...extra };
}

export interface ReceivedWebhook {
  raw: Buffer;
  body: any;
  signatureOk: boolean;
  sha1: string | undefined;
}

export interface Receiver {
  url: string;
  received: ReceivedWebhook[];
  /** Status code to answer with (can be changed at runtime). */
  respondWith: number;
  statuses(): any[];
  /** Inbound `messages[]` items with the `contacts[]` of their change. */
  messages(): { message: any; contacts: any[]; signatureOk: boolean }[];
  close(): Promise<void>;
}

export async function startReceiver(appSecret = SECRET): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    received: [],
    respondWith: 200,
    statuses: () => receiver.received.flatMap((r) => r.body.entry.flatMap((e: any) => e.changes.flatMap((c: any) => c.value.statuses ?? []))),
    messages: () =>
      receiver.received.flatMap((r) =>
        r.body.entry.flatMap((e: any) =>
          e.changes.flatMap((c: any) =>
            (c.value.messages ?? []).map((message: any) => ({ message, contacts: c.value.contacts, signatureOk: r.signatureOk })),
          ),
        ),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = receiver.respondWith;
      if (status >= 200 && status < 300) {
        const raw = Buffer.concat(chunks);
        const sig = req.headers['x-hub-signature-256'];
        receiver.received.push({
          raw,
          body: JSON.parse(raw.toString('utf8')),
          signatureOk: verifyWebhookSignature(appSecret, raw, typeof sig === 'string' ? sig : undefined),
          sha1: req.headers['x-hub-signature'] as string | undefined,
        });
      }
      res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/meta?x=1`;
  const close = receiver.close;
  receiver.close = () => {
    server.closeAllConnections();
    return close();
  };
  return receiver;
}

export async function waitFor(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
