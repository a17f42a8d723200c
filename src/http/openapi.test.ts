import Type from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../test/support/gateway.js';
import { isAdminPath, openApiDocument, openApiPath, registeredRoutes, type OpenApiDocument } from './openapi.js';
import { HAND_WRITTEN_OPERATIONS } from './openapi-hand-written.js';

const TOKEN = 'admin-token-0123456789abcdef';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** What would make `document` an invalid OpenAPI 3.1 document, in the parts this gateway uses. */
function shapeProblems(document: OpenApiDocument): string[] {
  const problems: string[] = [];
  if (document.openapi !== '3.1.0') problems.push(`openapi is ${String(document.openapi)}`);
  if (typeof document.info?.title !== 'string' || typeof document.info?.version !== 'string') problems.push('info needs a title and a version');
  const operationIds = new Set<string>();
  for (const [path, methods] of Object.entries(document.paths)) {
    if (!path.startsWith('/')) problems.push(`path ${path} does not start with /`);
    if (path.includes(':')) problems.push(`path ${path} keeps a fastify :param`);
    const templated = new Set([...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]));
    for (const [method, operation] of Object.entries(methods)) {
      const at = `${method.toUpperCase()} ${path}`;
      if (!METHODS.includes(method)) problems.push(`${at}: not an HTTP method`);
      if (!operation.operationId || operationIds.has(operation.operationId)) problems.push(`${at}: operationId missing or repeated`);
      operationIds.add(operation.operationId ?? '');
      const parameters = (operation.parameters ?? []) as Array<{ name?: string; in?: string; required?: boolean; schema?: unknown }>;
      const seen = new Set<string>();
      for (const parameter of parameters) {
        if (!parameter.name || !['path', 'query', 'header', 'cookie'].includes(parameter.in ?? '') || parameter.schema === undefined) problems.push(`${at}: parameter ${JSON.stringify(parameter)} lacks name, in or schema`);
        if (seen.has(`${parameter.in}:${parameter.name}`)) problems.push(`${at}: parameter ${parameter.name} declared twice`);
        seen.add(`${parameter.in}:${parameter.name}`);
        if (parameter.in === 'path' && (!templated.has(parameter.name) || parameter.required !== true)) problems.push(`${at}: path parameter ${parameter.name} is not in the path or not required`);
      }
      for (const name of templated) if (!seen.has(`path:${name}`)) problems.push(`${at}: {${name}} has no declared parameter`);
      const responses = Object.entries(operation.responses ?? {});
      if (responses.length === 0) problems.push(`${at}: no responses`);
      for (const [status, response] of responses) {
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(status)) problems.push(`${at}: response key ${status}`);
        const resolved = resolve(document, response) as { description?: unknown } | undefined;
        if (typeof resolved?.description !== 'string') problems.push(`${at} ${status}: a response needs a description`);
      }
    }
  }
  walk(document, '#', (ref, where) => {
    if (resolve(document, { $ref: ref }) === undefined) problems.push(`${where}: $ref ${ref} does not resolve`);
  });
  return problems;
}

function resolve(document: unknown, value: unknown): unknown {
  const ref = (value as { $ref?: unknown })?.$ref;
  if (typeof ref !== 'string') return value;
  if (!ref.startsWith('#/')) return undefined;
  let current: unknown = document;
  for (const part of ref.slice(2).split('/')) current = current && typeof current === 'object' ? (current as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  return current;
}

function walk(value: unknown, where: string, onRef: (ref: string, where: string) => void): void {
  if (Array.isArray(value)) value.forEach((item, index) => walk(item, `${where}/${index}`, onRef));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') onRef(inner, where);
      else walk(inner, `${where}/${key}`, onRef);
    }
  }
}

describe('the OpenAPI document of a running gateway', () => {
  let gateway: TestGateway;
  let document: OpenApiDocument;
  beforeAll(async () => {
    gateway = await startTestGateway({ admin: { token: TOKEN } });
    const answer = await gateway.app.inject({ url: '/openapi.json', remoteAddress: '203.0.113.9' });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    document = answer.json();
  });
  afterAll(async () => gateway.stop());

  it('is OpenAPI 3.1 in shape: parameters of every path declared, every $ref resolving', () => {
    expect(shapeProblems(document)).toEqual([]);
    expect(document.components.securitySchemes.adminToken).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('lists every /v1/admin route fastify registered, each with a summary and the bearer token', () => {
    const admin = registeredRoutes(gateway.app).filter((route) => isAdminPath(route.url) && route.method !== 'HEAD');
    expect(admin.length).toBeGreaterThanOrEqual(4);
    const undocumented = admin
      .filter((route) => !document.paths[openApiPath(route.url)]?.[route.method.toLowerCase()]?.summary)
      .map((route) => `${route.method} ${route.url}`);
    expect(undocumented, `these admin routes need a schema with a summary (and then: npx tsx scripts/render-admin-api-doc.ts): ${undocumented.join(', ')}`).toEqual([]);
    for (const route of admin) {
      const operation = document.paths[openApiPath(route.url)]![route.method.toLowerCase()]!;
      expect(operation.security, `${route.method} ${route.url}`).toEqual([{ adminToken: [] }]);
      expect(operation.responses['401'], `${route.method} ${route.url}`).toEqual({ $ref: '#/components/responses/Unauthorized' });
    }
  });

  it('describes the probes, the CleverTap and Meta endpoints and itself', () => {
    for (const [method, path] of [
      ['get', '/healthz'],
      ['get', '/readyz'],
      ['post', '/v1/clevertap/{accountId}/messages'],
      ['get', '/v1/clevertap/{accountId}/templates'],
      ['get', '/v1/whatsapp/webhook'],
      ['post', '/v1/whatsapp/webhook'],
      ['get', '/openapi.json'],
      ['get', '/docs'],
    ] as const) {
      expect(document.paths[path]?.[method]?.summary, `${method} ${path}`).toEqual(expect.any(String));
    }
    // Every hand-described route the app registered is in the document (metrics once it exists).
    for (const route of registeredRoutes(gateway.app)) {
      if (HAND_WRITTEN_OPERATIONS[`${route.method} ${route.url}`]) expect(document.paths[openApiPath(route.url)]?.[route.method.toLowerCase()], `${route.method} ${route.url}`).toBeDefined();
    }
    expect(document.paths['/v1/clevertap/{accountId}/messages']!.post!.requestBody!.content['application/json']!.example).toMatchObject({ isTemplate: true });
  });

  it('describes the error answer once, and points the admin errors at it', () => {
    expect(document.components.schemas.Problem).toMatchObject({ type: 'object', required: ['message', 'errors'] });
    expect(document.paths['/v1/admin/webhook-rejects']!.get!.responses['400']).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } } });
    expect(document.paths['/v1/admin/webhook-rejects']!.get!.parameters).toContainEqual(expect.objectContaining({ name: 'limit', in: 'query', required: false, schema: expect.objectContaining({ type: 'integer', maximum: 1000 }) }));
  });
});

describe('openApiDocument', () => {
  const build = (routes: Parameters<typeof openApiDocument>[0]) => openApiDocument(routes, { version: '1.2.3' });

  it('turns :params into {params}, declaring each, and describes bodies and answers from their TypeBox schemas', () => {
    const Thing = Type.Object({ name: Type.String({ minLength: 1 }), token: Type.String({ secret: true, env: 'THING_TOKEN' } as never) });
    const document = build([
      { method: 'PUT', url: '/v1/admin/things/:thingId', schema: { summary: 'Replace a thing', body: Thing, querystring: Type.Object({ verify: Type.Optional(Type.Boolean({ description: 'check first' })) }), response: { 200: Thing, 204: Type.Null() } } },
      { method: 'HEAD', url: '/v1/admin/things/:thingId' },
    ]);
    expect(shapeProblems(document)).toEqual([]);
    const operation = document.paths['/v1/admin/things/{thingId}']!.put!;
    expect(Object.keys(document.paths['/v1/admin/things/{thingId}']!)).toEqual(['put']);
    expect(operation.parameters).toEqual([
      { name: 'thingId', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'verify', in: 'query', required: false, description: 'check first', schema: { type: 'boolean' } },
    ]);
    const body = operation.requestBody!.content['application/json']!.schema as { properties: Record<string, Record<string, unknown>> };
    expect(body.properties.token).toEqual({ type: 'string', 'x-secret': true, 'x-env': 'THING_TOKEN' });
    expect(operation.responses['422']).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } } });
    expect(operation.responses['204']).toEqual({ description: 'No Content' });
    expect(operation.responses['403']).toEqual({ $ref: '#/components/responses/Forbidden' });
    expect(document.info.version).toBe('1.2.3');
  });

  it('hoists schemas with an $id into components and points their $refs there', () => {
    const Account = Type.Object({ id: Type.String() }, { $id: 'Account' });
    const document = build([{ method: 'GET', url: '/v1/admin/accounts', schema: { summary: 'List', response: { 200: Type.Object({ data: Type.Array(Account), first: Type.Ref('Account') }) } } }]);
    expect(shapeProblems(document)).toEqual([]);
    expect(document.components.schemas.Account).toEqual({ type: 'object', required: ['id'], properties: { id: { type: 'string' } } });
    const answer = (document.paths['/v1/admin/accounts']!.get!.responses['200'] as { content: Record<string, { schema: { properties: Record<string, unknown> } }> }).content['application/json']!.schema;
    expect(answer.properties.data).toEqual({ type: 'array', items: { $ref: '#/components/schemas/Account' } });
    expect(answer.properties.first).toEqual({ $ref: '#/components/schemas/Account' });
  });

  it('lists an admin route without a schema (without a summary, so the test above names it), and leaves out other undescribed routes', () => {
    const document = build([
      { method: 'GET', url: '/v1/admin/forgotten' },
      { method: 'GET', url: '/assets/*' },
      { method: 'GET', url: '/console-only' },
      { method: 'GET', url: '/hidden', schema: { summary: 'x', hide: true } },
    ]);
    expect(Object.keys(document.paths)).toEqual(['/v1/admin/forgotten']);
    expect(document.paths['/v1/admin/forgotten']!.get!.summary).toBeUndefined();
    expect(shapeProblems(document)).toEqual([]);
  });
});
