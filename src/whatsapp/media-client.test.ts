/**
 * @module whatsapp/media-client.test
 * Against the real Meta simulator over HTTP, plus one plain `node:http` server for a Graph
 * endpoint that misbehaves in ways the simulator never does.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.js';
import { startMetaSimulator, type MetaSimulator } from '../sim/meta/index.js';
import { MediaClient, type MediaClientOptions } from './media-client.js';

const TOKEN = 'EAAG-media-test-token-0123456789';
const PHONE_ID = '106540352242922';
/** Long enough that a loaded machine still downloads a fresh URL in time, short enough to wait out. */
const SHORT_URL_TTL_MS = 1000;

let sim: MetaSimulator;
let shortSim: MetaSimulator;
const clients: MediaClient[] = [];

function client(target: MetaSimulator = sim, overrides: Partial<MediaClientOptions> = {}): MediaClient {
  const c = new MediaClient({ graphBaseUrl: target.graphBaseUrl, accessToken: TOKEN, ...overrides });
  clients.push(c);
  return c;
}

const simOptions = { accessToken: TOKEN, appSecret: 'app-secret', phoneNumbers: [{ phoneNumberId: PHONE_ID, displayPhoneNumber: '15550783881', wabaId: '102290129340398' }] };

beforeAll(async () => {
  sim = await startMetaSimulator(simOptions);
  // Meta's download URLs live 5 minutes; this one makes them die before the client's cache does.
  shortSim = await startMetaSimulator({ ...simOptions, mediaUrlTtlMs: SHORT_URL_TTL_MS });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await sim.close();
  await shortSim.close();
});

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('MediaClient.resolve', () => {
  it('returns the download URL and metadata', async () => {
    const bytes = randomBytes(1000);
    const id = sim.addInboundMedia(bytes, 'image/jpeg');
    const resolved = await client().resolve(id);
    expect(resolved).toEqual({
      kind: 'ok',
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/_media\//),
      mimeType: 'image/jpeg',
      fileSize: 1000,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  });

  it('reports an unknown media id as not found', async () => {
    expect(await client().resolve('999999999')).toMatchObject({ kind: 'not-found', status: 400, detail: expect.stringContaining('(#100)') });
  });

  it('does not ask Meta about ids that are not media ids', async () => {
    const c = client();
    expect(await c.resolve('../106540352242922')).toMatchObject({ kind: 'not-found' });
    expect(c.stats.lookups).toBe(0);
  });

  it('reports a refused token as an upstream failure without quoting the token', async () => {
    const id = sim.addInboundMedia(Buffer.from('x'), 'text/plain');
    const wrong = 'EAAG-wrong-token-9876543210';
    const result = await client(sim, { accessToken: wrong }).resolve(id);
    expect(result).toMatchObject({ kind: 'upstream', status: 401, detail: expect.stringContaining('(#190)') });
    expect(JSON.stringify(result)).not.toContain(wrong);
  });

  it('reports an unreachable Graph as an upstream failure with status 0', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const c = new MediaClient({ graphBaseUrl: `http://127.0.0.1:${port}/v23.0`, accessToken: TOKEN });
    clients.push(c);
    expect(await c.resolve('123')).toMatchObject({ kind: 'upstream', status: 0, detail: expect.stringContaining('ECONNREFUSED') });
  });
});

describe('MediaClient.download', () => {
  it('streams the exact bytes with the MIME type and length', async () => {
    const bytes = randomBytes(64 * 1024);
    const id = sim.addInboundMedia(bytes, 'audio/ogg; codecs=opus');
    const result = await client().download(id);
    if (result.kind !== 'ok') throw new Error(`download failed: ${result.detail}`);
    expect(result.mimeType).toBe('audio/ogg; codecs=opus');
    expect(result.contentLength).toBe(bytes.length);
    expect((await readAll(result.body)).equals(bytes)).toBe(true);
  });

  it('reuses the resolved URL while it is valid, and shares one lookup between concurrent downloads', async () => {
    const bytes = randomBytes(2048);
    const id = sim.addInboundMedia(bytes, 'image/png');
    const c = client();
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => c.download(id)));
    for (const result of results) {
      if (result.kind !== 'ok') throw new Error(result.detail);
      expect((await readAll(result.body)).equals(bytes)).toBe(true);
    }
    const again = await c.download(id);
    if (again.kind !== 'ok') throw new Error(again.detail);
    await readAll(again.body);
    expect(c.stats).toEqual({ lookups: 1, downloads: 6, refreshed: 0 });
  });

  it('re-resolves an expired download URL once, transparently', async () => {
    const bytes = randomBytes(4096);
    const id = shortSim.addInboundMedia(bytes, 'application/pdf');
    const c = client(shortSim);
    const first = await c.download(id);
    if (first.kind !== 'ok') throw new Error(first.detail);
    await readAll(first.body);
    // The simulator issued the URL during that download; after this the cached URL is dead there (404).
    const deadAt = Date.now() + SHORT_URL_TTL_MS;

    const before = { ...c.stats };
    await eventually(() => Date.now() > deadAt, 'the download URL to expire');
    const second = await c.download(id);
    if (second.kind !== 'ok') throw new Error(second.detail);
    expect((await readAll(second.body)).equals(bytes)).toBe(true);
    expect(second.mimeType).toBe('application/pdf');
    expect(c.stats.refreshed - before.refreshed).toBe(1);
    expect(c.stats.lookups - before.lookups).toBe(1);
  });

  it('reports media deleted after its URL was cached as not found', async () => {
    const id = sim.addInboundMedia(Buffer.from('soon gone'), 'text/plain');
    const c = client();
    const first = await c.download(id);
    if (first.kind !== 'ok') throw new Error(first.detail);
    await readAll(first.body);
    const deleted = await fetch(`${sim.graphBaseUrl}/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(deleted.status).toBe(200);
    expect(await c.download(id)).toMatchObject({ kind: 'not-found' });
    expect(c.stats.refreshed).toBe(1);
  });

  it('reports unknown media as not found', async () => {
    expect(await client().download('123456789')).toMatchObject({ kind: 'not-found' });
  });

  it('does not buffer: an unread body holds no more than a stream buffer', async () => {
    const bytes = randomBytes(32 * 1024 * 1024);
    const id = sim.addInboundMedia(bytes, 'application/zip');
    const result = await client().download(id);
    if (result.kind !== 'ok') throw new Error(result.detail);
    // Once the unread body's buffer is full, backpressure stops the socket: from then on nothing
    // near 32 MB can be waiting in memory, whereas a buffering client would already hold it all.
    await eventually(() => result.body.readableLength >= result.body.readableHighWaterMark, 'the unread body to fill its buffer');
    expect(result.body.readableLength).toBeLessThan(1024 * 1024);
    expect(result.body.readableEnded).toBe(false);
    const hash = createHash('sha256');
    let received = 0;
    for await (const chunk of result.body) {
      hash.update(chunk as Buffer);
      received += (chunk as Buffer).length;
    }
    expect(received).toBe(bytes.length);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('never sends the access token to a download host other than Meta or the Graph origin', async () => {
    let foreignHits = 0;
    const foreign = createServer((_req, res) => {
      foreignHits++;
      res.end('stolen');
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    const foreignUrl = `http://localhost:${(foreign.address() as AddressInfo).port}/x`;
    const graph = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: foreignUrl, mime_type: 'image/jpeg', id: '123' }));
    });
    await new Promise<void>((resolve) => graph.listen(0, '127.0.0.1', resolve));
    try {
      const c = new MediaClient({ graphBaseUrl: `http://127.0.0.1:${(graph.address() as AddressInfo).port}/v23.0`, accessToken: TOKEN });
      clients.push(c);
      expect(await c.download('123')).toMatchObject({ kind: 'upstream', status: 0, detail: expect.stringContaining('refusing to send the access token') });
      expect(foreignHits).toBe(0);
    } finally {
      await new Promise<void>((resolve) => foreign.close(() => resolve()));
      await new Promise<void>((resolve) => graph.close(() => resolve()));
    }
  });
});
