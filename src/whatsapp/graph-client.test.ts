/**
 * @module whatsapp/graph-client.test
 * Against a real `node:http` server on a loopback port: no mocks of undici or the network.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GraphClient } from './graph-client.js';
import type { GraphSendBody } from './graph-types.js';

const TOKEN = 'EAAG-test-token-0123456789';
const WAMID = 'wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA';
const BODY: GraphSendBody = {
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to: '16505551234',
  biz_opaque_callback_data: 'm0abc',
  type: 'text',
  text: { body: 'hi' },
};

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: Seen, res: ServerResponse) => void;

let server: Server;
let origin: string;
let handler: Handler;
let seen: Seen[] = [];
let connections = 0;
const clients: GraphClient[] = [];

function client(overrides: Partial<ConstructorParameters<typeof GraphClient>[0]> = {}): GraphClient {
  const c = new GraphClient({ graphBaseUrl: `${origin}/v23.0`, accessToken: TOKEN, ...overrides });
  clients.push(c);
  return c;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(request);
      handler(request, res);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  server.closeAllConnections();
  seen = [];
  connections = 0;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('GraphClient.sendMessage', () => {
  it('posts the body with bearer auth under the versioned path and reads the wamid', async () => {
    handler = (_, res) =>
      json(res, 200, {
        messaging_product: 'whatsapp',
        contacts: [{ input: '16505551234', wa_id: '16505551234' }],
        messages: [{ id: WAMID, message_status: 'accepted' }],
      });
    const outcome = await client().sendMessage('106540352242922', BODY);

    expect(outcome).toStrictEqual({ kind: 'accepted', wamid: WAMID, waId: '16505551234', messageStatus: 'accepted' });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe('POST');
    expect(seen[0]?.url).toBe('/v23.0/106540352242922/messages');
    expect(seen[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen[0]?.body ?? '')).toStrictEqual(BODY);
  });

  it('keeps a trailing-slash base path and omits absent optional fields', async () => {
    handler = (_, res) => json(res, 200, { messages: [{ id: WAMID }] });
    const outcome = await client({ graphBaseUrl: `${origin}/v24.0/` }).sendMessage('42', BODY);
    expect(outcome).toStrictEqual({ kind: 'accepted', wamid: WAMID });
    expect(seen[0]?.url).toBe('/v24.0/42/messages');
  });

  it('keeps connections alive across sends instead of reconnecting', async () => {
    handler = (_, res) => json(res, 200, { messages: [{ id: WAMID }] });
    const single = client({ connections: 1 });
    for (let i = 0; i < 5; i++) expect((await single.sendMessage('1', BODY)).kind).toBe('accepted');
    expect(connections).toBe(1);

    // Sequential sends on the default pool may open a second socket while the first is being released, but no more.
    const pooled = client();
    for (let i = 0; i < 20; i++) expect((await pooled.sendMessage('1', BODY)).kind).toBe('accepted');
    expect(seen).toHaveLength(25);
    expect(connections).toBeLessThanOrEqual(3);
  });

  it('classifies a throughput error by code, with subcode, details and trace id', async () => {
    handler = (_, res) =>
      json(res, 400, {
        error: {
          message: '(#130429) Rate limit hit',
          type: 'OAuthException',
          code: 130429,
          error_data: { messaging_product: 'whatsapp', details: 'Cloud API message throughput has been reached.' },
          error_subcode: 2494055,
          fbtrace_id: 'Az8or2yhqkZfEZ-_4Qn_Bam',
        },
      });
    const outcome = await client().sendMessage('1', BODY);
    expect(outcome).toMatchObject({
      kind: 'rejected',
      httpStatus: 400,
      code: 130429,
      subcode: 2494055,
      title: 'Rate limit hit',
      detail: 'Cloud API message throughput has been reached.',
      fbtraceId: 'Az8or2yhqkZfEZ-_4Qn_Bam',
      rule: { reason: 'rate_limited', retry: 'throughput' },
    });
  });

  it('reads an expired-token error without error_data', async () => {
    handler = (_, res) =>
      json(res, 401, {
        error: { message: 'Error validating access token: Session has expired on Friday', type: 'OAuthException', code: 190, error_subcode: 463, fbtrace_id: 'AbC' },
      });
    const outcome = await client().sendMessage('1', BODY);
    expect(outcome).toStrictEqual({
      kind: 'rejected',
      httpStatus: 401,
      code: 190,
      subcode: 463,
      title: 'Error validating access token: Session has expired on Friday',
      rule: expect.objectContaining({ reason: 'invalid_credentials', retry: 'auth' }),
      fbtraceId: 'AbC',
    });
  });

  it('refines an unknown phone-number-id (100/33) to a configuration error', async () => {
    handler = (_, res) =>
      json(res, 400, {
        error: {
          message: "Unsupported post request. Object with ID '999' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
          type: 'GraphMethodException',
          code: 100,
          error_subcode: 33,
        },
      });
    const outcome = await client().sendMessage('999', BODY);
    expect(outcome.kind === 'rejected' && outcome.rule.reason).toBe('invalid_credentials');
  });

  it('classifies by code even when Meta answers 5xx with an envelope', async () => {
    handler = (_, res) => json(res, 500, { error: { message: '(#131000) Something went wrong', code: 131000 } });
    const outcome = await client().sendMessage('1', BODY);
    expect(outcome).toMatchObject({ kind: 'rejected', httpStatus: 500, code: 131000, rule: { reason: 'other', retry: 'backoff' } });
  });

  it('treats a 5xx without an envelope as transport', async () => {
    handler = (_, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>Bad Gateway</body></html>');
    const outcome = await client().sendMessage('1', BODY);
    expect(outcome).toStrictEqual({
      kind: 'transport',
      error: 'HTTP 502 without a Graph error envelope: <html><body>Bad Gateway</body></html>',
      requestMayHaveArrived: true,
    });
  });

  it('treats a 4xx without an envelope as transport that never reached Meta', async () => {
    handler = (_, res) => res.writeHead(429).end('slow down');
    const outcome = await client().sendMessage('1', BODY);
    expect(outcome).toStrictEqual({
      kind: 'transport',
      error: 'HTTP 429 without a Graph error envelope: slow down',
      requestMayHaveArrived: false,
    });
  });

  it('treats a 2xx without a wamid as transport', async () => {
    handler = (_, res) => json(res, 200, { messaging_product: 'whatsapp' });
    const outcome = await client().sendMessage('1', BODY);
    expect(outcome).toStrictEqual({
      kind: 'transport',
      error: 'HTTP 200 without a message id: {"messaging_product":"whatsapp"}',
      requestMayHaveArrived: true,
    });
  });

  it('never puts the access token in an outcome, even when it is echoed back', async () => {
    handler = (req, res) => res.writeHead(503).end(`upstream refused ${req.headers.authorization}`);
    const transport = await client().sendMessage('1', BODY);
    expect(transport).toStrictEqual({
      kind: 'transport',
      error: 'HTTP 503 without a Graph error envelope: upstream refused Bearer [redacted]',
      requestMayHaveArrived: true,
    });

    handler = (req, res) =>
      json(res, 400, { error: { code: 190, message: `bad token ${req.headers.authorization}`, error_data: { details: `token=${TOKEN}` } } });
    const rejected = await client().sendMessage('1', BODY);
    expect(rejected).toMatchObject({ kind: 'rejected', title: 'bad token Bearer [redacted]', detail: 'token=[redacted]' });
    expect(JSON.stringify([transport, rejected])).not.toContain(TOKEN);
  });

  it('reports a refused connection as transport', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const outcome = await client({ graphBaseUrl: `http://127.0.0.1:${port}/v23.0` }).sendMessage('1', BODY);
    expect(outcome).toMatchObject({ kind: 'transport', error: expect.stringMatching(/^ECONNREFUSED/), requestMayHaveArrived: false });
  });

  it('reports a failed TLS handshake as never sent (Meta unreachable, not maybe-sent)', async () => {
    // https:// to a plain HTTP port: the handshake fails before any request byte can go out.
    const outcome = await client({ graphBaseUrl: `https://127.0.0.1:${(server.address() as AddressInfo).port}/v23.0` }).sendMessage('1', BODY);
    expect(outcome).toMatchObject({ kind: 'transport', error: expect.stringMatching(/^ERR_SSL_/), requestMayHaveArrived: false });
  });

  it('reports a socket cut after the request was sent as possibly arrived', async () => {
    handler = (_, res) => res.socket?.destroy();
    const outcome = await client().sendMessage('1', BODY);
    expect(outcome).toMatchObject({ kind: 'transport', error: expect.stringMatching(/^UND_ERR_SOCKET/), requestMayHaveArrived: true });
  });

  it('reports a send on a closed client as never sent', async () => {
    const c = client();
    await c.close();
    expect(await c.sendMessage('1', BODY)).toMatchObject({ kind: 'transport', requestMayHaveArrived: false });
  });

  it('reports a server that never answers as a headers timeout', async () => {
    handler = () => {
      /* hold the request open */
    };
    const outcome = await client({ headersTimeoutMs: 150 }).sendMessage('1', BODY);
    expect(outcome).toMatchObject({ kind: 'transport', error: expect.stringMatching(/^UND_ERR_HEADERS_TIMEOUT: /), requestMayHaveArrived: true });
  });
});

describe('GraphClient.getJson', () => {
  it('gets a relative path under the base path', async () => {
    handler = (_, res) => json(res, 200, { throughput: { level: 'STANDARD' }, id: '1065' });
    const outcome = await client().getJson('1065?fields=throughput');
    expect(outcome).toStrictEqual({ kind: 'ok', httpStatus: 200, body: { throughput: { level: 'STANDARD' }, id: '1065' } });
    expect(seen[0]?.method).toBe('GET');
    expect(seen[0]?.url).toBe('/v23.0/1065?fields=throughput');
    expect(seen[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('follows a same-origin paging.next URL as is', async () => {
    handler = (_, res) => json(res, 200, { data: [] });
    const outcome = await client().getJson(`${origin}/v23.0/555/message_templates?limit=5&after=QVFIU`);
    expect(outcome.kind).toBe('ok');
    expect(seen[0]?.url).toBe('/v23.0/555/message_templates?limit=5&after=QVFIU');
  });

  it('refuses to send the token to another origin', async () => {
    await expect(client().getJson('https://evil.example/v23.0/555')).rejects.toThrow(TypeError);
    expect(seen).toHaveLength(0);
  });

  it('returns a classified rejection', async () => {
    handler = (_, res) => json(res, 400, { error: { message: '(#80007) Rate limit issues', code: 80007 } });
    const outcome = await client().getJson('555/message_templates');
    expect(outcome).toMatchObject({ kind: 'rejected', httpStatus: 400, code: 80007, title: 'Rate limit issues', rule: { retry: 'backoff' } });
  });

  it('reports a non-JSON 200 as transport', async () => {
    handler = (_, res) => res.writeHead(200).end('');
    expect(await client().getJson('555')).toStrictEqual({
      kind: 'transport',
      error: 'HTTP 200 with a non-JSON body: (empty body)',
      requestMayHaveArrived: true,
    });
  });
});

describe('GraphClient construction', () => {
  it('rejects programmer errors', () => {
    expect(() => new GraphClient({ graphBaseUrl: 'ftp://graph.example/v23.0', accessToken: TOKEN })).toThrow(TypeError);
    expect(() => new GraphClient({ graphBaseUrl: 'https://graph.facebook.com/v23.0?x=1', accessToken: TOKEN })).toThrow(TypeError);
    expect(() => new GraphClient({ graphBaseUrl: 'https://graph.facebook.com/v23.0', accessToken: '' })).toThrow(TypeError);
  });
});
