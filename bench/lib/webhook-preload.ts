/**
 * Before any status webhook can mean something, the messages it reports on must exist: the bench
 * sends N CleverTap template requests through the gateway's messaging endpoint, waits until the
 * dispatcher has submitted every one of them to the Meta simulator, and reads back the wamid the
 * simulator gave each (matched by recipient, which is unique per message).
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import type { PoolMessage } from './webhook-payload.js';

const FIXTURE = new URL('../../test/fixtures/clevertap/requests/template-image-dynamic-url.json', import.meta.url);

export interface PreloadOptions {
  gatewayBaseUrl: string;
  accountId: string;
  authorization: string;
  count: number;
  runStamp: number;
  concurrency: number;
  onProgress?: (done: number) => void;
}

/** Recipient and CleverTap msgId of the i-th preloaded message. */
export function preloadIdentity(runStamp: number, index: number): { msgId: string; to: string } {
  return { msgId: `wh|${runStamp}|${index}`, to: `91${7_000_000_000 + index}` };
}

export function preloadFixture(): { body: (msgId: string, to: string) => string; wabaNumber: string } {
  const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>;
  return { body: (msgId, to) => JSON.stringify({ ...fixture, msgId, to }), wabaNumber: String(fixture.wabaNumber) };
}

/** Sends `count` messages (closed loop, `concurrency` in flight); 429s and 5xx are retried. */
export async function preloadMessages(options: PreloadOptions): Promise<{ seconds: number; retried: number }> {
  const { body } = preloadFixture();
  const url = new URL(`${options.gatewayBaseUrl}/v1/clevertap/${options.accountId}/messages`);
  const pool = new Pool(url.origin, { connections: options.concurrency, pipelining: 1, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const headers = { 'content-type': 'application/json', authorization: options.authorization };
  const started = Date.now();
  let next = 0;
  let done = 0;
  let retried = 0;
  let lastProgress = Date.now();
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= options.count) return;
      const { msgId, to } = preloadIdentity(options.runStamp, index);
      for (let attempt = 1; ; attempt++) {
        const response = await pool.request({ path: url.pathname, method: 'POST', headers, body: body(msgId, to) });
        const text = await response.body.text();
        if (response.statusCode === 200 && text.includes('"status":"success"')) break;
        if ((response.statusCode === 429 || response.statusCode >= 500) && attempt < 50) {
          retried++;
          await sleep(50 * attempt);
          continue;
        }
        throw new Error(`preload: message ${index} refused: HTTP ${response.statusCode} ${text.slice(0, 500)}`);
      }
      done++;
      if (options.onProgress && Date.now() - lastProgress > 2_000) {
        lastProgress = Date.now();
        options.onProgress(done);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    await pool.close().catch(() => undefined);
  }
  return { seconds: (Date.now() - started) / 1000, retried };
}

export interface DispatcherStats {
  submitted: number;
  failed: number;
}

export async function dispatcherStats(gatewayBaseUrl: string, authorization: string): Promise<DispatcherStats | undefined> {
  try {
    const response = await fetch(`${gatewayBaseUrl}/v1/admin/stats`, { headers: { authorization }, signal: AbortSignal.timeout(5_000) });
    if (response.status !== 200) return undefined;
    const stats = (await response.json()) as { dispatcher?: DispatcherStats };
    return stats.dispatcher;
  } catch {
    return undefined;
  }
}

/** Polls the admin stats until `count` messages are submitted; fails if any failed or it takes too long. */
export async function waitForSubmitted(gatewayBaseUrl: string, authorization: string, count: number, timeoutMs: number, onProgress?: (submitted: number) => void): Promise<number> {
  const started = Date.now();
  let lastProgress = Date.now();
  for (;;) {
    const stats = await dispatcherStats(gatewayBaseUrl, authorization);
    if (!stats) throw new Error('GET /v1/admin/stats did not answer with dispatcher stats');
    if (stats.failed > 0) throw new Error(`${stats.failed} preloaded messages failed to reach the simulator (see the gateway and simulator logs)`);
    if (stats.submitted >= count) return (Date.now() - started) / 1000;
    if (Date.now() - started > timeoutMs) throw new Error(`only ${stats.submitted} of ${count} messages submitted after ${timeoutMs / 1000} s`);
    if (onProgress && Date.now() - lastProgress > 2_000) {
      lastProgress = Date.now();
      onProgress(stats.submitted);
    }
    await sleep(250);
  }
}

interface AcceptedPage {
  count: number;
  next: number;
  items: Array<{ wamid: string; to: string; waId: string; bizOpaqueCallbackData?: string }>;
}

/** The simulator's record of every accepted send, as pool entries indexed like the preload. */
export async function readPool(simulatorUrl: string, runStamp: number, count: number): Promise<PoolMessage[]> {
  const byTo = new Map<string, { wamid: string; biz: string }>();
  let since = 0;
  for (;;) {
    const response = await fetch(`${simulatorUrl}/_sim/accepted?since=${since}&limit=10000`, { signal: AbortSignal.timeout(30_000) });
    if (response.status !== 200) throw new Error(`GET /_sim/accepted answered ${response.status}`);
    const page = (await response.json()) as AcceptedPage;
    for (const item of page.items) {
      if (!item.bizOpaqueCallbackData) throw new Error(`the simulator accepted ${item.wamid} without biz_opaque_callback_data`);
      byTo.set(item.waId, { wamid: item.wamid, biz: item.bizOpaqueCallbackData });
    }
    if (page.items.length === 0 || page.next >= page.count) break;
    since = page.next;
  }
  const pool: PoolMessage[] = [];
  for (let index = 0; index < count; index++) {
    const { msgId, to } = preloadIdentity(runStamp, index);
    const accepted = byTo.get(to);
    if (!accepted) throw new Error(`the simulator has no accepted send to ${to} (message ${index})`);
    pool.push({ msgId, to, ...accepted });
  }
  return pool;
}
