import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestSim } from './test-support.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** A receiver's GET route as Meta's docs describe it; `echo` lets a test break it on purpose. */
async function startVerifier(token: string, echo: (challenge: string) => string = (c) => c): Promise<{ url: string; seen: URLSearchParams[] }> {
  const seen: URLSearchParams[] = [];
  const server: Server = createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    seen.push(q);
    if (req.method === 'GET' && q.get('hub.mode') === 'subscribe' && q.get('hub.verify_token') === token) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(echo(q.get('hub.challenge') ?? ''));
    } else {
      res.writeHead(403).end('forbidden');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/meta?tenant=a`, seen };
}

describe('GET handshake emulation', () => {
  it('sends subscribe + token + numeric challenge to the webhook URL and checks the echo', async () => {
    const rx = await startVerifier('s3cret');
    const sim = await startTestSim({ webhookUrl: rx.url });
    cleanups.push(() => sim.close());

    const ok = await sim.verifyWebhook({ verifyToken: 's3cret' });
    expect(ok).toMatchObject({ ok: true, status: 200 });
    expect(ok.body).toBe(ok.challenge);
    expect(ok.challenge).toMatch(/^\d{10}$/);
    expect(rx.seen[0]?.get('tenant')).toBe('a');

    expect(await sim.verifyWebhook({ verifyToken: 'wrong' })).toMatchObject({ ok: false, status: 403, body: 'forbidden' });
  });

  it('fails when the receiver answers 200 with the wrong body, or is down', async () => {
    const rx = await startVerifier('t', () => 'OK');
    const sim = await startTestSim();
    cleanups.push(() => sim.close());
    await expect(sim.verifyWebhook({ verifyToken: 't' })).rejects.toThrow(/no webhook URL/);
    expect(await sim.verifyWebhook({ verifyToken: 't', url: rx.url })).toMatchObject({ ok: false, status: 200, body: 'OK' });
    expect(await sim.verifyWebhook({ verifyToken: 't', url: 'http://127.0.0.1:1/x' })).toMatchObject({ ok: false, status: 0 });
  });

  it('POST /_sim/verify-webhook runs it from another process', async () => {
    const rx = await startVerifier('tok');
    const sim = await startTestSim({ webhookUrl: rx.url });
    cleanups.push(() => sim.close());
    const res = await fetch(`${sim.url}/_sim/verify-webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ verify_token: 'tok' }),
    });
    expect(await res.json()).toMatchObject({ ok: true, status: 200 });
  });
});
