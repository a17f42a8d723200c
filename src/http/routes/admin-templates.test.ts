import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import type { TemplateRecord } from '../../store/template-store.js';
import { adminTemplatesRoutes } from './admin-templates.js';

const TOKEN = 'admin-token-for-tests';

const stored: TemplateRecord[] = [
  {
    id: '2',
    name: 'order_ready',
    language: 'en',
    status: 'PAUSED',
    category: 'UTILITY',
    raw: { id: '2', name: 'order_ready', language: 'en', status: 'APPROVED', category: 'UTILITY', parameter_format: 'POSITIONAL', components: [{ type: 'BODY', text: 'Order {{1}} is ready' }] },
  },
  { id: '1', name: 'hello_world', language: 'en_US', status: 'APPROVED', category: 'UTILITY', raw: { components: [{ type: 'BODY', text: 'Hello' }] } },
];

describe('GET /v1/admin/templates/{accountId}', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    await app.register(adminTemplatesRoutes, {
      token: TOKEN,
      templates: { list: async (accountId) => (accountId === 'acme' ? stored : undefined) },
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it("answers the account's templates by name, with the status the gateway holds now", async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/admin/templates/acme', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.statusCode).toBe(200);
    const { data } = response.json();
    expect(data.map((template: { name: string }) => template.name)).toEqual(['hello_world', 'order_ready']);
    expect(data[1]).toMatchObject({ id: '2', status: 'PAUSED', category: 'UTILITY', parameter_format: 'POSITIONAL', components: [{ type: 'BODY', text: 'Order {{1}} is ready' }] });
  });

  it('answers 404 for an account the gateway does not run', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/admin/templates/nobody', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.statusCode).toBe(404);
    expect(response.json().message).toBe('no account "nobody" is configured');
  });

  it('needs the admin token', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/admin/templates/acme', headers: { authorization: 'Bearer wrong' } });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toContain('Bearer');
    expect(response.body).not.toContain('order_ready');
  });
});
