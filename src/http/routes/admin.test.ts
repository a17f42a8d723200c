import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.js';
import { startTestGateway, type TestGateway } from '../../../test/support/gateway.js';
import { isLoopback } from './admin.js';

const REMOTE = '203.0.113.9';
const TOKEN = 'admin-token-0123456789abcdef';

describe('isLoopback', () => {
  it.each(['127.0.0.1', '127.0.0.2', '127.255.0.9', '::1', '::ffff:127.0.0.1', '::ffff:127.1.2.3'])('%s is loopback', (address) => expect(isLoopback(address)).toBe(true));
  it.each([undefined, '', '10.0.0.1', '203.0.113.9', '::ffff:10.0.0.1', '::', '0.0.0.0', 'fe80::1', '127.0.0.1.example', '::ffff:203.0.113.9'])('%s is not', (address) =>
    expect(isLoopback(address)).toBe(false));
});

// Production mode: a sandbox always has a token (its generated one when none is configured).
describe('admin API without a token', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ mode: 'production', accounts: [], server: { host: '0.0.0.0', port: 0 } });
  });
  afterAll(async () => gateway.stop());

  // Every spelling an attacker tried: the router decodes and normalises, so the decision must follow the route, not the raw URL.
  it.each([
    ['GET', '/v1/admin/stats'],
    ['GET', '/v1/%61dmin/stats'],
    ['GET', '/v1/%61%64%6D%69%6E/stats'],
    ['GET', '/v1/admin/%73tats'],
    ['GET', '/v1/admin/stats/'],
    ['GET', '/v1/admin/stats?x=1'],
    ['GET', '/v1/admin/templates'],
    ['GET', '/v1/%61dmin/templates/'],
    ['POST', '/v1/admin/templates/sync'],
    ['POST', '/v1/%61dmin/templates/sync'],
    ['POST', '/v1/%61dmin/templates/sync?account=sandbox'],
  ])('%s %s from a remote address is refused with 403', async (method, url) => {
    const answer = await gateway.app.inject({ method: method as 'GET', url, remoteAddress: REMOTE });
    expect(answer.statusCode).toBe(403);
    expect(answer.json()).toEqual({ message: expect.stringContaining('admin.token'), errors: [] });
  });

  it.each([
    ['GET', '/v1/admin%2Fstats'],
    ['GET', '/v1//admin/stats'],
    ['GET', '//v1/admin/stats'],
    ['GET', '/V1/ADMIN/STATS'],
    ['GET', '/v1/admin/stats//'],
    ['POST', '/v1/admin/templates%2Fsync'],
  ])('%s %s from a remote address reaches no admin route', async (method, url) => {
    const answer = await gateway.app.inject({ method: method as 'GET', url, remoteAddress: REMOTE });
    expect([403, 404]).toContain(answer.statusCode);
  });

  it('serves loopback callers, and no one else\'s routes are affected by the admin check', async () => {
    for (const remoteAddress of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      expect((await gateway.app.inject({ url: '/v1/admin/stats', remoteAddress })).statusCode).toBe(200);
      expect((await gateway.app.inject({ url: '/v1/%61dmin/stats', remoteAddress })).statusCode).toBe(200);
    }
    expect((await gateway.app.inject({ url: '/healthz', remoteAddress: REMOTE })).statusCode).toBe(200);
  });

  it.each([
    ['x-forwarded-for', REMOTE],
    ['x-real-ip', REMOTE],
    ['forwarded', `for=${REMOTE}`],
    ['via', '1.1 nginx'],
  ])('refuses a loopback request relayed by a proxy (%s)', async (name, value) => {
    const answer = await gateway.app.inject({ url: '/v1/admin/stats', remoteAddress: '127.0.0.1', headers: { [name]: value } });
    expect(answer.statusCode).toBe(403);
    expect(answer.json().message).toMatch(/proxy/);
  });

  it('decides on the socket over real HTTP: an absolute-form request line from a non-loopback address is refused', async (context) => {
    const local = nonLoopbackAddress();
    // 127.0.0.2 and friends are loopback too, so "remote" needs an interface address of this machine.
    if (!local) return context.skip('this machine has no non-loopback IPv4 address to connect from');
    const port = Number(new URL(gateway.url).port);
    for (const line of ['GET http://x/v1/admin/stats HTTP/1.1', 'GET /v1/%61dmin/stats HTTP/1.1', 'POST /v1/%61dmin/templates/sync HTTP/1.1']) {
      const answer = await rawExchange(local, port, `${line}\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      expect(answer.split('\r\n')[0], line).toBe('HTTP/1.1 403 Forbidden');
    }
    // The same request line from loopback is served: the refusal above is about the peer, not the spelling.
    const fromLoopback = await rawExchange('127.0.0.1', port, 'GET http://x/v1/admin/stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(fromLoopback.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
  });
});

describe('admin API with admin.token', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ admin: { token: TOKEN } });
  });
  afterAll(async () => gateway.stop());

  it('asks every caller for the token, loopback included, and accepts it from anywhere', async () => {
    for (const url of ['/v1/admin/stats', '/v1/%61dmin/stats']) {
      const none = await gateway.app.inject({ url, remoteAddress: '127.0.0.1' });
      expect(none.statusCode).toBe(401);
      expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
      expect((await gateway.app.inject({ url, remoteAddress: REMOTE, headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
      expect((await gateway.app.inject({ url, remoteAddress: REMOTE, headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
      expect((await gateway.app.inject({ url, remoteAddress: '127.0.0.1', headers: { authorization: `Bearer ${TOKEN}`, 'x-forwarded-for': REMOTE } })).statusCode).toBe(200);
    }
    const viaHttp = await request(`${gateway.url}/v1/admin/stats`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(viaHttp.statusCode).toBe(200);
    await viaHttp.body.dump();
    const refused = await request(`${gateway.url}/v1/admin/stats`);
    expect({ status: refused.statusCode, body: await refused.body.json() }).toMatchObject({ status: 401, body: { message: expect.stringContaining('admin token is required'), errors: [] } });
  });

  it('answers a repeated ?account= with 400, not an arbitrary pick', async () => {
    const answer = await gateway.app.inject({ method: 'POST', url: '/v1/admin/templates/sync?account=sandbox&account=x', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(answer.statusCode).toBe(400);
  });
});

describe('admin API of a sandbox without a configured token', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => gateway.stop());

  it('requires the generated token from loopback callers too, and leaves the pages without data open', async () => {
    const token = gateway.sandboxSecrets!.adminToken;
    const none = await request(`${gateway.url}/v1/admin/stats`);
    expect({ status: none.statusCode, body: await none.body.json() }).toMatchObject({ status: 401, body: { message: expect.stringContaining('admin token is required') } });
    const given = await request(`${gateway.url}/v1/admin/stats`, { headers: { authorization: `Bearer ${token}` } });
    expect(given.statusCode).toBe(200);
    await given.body.dump();
    // /metrics: loopback scrapers without it (issue 11), anyone else with the sandbox's token.
    expect((await gateway.app.inject({ url: '/metrics', remoteAddress: REMOTE })).statusCode).toBe(401);
    expect((await gateway.app.inject({ url: '/metrics', remoteAddress: REMOTE, headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    for (const url of ['/', '/docs', '/openapi.json', '/healthz', '/readyz']) {
      const open = await request(`${gateway.url}${url}`);
      expect(open.statusCode, url).toBe(200);
      await open.body.dump();
    }
  });
});

describe('admin.token in the configuration', () => {
  it('comes from ADMIN_TOKEN, and a short one is refused', () => {
    expect(loadConfig({ env: { ADMIN_TOKEN: TOKEN }, raw: {} }).admin.token).toBe(TOKEN);
    expect(loadConfig({ env: {}, raw: {} }).admin.token).toBeUndefined();
    expect(() => loadConfig({ env: { ADMIN_TOKEN: 'short' }, raw: {} })).toThrow(/admin/);
  });
});

function nonLoopbackAddress(): string | undefined {
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) if (entry.family === 'IPv4' && !entry.internal && !entry.address.startsWith('127.')) return entry.address;
  }
  return undefined;
}

/** Connects to 127.0.0.1:`port` from `localAddress`, writes `text`, and returns everything answered. */
function rawExchange(localAddress: string, port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // Connecting to the interface address itself keeps the peer address non-loopback.
    const host = localAddress === '127.0.0.1' ? '127.0.0.1' : localAddress;
    const socket = connect({ host, port, localAddress });
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.write(text);
  });
}
