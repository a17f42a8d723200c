import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../../test/support/gateway.js';
import type { OpenApiDocument } from '../openapi.js';

const TOKEN = 'admin-token-0123456789abcdef';

describe('/docs and /openapi.json', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ server: { host: '0.0.0.0', port: 0 }, admin: { token: TOKEN } });
  });
  afterAll(async () => gateway.stop());

  it('serve the reference without the token, while the admin API asks for it', async () => {
    const page = await request(`${gateway.url}/docs`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = await page.body.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect((await request(`${gateway.url}/openapi.json`)).statusCode).toBe(200);
    const stats = await request(`${gateway.url}/v1/admin/stats`);
    expect(stats.statusCode).toBe(401);
    expect(await stats.body.json()).toEqual({ message: expect.stringContaining('admin token'), errors: [] });
    // From elsewhere than loopback too: the reference holds no data.
    expect((await gateway.app.inject({ url: '/docs', remoteAddress: '203.0.113.9' })).statusCode).toBe(200);
  });

  it('renders every operation of the document, self-contained (nothing loaded from elsewhere, nothing run)', async () => {
    const document = (await (await request(`${gateway.url}/openapi.json`)).body.json()) as OpenApiDocument;
    const page = await request(`${gateway.url}/docs`);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
    const html = await page.body.text();
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const operation of Object.values(methods)) {
        expect(html, path).toContain(`id="${operation.operationId}"`);
        if (operation.summary) expect(html).toContain(operation.summary.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/`([^`]+)`/g, '<code>$1</code>'));
      }
      expect(html).toContain(`<code>${path}</code>`);
    }
    expect(html).not.toMatch(/<script|<link|\bsrc=|@import|url\(/i);
    expect(html).not.toMatch(/href="(?!#|\/openapi\.json")/);
    expect(html).toContain('whatsapp.accessToken');
  });

  it('answers a query that fails its schema with the field at fault', async () => {
    const answer = await request(`${gateway.url}/v1/admin/webhook-rejects?limit=5000`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(answer.statusCode).toBe(400);
    expect(await answer.body.json()).toEqual({ message: 'the query string is not valid: limit must be <= 1000', errors: [{ field: 'limit', message: 'must be <= 1000' }] });
    const twice = await request(`${gateway.url}/v1/admin/templates/sync?account=a&account=b`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(twice.statusCode).toBe(400);
    expect(((await twice.body.json()) as { errors: unknown[] }).errors).toEqual([{ field: 'account', message: 'must be string' }]);
  });
});
