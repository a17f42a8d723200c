/**
 * The HTTP edge against hostile clients, over real sockets: oversized bodies answered readably,
 * slow requests timed out without holding back others, header floods, pipelining, absurd URLs,
 * and the few answers that used to be 5xx or to leak (a repeated hub.verify_token, a query string
 * in a 500's log line, the Host header in the template import's paging).
 */
import { connect, type Socket } from 'node:net';
import { Readable, Writable } from 'node:stream';
import pino from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { writeAllThenRead } from './support/raw-http.js';
import { sandboxAdminAuth } from './support/admin-auth.js';
import { eventually, fixture, startTestGateway, type TestGateway } from './support/gateway.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const MESSAGES = '/v1/clevertap/sandbox/messages';
const TWO_MB = 2 * 1024 * 1024;

/** Opens a connection that records what it is answered and when it closes. */
function open(port: number): { socket: Socket; answer(): string; closed(): boolean } {
  const socket = connect(port, '127.0.0.1');
  let answer = '';
  let closed = false;
  socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  return { socket, answer: () => answer, closed: () => closed };
}

/** Writes `text` on a new connection and resolves with everything answered once the server closes it. */
function exchange(port: number, text: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const connection = open(port);
    connection.socket.on('close', () => resolve(connection.answer()));
    connection.socket.write(text);
  });
}

const statusOf = (answer: string) => Number(answer.slice(9, 12));
const bodyOf = (answer: string) => answer.slice(answer.indexOf('\r\n\r\n') + 4);

describe('the HTTP edge', () => {
  let gateway: TestGateway;
  let port: number;
  let auth: string;
  beforeAll(async () => {
    gateway = await startTestGateway({ server: { host: '127.0.0.1', port: 0, requestTimeoutMs: 1_000, headersTimeoutMs: 1_000 } });
    port = Number(new URL(gateway.url).port);
    auth = `Bearer ${gateway.sandboxSecrets!.clevertapToken}`;
  });
  afterAll(async () => gateway.stop());

  describe('a 2 MB body', () => {
    const tooLarge = { message: 'the body is larger than 262144 bytes', errors: [] };

    // The fast route takes application/json; any other type goes through fastify's own body reader.
    it.each([
      ['the messaging endpoint (fast route), by Content-Length', MESSAGES, 'application/json', true],
      ['the messaging endpoint (fast route), chunked', MESSAGES, 'application/json', false],
      ['the messaging endpoint through fastify, by Content-Length', MESSAGES, 'application/vnd.clevertap+json', true],
      ['the messaging endpoint through fastify, chunked', MESSAGES, 'application/vnd.clevertap+json', false],
      ['the Meta webhook, by Content-Length', '/v1/whatsapp/webhook', 'application/json', true],
      ['the admin API, chunked', '/v1/admin/templates/sync', 'application/json', false],
    ])('to %s is answered 413 to a client that writes it all before reading', async (_label, target, type, declared) => {
      // Each endpoint's own credentials: a refused caller would be answered before its body is read.
      const authorization = target.startsWith('/v1/admin/') ? sandboxAdminAuth(gateway).authorization : auth;
      const head = `POST ${target} HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\nContent-Type: ${type}\r\n`;
      const result = declared
        ? await writeAllThenRead(port, `${head}Content-Length: ${TWO_MB}\r\n\r\n`, TWO_MB)
        : await writeChunkedThenRead(port, `${head}Transfer-Encoding: chunked\r\n\r\n`, TWO_MB);
      expect(result.error).toBeUndefined();
      expect(statusOf(result.answer)).toBe(413);
      expect(JSON.parse(bodyOf(result.answer))).toEqual(tooLarge);
    });

    it('is answered 413 to undici, streamed with no Content-Length', async () => {
      async function* body() {
        for (let sent = 0; sent < TWO_MB; sent += 64 * 1024) yield Buffer.alloc(64 * 1024, 0x78);
      }
      const response = await request(gateway.url + MESSAGES, { method: 'POST', body: Readable.from(body()), headers: { 'content-type': 'application/json', authorization: auth } });
      expect({ status: response.statusCode, body: await response.body.json() }).toEqual({ status: 413, body: tooLarge });
    });

    it('to a route that reads no body is answered, and the connection stays usable', async () => {
      // A GET route never reads a body; node:http would read it to its end however large: capped here.
      const answer = await new Promise<string>((resolve) => {
        const connection = open(port);
        connection.socket.on('data', () => {
          if (connection.answer().endsWith('{"status":"ready"}')) connection.socket.end();
        });
        connection.socket.on('close', () => resolve(connection.answer()));
        connection.socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: ${TWO_MB}\r\n\r\n`);
        connection.socket.write(Buffer.alloc(TWO_MB, 0x78));
        connection.socket.write('GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n');
      });
      expect(answer.match(/HTTP\/1\.1 \d{3} /g)).toEqual(['HTTP/1.1 200 ', 'HTTP/1.1 200 ']);
    });
  });

  describe('slow clients', () => {
    it('closes connections whose body trickles in, and answers others meanwhile', async () => {
      const head = `POST ${MESSAGES} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: ${auth}\r\nContent-Length: 1000\r\n\r\n{`;
      const lorises = Array.from({ length: 5 }, () => open(port));
      lorises.forEach((loris) => loris.socket.write(head));
      // A byte every 100 ms: each arrives well within any idle timeout, the whole never does.
      const drip = setInterval(() => lorises.forEach((loris) => loris.closed() || loris.socket.write(' ')), 100);
      try {
        const started = Date.now();
        const send = { ...fixture('clevertap/requests/freeform-text.json'), msgId: `edge|slow|${Date.now()}` };
        expect((await gateway.post(MESSAGES, send, { authorization: auth })).json).toEqual({ status: 'success' });
        expect(lorises.every((loris) => !loris.closed())).toBe(true);
        await eventually(() => lorises.every((loris) => loris.closed()), 'the slow connections to be closed', 10_000);
        expect(Date.now() - started).toBeLessThan(5_000);
        for (const loris of lorises) {
          expect(statusOf(loris.answer())).toBe(408);
          expect(JSON.parse(bodyOf(loris.answer()))).toMatchObject({ message: expect.stringContaining('was not received completely'), errors: [] });
        }
      } finally {
        clearInterval(drip);
      }
    });

    it('closes connections whose headers trickle in, or that say nothing, but not idle kept-alive ones', async () => {
      const keptAlive = open(port);
      keptAlive.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      await eventually(() => keptAlive.answer().includes('{"status":"ok"}'), 'the kept-alive connection\'s answer');
      const silent = open(port);
      const slowHeaders = open(port);
      slowHeaders.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
      const drip = setInterval(() => slowHeaders.closed() || slowHeaders.socket.write('X-A: b\r\n'), 100);
      try {
        await eventually(() => silent.closed() && slowHeaders.closed(), 'the silent and slow connections to be closed', 10_000);
      } finally {
        clearInterval(drip);
      }
      expect(statusOf(slowHeaders.answer())).toBe(408);
      // Idle between requests is keepAliveTimeout's business (75 s, for CleverTap), not the request timeouts'.
      expect(keptAlive.closed()).toBe(false);
      keptAlive.socket.write('GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      await eventually(() => keptAlive.closed(), 'the second answer on the kept-alive connection');
      expect(keptAlive.answer().match(/HTTP\/1\.1 200 /g)).toHaveLength(2);
    });
  });

  describe('header floods, pipelining and absurd request lines', () => {
    it.each([
      ['3,000 headers', `GET /healthz HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 3000 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`],
      ['one 20 KB header', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: ${'a'.repeat(20_000)}\r\n\r\n`],
      ['a 100 KB URL', `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
    ])('%s: 431 with a problem body, and the gateway goes on', async (_label, text) => {
      const answer = await exchange(port, text);
      expect(statusOf(answer)).toBe(431);
      expect(JSON.parse(bodyOf(answer))).toMatchObject({ message: expect.stringContaining('larger than 16 KB'), errors: [] });
      expect((await request(`${gateway.url}/healthz`)).statusCode).toBe(200);
    });

    it('answers pipelined requests, all in one write, in order', async () => {
      const send = JSON.stringify({ ...fixture('clevertap/requests/freeform-text.json'), msgId: `edge|pipe|${Date.now()}` });
      const answer = await exchange(
        port,
        'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' +
          `POST ${MESSAGES} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: ${auth}\r\nContent-Length: ${Buffer.byteLength(send)}\r\n\r\n${send}` +
          'GET /v1/nowhere HTTP/1.1\r\nHost: x\r\n\r\n' +
          'GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      );
      expect(answer.match(/HTTP\/1\.1 \d{3} /g)).toEqual(['HTTP/1.1 200 ', 'HTTP/1.1 200 ', 'HTTP/1.1 404 ', 'HTTP/1.1 200 ']);
      expect(answer.indexOf('{"status":"success"}')).toBeGreaterThan(answer.indexOf('{"status":"ok"}'));
      expect(answer.indexOf('{"status":"ready"}')).toBeGreaterThan(answer.indexOf('no route for GET /v1/nowhere'));
    });

    it.each([
      'GET /%zz HTTP/1.1',
      'GET /v1/clevertap/%E0%A4%A/templates HTTP/1.1',
      'POST /v1/clevertap/%zz/messages HTTP/1.1',
      'GET /c/%ff%fe HTTP/1.1',
      'GET /v1/media/%zz?a=1&e=2&s=3 HTTP/1.1',
      'GET //v1//clevertap///sandbox/templates HTTP/1.1',
      'GET /v1/whatsapp/webhook?hub.mode=%zz&hub.verify_token=%zz HTTP/1.1',
      `GET /v1/clevertap/${'a'.repeat(5000)}/templates HTTP/1.1`,
      `POST /v1/clevertap/${'a'.repeat(101)}/messages HTTP/1.1`,
      'GET http://evil.example/healthz HTTP/1.1',
      'GET http://evil.example/v1/clevertap/%zz/templates HTTP/1.1',
      'GET * HTTP/1.1',
      'OPTIONS * HTTP/1.1',
      'GET /../../etc/passwd HTTP/1.1',
      'GET /\u00e9\u00e8 HTTP/1.1',
      'GET /a b HTTP/1.1',
      'BREW /healthz HTTP/1.1',
      'GET /healthz HTTP/9.9',
      'CONNECT evil.example:443 HTTP/1.1',
      'CONNECT 127.0.0.1:22 HTTP/1.1',
    ])('%s: a 4xx, never a 5xx', async (line) => {
      const answer = await exchange(port, Buffer.from(`${line}\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`, 'latin1'));
      const status = statusOf(answer);
      if (line === 'GET http://evil.example/healthz HTTP/1.1') expect(status).toBe(200);
      else expect(status >= 400 && status < 500, answer.slice(0, 200)).toBe(true);
      const body = bodyOf(answer);
      if (status >= 400) expect(JSON.parse(body)).toEqual({ message: expect.any(String), errors: [] });
    });
  });

  describe('the Meta webhook handshake', () => {
    const verify = (query: string) => request(`${gateway.url}/v1/whatsapp/webhook?${query}`).then(async (response) => ({ status: response.statusCode, body: await response.body.text() }));

    it.each([
      'hub.mode=subscribe&hub.verify_token=a&hub.verify_token=b&hub.challenge=1',
      'hub.mode=subscribe&hub.mode=subscribe&hub.verify_token=a&hub.challenge=1',
      'hub.mode=subscribe&hub.verify_token=a&hub.challenge=1&hub.challenge=2',
    ])('answers a repeated parameter 400 (%s)', async (query) => {
      const token = encodeURIComponent(gateway.sandboxSecrets!.webhookVerifyToken);
      const answer = await verify(query.replaceAll('verify_token=a', `verify_token=${token}`));
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ message: expect.stringContaining('must each be given once'), errors: [] });
    });

    it('still answers the real handshake with the challenge', async () => {
      const token = encodeURIComponent(gateway.sandboxSecrets!.webhookVerifyToken);
      expect(await verify(`hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1903260781`)).toEqual({ status: 200, body: '1903260781' });
    });
  });

  describe('the template import', () => {
    it('builds paging.next from the address the request reached, never from the Host header', async () => {
      await eventually(() => gateway.templates.indexFor('sandbox'), 'the first template sync');
      const response = await request(`${gateway.url}/v1/clevertap/sandbox/templates?limit=1&x=y`, { headers: { authorization: auth, host: 'evil.example', 'x-forwarded-host': 'evil.example' } });
      const page = (await response.body.json()) as { paging: { next: string } };
      expect(response.statusCode).toBe(200);
      expect(page.paging.next).toMatch(new RegExp(`^${gateway.url}/v1/clevertap/sandbox/templates\\?`));
      expect(new URL(page.paging.next).searchParams.get('x')).toBe('y');
      // An absolute-form request line names a host too: not that one either.
      const raw = await exchange(port, `GET http://evil.example/v1/clevertap/sandbox/templates?limit=1 HTTP/1.1\r\nHost: evil.example\r\nAuthorization: ${auth}\r\nConnection: close\r\n\r\n`);
      expect(JSON.parse(bodyOf(raw)).paging.next).toMatch(new RegExp(`^${gateway.url}/v1/clevertap/sandbox/templates\\?`));
    });
  });
});

describe('with server.publicBaseUrl', () => {
  it('builds paging.next from it', async () => {
    const gateway = await startTestGateway({ server: { host: '127.0.0.1', port: 0, publicBaseUrl: 'https://wa.example.com/gw/' } });
    try {
      await eventually(() => gateway.templates.indexFor('sandbox'), 'the first template sync');
      const response = await request(`${gateway.url}/v1/clevertap/sandbox/templates?limit=1`, { headers: { authorization: `Bearer ${gateway.sandboxSecrets!.clevertapToken}`, host: 'evil.example' } });
      const page = (await response.body.json()) as { paging: { next: string } };
      expect(page.paging.next).toMatch(/^https:\/\/wa\.example\.com\/gw\/v1\/clevertap\/sandbox\/templates\?limit=1&after=/);
    } finally {
      await gateway.stop();
    }
  });
});

describe('a 500 in the log', () => {
  let gateway: Gateway;
  let dataDir: string;
  const lines: string[] = [];
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'wabridge-edge-'));
    const config = loadConfig({ env: {}, raw: { server: { host: '127.0.0.1', port: 0 }, store: { path: path.join(dataDir, 'wabridge.db') } } });
    const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    gateway = await startGateway(config, { logger: pino({ level: 'error' }, sink) });
  });
  afterAll(async () => {
    await gateway.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('names the path, never the query string (which may carry a secret)', async () => {
    await gateway.storage.close(); // the database goes away under a running gateway: every read fails
    const secret = 'hub-verify-token-never-logged';
    const answer = await request(`${gateway.url}/v1/admin/stats?hub.verify_token=${secret}&x=1`, { headers: sandboxAdminAuth(gateway) });
    expect(answer.statusCode).toBe(500);
    await answer.body.dump();
    const failure = await eventually(() => lines.find((line) => line.includes('request failed')), 'the failure to be logged');
    expect(JSON.parse(failure)).toMatchObject({ path: '/v1/admin/stats' });
    expect(lines.join('\n')).not.toContain(secret);
  });
});

/** As writeAllThenRead, with the body sent as one chunk of Transfer-Encoding: chunked. */
function writeChunkedThenRead(port: number, head: string, bodyBytes: number) {
  return new Promise<{ answer: string; error: string | undefined }>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.pause();
    let answer = '';
    let error: string | undefined;
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', (failure: NodeJS.ErrnoException) => (error ??= failure.code ?? failure.message));
    socket.on('close', () => resolve({ answer, error }));
    socket.write(`${head}${bodyBytes.toString(16)}\r\n`);
    const chunk = Buffer.alloc(64 * 1024, 0x78);
    let written = 0;
    const next = () => {
      if (socket.destroyed) return;
      if (written >= bodyBytes) return void socket.write('\r\n0\r\n\r\n', () => socket.resume());
      written += chunk.length;
      socket.write(chunk, (failure) => failure || setImmediate(next));
    };
    next();
  });
}
