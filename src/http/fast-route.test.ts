import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { IntakeAnswer, SendIntake } from '../pipeline/send-intake.js';
import type { WebhookAnswer, WebhookIntake } from '../pipeline/webhook-intake.js';
import { signWebhookBody } from '../whatsapp/signature.js';
import { fixture, startTestGateway, type TestGateway } from '../../test/support/gateway.js';
import { writeAllThenRead } from '../../test/support/raw-http.js';
import { Writable } from 'node:stream';
import { outcomeOf, createFastRoute, isWebhookUrl, messagesAccountId, serverWithFastRoute } from './fast-route.js';

describe('messagesAccountId', () => {
  it.each([
    ['/v1/clevertap/acme/messages', 'acme'],
    ['/v1/clevertap/acme/messages/', 'acme'],
    ['/v1/clevertap/acme/messages?x=1', 'acme'],
    ['/v1/clevertap/acme/messages/?x=1/2', 'acme'],
    ['/v1/clevertap/a.b-c_d~e/messages', 'a.b-c_d~e'],
  ])('routes %s to %s', (url, accountId) => expect(messagesAccountId(url)).toBe(accountId));

  it.each([
    '/v1/clevertap//messages',
    '/v1/clevertap/acme/messagesx',
    '/v1/clevertap/acme/message',
    '/v1/clevertap/acme/messages//',
    '/v1/clevertap/acme/x/messages',
    '/v1/clevertap/ac%20me/messages',
    '/v1/clevertap/ac#me/messages',
    '/v1/clevertap/acme',
    '/v1/clevertap/acme/messages#frag',
    '//v1/clevertap/acme/messages',
    `/v1/clevertap/${'a'.repeat(101)}/messages`,
    '/v1/whatsapp/webhook',
  ])('leaves %s to fastify', (url) => expect(messagesAccountId(url)).toBeUndefined());
});

describe('isWebhookUrl', () => {
  it.each(['/v1/whatsapp/webhook', '/v1/whatsapp/webhook/', '/v1/whatsapp/webhook?x=1', '/v1/whatsapp/webhook/?x=1'])('routes %s to the webhook', (url) =>
    expect(isWebhookUrl(url)).toBe(true));

  it.each(['/v1/whatsapp/webhooks', '/v1/whatsapp/webhook//', '/v1/whatsapp/webhook/x', '/v1/whatsapp/web', '//v1/whatsapp/webhook', '/v1/whatsapp/webhook#x'])(
    'leaves %s to fastify',
    (url) => expect(isWebhookUrl(url)).toBe(false),
  );

  it('leaves the webhook to fastify when the front has no webhook intake', () => {
    const fast = createFastRoute({ intake: { handle: () => ({ status: 200, body: '' }) }, bodyLimitBytes: 1000, log: pino({ level: 'silent' }) });
    const request = { method: 'POST', url: '/v1/whatsapp/webhook', headers: { 'content-type': 'application/json' } };
    expect(fast.handle(request as never, {} as never)).toBe(false);
  });
});

describe('fast route while the app closes', () => {
  it('answers /readyz 503 draining itself, and leaves everything else to fastify', () => {
    const fast = createFastRoute({ intake: { handle: () => ({ status: 200, body: '' }) }, bodyLimitBytes: 1000, log: pino({ level: 'silent' }) });
    fast.close();
    const written: Array<{ status: number; headers: Record<string, unknown>; body?: string }> = [];
    const response = {
      headersSent: false,
      destroyed: false,
      writeHead: (status: number, headers: Record<string, unknown>) => written.push({ status, headers }),
      end: (body: string) => (written.at(-1)!.body = body),
    };
    expect(fast.handle({ method: 'GET', url: '/readyz', headers: {} } as never, response as never)).toBe(true);
    expect(written).toEqual([{ status: 503, headers: expect.objectContaining({ connection: 'close' }), body: expect.stringContaining('"status":"draining"') }]);
    expect(fast.handle({ method: 'GET', url: '/healthz', headers: {} } as never, response as never)).toBe(false);
    expect(fast.handle({ method: 'POST', url: '/v1/clevertap/acme/messages', headers: { 'content-type': 'application/json' } } as never, response as never)).toBe(false);
  });
});

describe('outcomeOf: the outcome label of an answer', () => {
  it.each([
    [{ status: 200, body: '{"status":"success"}' }, 0],
    [{ status: 200, body: '{"status":"failure","error":{"code":2001,"message":"x"}}' }, 2001],
    [{ status: 200, body: '{"status":"failure","error":{"code":2000,"message":"Invalid Credentials"}}' }, 2000],
    [{ status: 429, body: '{"message":"Too many requests to process"}' }, 429],
    [{ status: 500, body: '{"status":"failure","error":{"message":"Unable to process the request"}}' }, 500],
    [{ status: 404, reason: 'no account' }, 404],
    [{ status: 200, body: '{"status":"ok"}' }, 0],
    [{ status: 401, reason: 'bad signature' }, 401],
  ] as const)('%j → %d', (answer, outcome) => expect(outcomeOf(answer as never)).toBe(outcome));
});

describe('fast route on a bare server', () => {
  let server: Server;
  let base: string;
  const fellThrough: string[] = [];
  const seen: Array<{ accountId: string; body: string }> = [];
  let next: IntakeAnswer | Promise<IntakeAnswer> | Error = { status: 200, body: '{"status":"success"}' };
  const intake: SendIntake = {
    handle(accountId, _headers, rawBody) {
      seen.push({ accountId, body: (rawBody as Buffer).toString('utf8') });
      if (next instanceof Error) throw next;
      return next;
    },
  };
  const webhooks: Array<{ signature: unknown; body: string }> = [];
  let nextWebhook: WebhookAnswer = { status: 200, body: '{"status":"ok"}' };
  const webhook: WebhookIntake = {
    async handle(headers, rawBody) {
      webhooks.push({ signature: headers['x-hub-signature-256'], body: (rawBody as Buffer).toString('utf8') });
      return nextWebhook;
    },
  };
  const fast = createFastRoute({ intake, webhook, bodyLimitBytes: 1000, log: pino({ level: 'silent' }) });

  beforeAll(async () => {
    server = serverWithFastRoute(fast)((req, res) => {
      fellThrough.push(`${req.method} ${req.url}`);
      res.writeHead(299).end('fastify');
    }, { keepAliveTimeout: 75_000, requestTimeout: 0, connectionTimeout: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));
  afterEach(() => {
    fellThrough.length = 0;
    seen.length = 0;
    webhooks.length = 0;
    next = { status: 200, body: '{"status":"success"}' };
    nextWebhook = { status: 200, body: '{"status":"ok"}' };
  });

  const post = async (path: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
    const response = await request(base + path, { method: 'POST', body, headers });
    return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
  };

  it('answers the hot route itself, with the intake\'s answer and the keep-alive settings', async () => {
    const response = await post('/v1/clevertap/acme/messages', '{"a":1}');
    expect(response).toMatchObject({ status: 200, body: '{"status":"success"}' });
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['keep-alive']).toBe('timeout=75');
    expect(seen).toEqual([{ accountId: 'acme', body: '{"a":1}' }]);
    expect(fellThrough).toEqual([]);
  });

  it('hands a webhook delivery to the webhook intake, headers and raw bytes as sent', async () => {
    const response = await post('/v1/whatsapp/webhook', '{"entry":[]}', { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=ab' });
    expect(response).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    expect(webhooks).toEqual([{ signature: 'sha256=ab', body: '{"entry":[]}' }]);
    nextWebhook = { status: 401, reason: 'missing or invalid X-Hub-Signature-256' };
    expect(await post('/v1/whatsapp/webhook/?from=meta', '{}')).toMatchObject({
      status: 401,
      body: '{"message":"missing or invalid X-Hub-Signature-256","errors":[]}',
    });
    expect(seen).toEqual([]);
    expect(fellThrough).toEqual([]);
  });

  it('waits for an asynchronous answer', async () => {
    next = Promise.resolve({ status: 429, body: '{"message":"Too many requests to process"}' });
    expect(await post('/v1/clevertap/acme/messages', '{}')).toMatchObject({ status: 429, body: '{"message":"Too many requests to process"}' });
  });

  it('turns a reason into a problem body', async () => {
    next = { status: 404, reason: 'no account "x" is configured' };
    expect(await post('/v1/clevertap/x/messages', '{}')).toMatchObject({ status: 404, body: '{"message":"no account \\"x\\" is configured","errors":[]}' });
  });

  it('answers 500 with a problem body when the intake throws or rejects', async () => {
    next = new Error('boom');
    expect(await post('/v1/clevertap/acme/messages', '{}')).toMatchObject({ status: 500, body: '{"message":"internal error","errors":[]}' });
    next = Promise.reject(new Error('boom'));
    (next as Promise<unknown>).catch(() => undefined);
    expect(await post('/v1/clevertap/acme/messages', '{}')).toMatchObject({ status: 500, body: '{"message":"internal error","errors":[]}' });
  });

  it('refuses a body over the limit with 413 and closes the connection, by Content-Length or while reading', async () => {
    const declared = await post('/v1/clevertap/acme/messages', 'x'.repeat(1001));
    expect(declared).toMatchObject({ status: 413, body: '{"message":"the body is larger than 1000 bytes","errors":[]}' });
    expect(declared.headers.connection).toBe('close');
    const streamed = await new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
      const req = httpRequest(`${base}/v1/clevertap/acme/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body, connection: res.headers.connection }));
      });
      req.on('error', reject);
      req.write('x'.repeat(600));
      setTimeout(() => req.end('x'.repeat(600)), 20);
    });
    expect(streamed).toEqual({ status: 413, body: '{"message":"the body is larger than 1000 bytes","errors":[]}', connection: 'close' });
    expect(seen).toEqual([]);
  });

  it('hands an empty body to the intake as an empty buffer, and a chunked one joined', async () => {
    await post('/v1/clevertap/acme/messages', '');
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${base}/v1/clevertap/acme/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('error', reject);
      req.write('{"a":');
      setTimeout(() => req.end('"b"}'), 20);
    });
    expect(chunked).toBe(200);
    expect(seen).toEqual([{ accountId: 'acme', body: '' }, { accountId: 'acme', body: '{"a":"b"}' }]);
  });

  it('leaves other methods, paths, content types and a closing app to fastify', async () => {
    await post('/v1/clevertap/acme/templates', '{}');
    await post('/v1/clevertap/ac%61me/messages', '{}');
    await post('/v1/clevertap/acme/messages', '{}', { 'content-type': 'application/x-www-form-urlencoded' });
    await post('/v1/clevertap/acme/messages', '{}', {});
    const get = await request(`${base}/v1/clevertap/acme/messages`);
    await get.body.dump();
    const verify = await request(`${base}/v1/whatsapp/webhook?hub.mode=subscribe`);
    await verify.body.dump();
    await post('/v1/whatsapp/webhooks', '{}');
    expect(fellThrough).toEqual([
      'POST /v1/clevertap/acme/templates',
      'POST /v1/clevertap/ac%61me/messages',
      'POST /v1/clevertap/acme/messages',
      'POST /v1/clevertap/acme/messages',
      'GET /v1/clevertap/acme/messages',
      'GET /v1/whatsapp/webhook?hub.mode=subscribe',
      'POST /v1/whatsapp/webhooks',
    ]);
    expect(seen).toEqual([]);
    expect(webhooks).toEqual([]);
  });
});

describe('fast route in the gateway answers as the fastify route does', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ server: { host: '127.0.0.1', port: 0, bodyLimitBytes: 4096 } });
  });
  afterAll(async () => gateway.stop());

  let n = 0;
  const send = (name: string) => ({ ...fixture(`clevertap/requests/${name}`), msgId: `fast|${Date.now()}|${n++}` });

  it.each([
    ['a template send', '/v1/clevertap/sandbox/messages', () => JSON.stringify(send('template-file-header-multi-button.json')), true],
    ['a freeform send with a trailing slash and a query', '/v1/clevertap/sandbox/messages/?a=1', () => JSON.stringify(send('freeform-text.json')), true],
    ['wrong credentials', '/v1/clevertap/sandbox/messages', () => JSON.stringify(send('freeform-text.json')), false],
    ['an unknown account', '/v1/clevertap/nobody/messages', () => JSON.stringify(send('freeform-text.json')), true],
    ['a body that is not JSON', '/v1/clevertap/sandbox/messages', () => '{"to": ', true],
    ['an empty body', '/v1/clevertap/sandbox/messages', () => '', true],
    ['a body over the limit', '/v1/clevertap/sandbox/messages', () => JSON.stringify({ padding: 'x'.repeat(5000) }), true],
    ['a 2 MB body', '/v1/clevertap/sandbox/messages', () => JSON.stringify({ padding: 'x'.repeat(2 * 1024 * 1024) }), true],
    ['a payload CleverTap\'s parser refuses', '/v1/clevertap/sandbox/messages', () => JSON.stringify({ ...send('freeform-text.json'), to: 'call me' }), true],
  ])('%s', async (_label, path, body, authorized) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', authorization: authorized ? `Bearer ${gateway.sandboxSecrets!.clevertapToken}` : 'Bearer wrong' };
    const viaHttp = await request(gateway.url + path, { method: 'POST', headers, body: body() });
    const httpBody = await viaHttp.body.text();
    const viaFastify = await gateway.app.inject({ method: 'POST', url: path, headers, payload: body() });
    expect({ status: viaHttp.statusCode, type: viaHttp.headers['content-type'], body: httpBody }).toEqual({
      status: viaFastify.statusCode,
      type: viaFastify.headers['content-type'],
      body: viaFastify.body,
    });
  });
});

describe('a body far over the limit, written whole before the answer is read', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ server: { host: '127.0.0.1', port: 0, bodyLimitBytes: 4096 } });
  });
  afterAll(async () => gateway.stop());

  // application/json takes the fast route; a type it does not know goes through fastify's body reader.
  it.each(['/v1/clevertap/sandbox/messages', '/v1/whatsapp/webhook'])('is answered by the fast route as by fastify: %s', async (path) => {
    const port = Number(new URL(gateway.url).port);
    const size = 2 * 1024 * 1024;
    const answer = async (type: string) => {
      const head = `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: ${size}\r\nAuthorization: Bearer ${gateway.sandboxSecrets!.clevertapToken}\r\n\r\n`;
      const result = await writeAllThenRead(port, head, size);
      const [headers = '', body] = result.answer.split('\r\n\r\n');
      const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(headers)?.[1];
      return { error: result.error, status: headers.slice(9, 12), type: header('content-type'), connection: header('connection'), body };
    };
    const viaFastRoute = await answer('application/json');
    expect(viaFastRoute).toEqual({ error: undefined, status: '413', type: 'application/json; charset=utf-8', connection: 'close', body: '{"message":"the body is larger than 4096 bytes","errors":[]}' });
    expect(await answer('application/x-clevertap')).toEqual(viaFastRoute);
  });
});

describe('fast route in the gateway answers Meta\'s webhook as the fastify route does', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ server: { host: '127.0.0.1', port: 0, bodyLimitBytes: 4096 } });
  });
  afterAll(async () => gateway.stop());

  // A status for a message the gateway never sent: applied as "unknown" and answered 200 either way.
  const status = () => JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '0', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '0', phone_number_id: '0' }, statuses: [{ id: 'wamid.unknown', status: 'delivered', timestamp: '1700000000', recipient_id: '0' }] } }] }],
  });
  const signed = (body: string) => ({ 'x-hub-signature-256': signWebhookBody(gateway.sandboxSecrets!.appSecret, body) });

  it.each([
    ['a signed status delivery', '/v1/whatsapp/webhook', status, signed],
    ['a signed delivery with a trailing slash and a query', '/v1/whatsapp/webhook/?x=1', status, signed],
    ['a wrong signature', '/v1/whatsapp/webhook', status, () => ({ 'x-hub-signature-256': 'sha256=' + '0'.repeat(64) })],
    ['no signature', '/v1/whatsapp/webhook', status, () => ({})],
    ['a signed body that is not JSON', '/v1/whatsapp/webhook', () => '{"entry": ', signed],
    ['a body over the limit', '/v1/whatsapp/webhook', () => JSON.stringify({ padding: 'x'.repeat(5000) }), signed],
    ['a 2 MB body', '/v1/whatsapp/webhook', () => JSON.stringify({ padding: 'x'.repeat(2 * 1024 * 1024) }), signed],
  ])('%s', async (_label, path, body, signature) => {
    const payload = body();
    const headers: Record<string, string> = { 'content-type': 'application/json', ...signature(payload) };
    const viaHttp = await request(gateway.url + path, { method: 'POST', headers, body: payload });
    const httpBody = await viaHttp.body.text();
    const viaFastify = await gateway.app.inject({ method: 'POST', url: path, headers, payload });
    expect({ status: viaHttp.statusCode, type: viaHttp.headers['content-type'], body: httpBody }).toEqual({
      status: viaFastify.statusCode,
      type: viaFastify.headers['content-type'],
      body: viaFastify.body,
    });
  });
});

describe('a failure of the fast route in the log', () => {
  it('names the path, never the query string', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'error' }, new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }));
    const fast = createFastRoute({ intake: { handle: () => { throw new Error('boom'); } }, bodyLimitBytes: 1000, log });
    const server = serverWithFastRoute(fast)((_req, res) => res.writeHead(404).end(), { keepAliveTimeout: 75_000, requestTimeout: 0, connectionTimeout: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await request(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/clevertap/acme/messages?token=secret-in-query`, {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      });
      expect(response.statusCode).toBe(500);
      await response.body.dump();
      expect(lines.map((line) => JSON.parse(line))).toMatchObject([{ msg: 'request failed', path: '/v1/clevertap/acme/messages' }]);
      expect(lines.join('')).not.toContain('secret-in-query');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
