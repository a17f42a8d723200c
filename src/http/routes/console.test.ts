import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { consoleRoutes } from './console.js';

/** An app like the gateway's: the console next to an API route, and the gateway's JSON 404. */
async function appServing(distDir: string): Promise<FastifyInstance> {
  const app = Fastify();
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ message: `no route for ${request.method} ${request.url}`, errors: [] }));
  app.get('/v1/admin/stats', async () => ({ ok: true }));
  await app.register(consoleRoutes, { distDir });
  await app.ready();
  return app;
}

describe('console routes with a build', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'wabridge-console-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/assets/index-AbC123.js"></script>');
    writeFileSync(path.join(dir, 'assets', 'index-AbC123.js'), 'console.log("console")');
    app = await appServing(dir);
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / without a token, revalidated on every load, with a strict CSP', async () => {
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('<div id="root">');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('lets browsers keep hashed assets for a year', async () => {
    const response = await app.inject({ method: 'GET', url: '/assets/index-AbC123.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it.each(['/accounts', '/accounts/acme', '/accounts/new', '/templates/sandbox', '/send-test', '/messages', '/messages/m-1', '/inbound', '/callbacks', '/dashboard'])('answers the client route %s with index.html', async (url) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<div id="root">');
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('leaves other paths to the gateway: API routes answer, unknown paths get its JSON 404', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/admin/stats' })).json()).toEqual({ ok: true });
    const missing = await app.inject({ method: 'GET', url: '/v1/admin/nothing' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toBe('no route for GET /v1/admin/nothing');
    const missingAsset = await app.inject({ method: 'GET', url: '/assets/index-gone.js' });
    expect(missingAsset.statusCode).toBe(404);
    expect(missingAsset.headers['content-type']).toMatch(/json/);
  });

  it('serves nothing outside the build', async () => {
    const response = await app.inject({ method: 'GET', url: '/assets/..%2f..%2fetc%2fpasswd' });
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain('root:');
  });
});

describe('console routes without a build', () => {
  it('answers / and the client routes with a page saying how to build the console', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wabridge-console-none-'));
    const app = await appServing(path.join(dir, 'dist'));
    try {
      for (const url of ['/', '/accounts/acme']) {
        const response = await app.inject({ method: 'GET', url });
        expect(response.statusCode).toBe(503);
        expect(response.headers['content-type']).toMatch(/^text\/html/);
        expect(response.body).toContain('The web console has not been built');
        expect(response.body).toContain('npm run console:build');
      }
      expect((await app.inject({ method: 'GET', url: '/v1/admin/stats' })).statusCode).toBe(200);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
