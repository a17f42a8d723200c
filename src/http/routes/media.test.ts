/**
 * @module http/routes/media.test
 * The media proxy end to end over HTTP: a fastify app with the route, in front of the real Meta
 * simulator. No mocks.
 */
import { createHash, randomBytes } from 'node:crypto';
import { get, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.js';
import { startMetaSimulator, type MetaSimulator } from '../../sim/meta/index.js';
import { MediaClient } from '../../whatsapp/media-client.js';
import { createMediaUrlSigner, type MediaUrlSigner } from '../media-url-signer.js';
import { mediaRoutes } from './media.js';

const TOKEN = 'EAAG-media-route-token-0123456789';
const SIGNING_SECRET = 'route-test-signing-secret-0123';
const TTL_MS = 60_000;
/** Meta URL lifetime at the second simulator: long enough for a loaded machine, short enough to wait out. */
const SHORT_URL_TTL_MS = 1000;

let sim: MetaSimulator;
let shortSim: MetaSimulator;
let app: FastifyInstance;
let signer: MediaUrlSigner;
const clock = { offsetMs: 0 };
const warnings: object[] = [];
const clients: Record<string, MediaClient> = {};

/** Public base URL as CleverTap would see it; requests go to the local listener instead. */
const PUBLIC_BASE = 'https://wa.example.com';
let localBase = '';

/** A signed URL for the account and media, pointed at the local listener. */
function signedUrl(accountId: string, mediaId: string): string {
  const url = signer.urlFor(accountId, mediaId);
  expect(url.startsWith(`${PUBLIC_BASE}/v1/media/`)).toBe(true);
  return localBase + url.slice(PUBLIC_BASE.length);
}

beforeAll(async () => {
  const simOptions = { accessToken: TOKEN, appSecret: 'app-secret', phoneNumbers: [{ phoneNumberId: '106540352242922', displayPhoneNumber: '15550783881', wabaId: '102290129340398' }] };
  sim = await startMetaSimulator(simOptions);
  shortSim = await startMetaSimulator({ ...simOptions, mediaUrlTtlMs: SHORT_URL_TTL_MS });
  clients['acme'] = new MediaClient({ graphBaseUrl: sim.graphBaseUrl, accessToken: TOKEN });
  clients['short'] = new MediaClient({ graphBaseUrl: shortSim.graphBaseUrl, accessToken: TOKEN });
  clients['revoked'] = new MediaClient({ graphBaseUrl: sim.graphBaseUrl, accessToken: 'EAAG-revoked-token-000000' });

  signer = createMediaUrlSigner({ secret: SIGNING_SECRET, publicBaseUrl: PUBLIC_BASE, ttlMs: TTL_MS, now: () => Date.now() + clock.offsetMs });
  app = Fastify();
  await app.register(mediaRoutes, {
    signer,
    mediaClientFor: (accountId) => clients[accountId],
    logger: { warn: (object) => void warnings.push(object) },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  localBase = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app.close();
  await Promise.all(Object.values(clients).map((c) => c.close()));
  await sim.close();
  await shortSim.close();
});

describe('GET /v1/media/:mediaId', () => {
  it('streams the media behind a signed URL with its type, length and cache policy', async () => {
    const bytes = randomBytes(10_000);
    const id = sim.addInboundMedia(bytes, 'image/jpeg');
    const response = await fetch(signedUrl('acme', id));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(response.headers.get('content-length')).toBe('10000');
    expect(response.headers.get('cache-control')).toBe('private, max-age=300');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('answers HEAD with the headers only', async () => {
    const id = sim.addInboundMedia(randomBytes(2 * 1024 * 1024), 'application/pdf');
    const response = await fetch(signedUrl('acme', id), { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-length')).toBe(String(2 * 1024 * 1024));
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });

  it('answers 403 "expired" once the signed URL has expired', async () => {
    const id = sim.addInboundMedia(Buffer.from('late'), 'text/plain');
    const url = signedUrl('acme', id);
    clock.offsetMs = TTL_MS + 1000;
    try {
      const response = await fetch(url);
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ message: 'expired', errors: [] });
    } finally {
      clock.offsetMs = 0;
    }
  });

  it('answers 403 "bad signature" to a tampered URL', async () => {
    const id = sim.addInboundMedia(Buffer.from('secret'), 'text/plain');
    const other = sim.addInboundMedia(Buffer.from('other'), 'text/plain');
    const url = new URL(signedUrl('acme', id));
    const forged = [
      url.href.replace(`/v1/media/${id}`, `/v1/media/${other}`),
      url.href.replace('a=acme', 'a=revoked'),
      url.href.replace(/e=\d+/, `e=${Math.floor(Date.now() / 1000) + 10 * 365 * 86400}`),
      url.href.replace(/s=[^&]+/, 's=AAAA'),
      `${url.href}&s=AAAA`,
    ];
    for (const href of forged) {
      const response = await fetch(href);
      expect(response.status, href).toBe(403);
      expect(await response.json()).toEqual({ message: 'bad signature', errors: [] });
    }
  });

  it('answers 403 to an unsigned URL', async () => {
    const response = await fetch(`${localBase}/v1/media/1`);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ message: expect.stringContaining('missing signature'), errors: [] });
  });

  it('answers 404 when Meta does not know the media', async () => {
    const response = await fetch(signedUrl('acme', '424242424242'));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ message: expect.stringContaining('Meta no longer has this media'), errors: [] });
  });

  it('answers 404 for a validly signed URL of an account that no longer exists', async () => {
    const response = await fetch(signedUrl('gone', '1'));
    expect(response.status).toBe(404);
  });

  it('answers 502 with a reason, and logs, when Meta refuses the lookup', async () => {
    const id = sim.addInboundMedia(Buffer.from('x'), 'text/plain');
    const response = await fetch(signedUrl('revoked', id));
    expect(response.status).toBe(502);
    const body = (await response.json()) as { message: string; errors: unknown[] };
    expect(body).toMatchObject({ message: expect.stringContaining('(#190)'), errors: [] });
    expect(body.message).not.toContain('EAAG-revoked');
    expect(warnings.at(-1)).toMatchObject({ accountId: 'revoked', mediaId: id, status: 401 });
  });

  it('re-resolves a Meta download URL that expired after it was cached', async () => {
    const bytes = randomBytes(3000);
    const id = shortSim.addInboundMedia(bytes, 'video/mp4');
    const url = signedUrl('short', id);
    expect((await fetch(url)).status).toBe(200);
    // The simulator issued the URL during that fetch, so it is dead once this much time has passed.
    const deadAt = Date.now() + SHORT_URL_TTL_MS;
    const refreshedBefore = clients['short']!.stats.refreshed;
    await eventually(() => Date.now() > deadAt, 'the Meta download URL to expire');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
    expect(clients['short']!.stats.refreshed - refreshedBefore).toBe(1);
  });

  it('streams a large file intact, holding only stream buffers while the reader is paused', async () => {
    const size = 48 * 1024 * 1024;
    const bytes = randomBytes(size);
    const expected = createHash('sha256').update(bytes).digest('hex');
    const id = sim.addInboundMedia(bytes, 'application/zip');
    const before = process.memoryUsage().arrayBuffers;
    // The proxy's side of the transfer: its reply and the upstream body fastify pipes into it.
    let reply: ServerResponse | undefined;
    let upstream: Readable | undefined;
    const onRequest = (_req: unknown, res: ServerResponse) => {
      reply = res;
      res.once('pipe', (source: Readable) => (upstream = source));
    };
    app.server.on('request', onRequest);

    const response = await new Promise<IncomingMessage>((resolve, reject) => get(signedUrl('acme', id), resolve).on('error', reject));
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-length']).toBe(String(size));
    response.pause();
    app.server.off('request', onRequest);
    // Once the reply to the paused reader is full and the proxy has stopped reading Meta's body,
    // nothing more can enter the proxy until the reader resumes; a proxy that buffers or ignores
    // backpressure never reaches this state and reads on towards the whole 48 MB.
    await eventually(() => reply?.writableNeedDrain === true && upstream?.readableFlowing === false, 'the proxy to stop reading Meta\'s body');
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(size / 2);

    const hash = createHash('sha256');
    let received = 0;
    for await (const chunk of response) {
      hash.update(chunk as Buffer);
      received += (chunk as Buffer).length;
    }
    expect(received).toBe(size);
    expect(hash.digest('hex')).toBe(expected);
  });
});
