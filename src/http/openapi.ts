/**
 * @module http/openapi
 * The OpenAPI 3.1 document of the gateway, built from the routes fastify actually registered
 * (an `onRoute` hook, `catalogRoutes`) and their TypeBox schemas, so it cannot describe an API the
 * gateway does not serve. TypeBox emits JSON Schema 2020-12, which OpenAPI 3.1 takes as is; only
 * the configuration schema's own annotations (`secret`, `env`) become `x-` keys. Routes that read
 * their bodies by hand (CleverTap's and Meta's, health, metrics) are described in
 * openapi-hand-written.ts. Every `/v1/admin` route is listed, described or not: the test fails on
 * one without a summary, naming it.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { ProblemSchema } from './problem.js';
import { HAND_WRITTEN_OPERATIONS, type Operation } from './openapi-hand-written.js';

export type { Operation } from './openapi-hand-written.js';

/** What a route declared to fastify, as far as the document needs it. */
export interface RouteRecord {
  method: string;
  url: string;
  schema?: RouteSchema;
}

/** Fastify's route schema plus the descriptive keys fastify passes over (swagger's convention). */
export interface RouteSchema {
  summary?: string;
  description?: string;
  tags?: string[];
  operationId?: string;
  deprecated?: boolean;
  /** Left out of the document. */
  hide?: boolean;
  security?: Array<Record<string, string[]>>;
  querystring?: unknown;
  params?: unknown;
  headers?: unknown;
  body?: unknown;
  response?: Record<string, unknown>;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes: Record<string, unknown>;
    schemas: Record<string, unknown>;
    responses: Record<string, unknown>;
  };
}

/**
 * Keywords of our own in TypeBox schemas (the configuration schema's): annotations only. Fastify's
 * validator must be told of them (its strict mode refuses unknown keywords); the document carries
 * them as `x-secret` and `x-env`.
 */
export const SCHEMA_ANNOTATIONS: readonly string[] = ['secret', 'env'];

export const ADMIN_PREFIX = '/v1/admin';
export const ADMIN_SECURITY = 'adminToken';

/** The gateway's version, the document's `info.version`. */
export const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const catalogs = new WeakMap<object, RouteRecord[]>();

/**
 * Starts recording the routes `app` registers from now on (plugins registered before this call
 * but not loaded yet included: fastify loads them at `ready()`).
 */
/** Whatever its server, logger and type provider. */
type AnyFastify = FastifyInstance<any, any, any, any, any>;

export function catalogRoutes(app: AnyFastify): readonly RouteRecord[] {
  const routes: RouteRecord[] = [];
  catalogs.set(app, routes);
  app.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) {
      routes.push({ method, url: route.url, ...(route.schema ? { schema: route.schema as RouteSchema } : {}) });
    }
  });
  return routes;
}

/** The routes `catalogRoutes` recorded for `app`. */
export function registeredRoutes(app: AnyFastify): readonly RouteRecord[] {
  const routes = catalogs.get(app);
  if (!routes) throw new Error('catalogRoutes() was not called on this app');
  return routes;
}

const TAGS = [
  { name: 'admin', description: 'Operating the gateway. Every call needs `Authorization: Bearer <admin.token>`; without a configured token only direct loopback callers are served.' },
  { name: 'clevertap', description: "CleverTap's Generic (Other) WhatsApp provider contract: what CleverTap calls, with the credentials configured on the account." },
  { name: 'meta', description: "Meta's WhatsApp Cloud API webhook, and what the gateway serves to the people messages reach (inbound media, tracked links)." },
  { name: 'operations', description: 'Probes and metrics for the platform running the gateway.' },
  { name: 'reference', description: 'This document and its reference page; they hold no data and need no token.' },
];

const VALIDATION_STATUS = { body: '422', other: '400' } as const;

export function openApiDocument(routes: readonly RouteRecord[], options: { version?: string } = {}): OpenApiDocument {
  const components = new SchemaComponents();
  const problemRef = components.add('Problem', ProblemSchema);
  const problemResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: problemRef } } } });
  const paths: OpenApiDocument['paths'] = {};
  const operationIds = new Set<string>();

  for (const route of uniqueRoutes(routes)) {
    const path = openApiPath(route.url);
    const method = route.method.toLowerCase();
    const admin = isAdminPath(route.url);
    const schema = route.schema;
    const handWritten = HAND_WRITTEN_OPERATIONS[`${route.method} ${route.url}`];
    if (schema?.hide) continue;
    const described = schema?.summary !== undefined || schema?.response !== undefined;
    if (!described && !handWritten && !admin) continue;

    const operation: Operation = described || !handWritten ? operationFromSchema(route, components, problemResponse) : structuredClone(handWritten);
    operation.operationId = uniqueId(schema?.operationId ?? operation.operationId ?? operationIdOf(route.method, route.url), operationIds);
    operation.parameters = withPathParameters(path, operation.parameters ?? []);
    if (admin) {
      operation.security ??= [{ [ADMIN_SECURITY]: [] }];
      operation.responses['401'] ??= { $ref: '#/components/responses/Unauthorized' };
      operation.responses['403'] ??= { $ref: '#/components/responses/Forbidden' };
    }
    if (!operation.tags?.length) operation.tags = [admin ? 'admin' : 'operations'];
    (paths[path] ??= {})[method] = operation;
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'wabridge',
      version: options.version ?? PACKAGE_VERSION,
      description:
        'A self-hostable WhatsApp gateway: CleverTap\'s Generic (Other) WhatsApp provider contract on Meta\'s WhatsApp Cloud API. ' +
        'Errors outside the CleverTap contract answer `{"message": "<what was wrong>", "errors": [{"field": "<dotted path>", "message": "..."}]}`.',
    },
    tags: TAGS,
    paths: sortedPaths(paths),
    components: {
      securitySchemes: {
        [ADMIN_SECURITY]: {
          type: 'http',
          scheme: 'bearer',
          description: 'The configured `admin.token` (environment `ADMIN_TOKEN`); in sandbox mode, the one generated when none is configured (printed in the start banner). In production mode without one, the admin API answers only direct loopback connections that carry no proxy headers.',
        },
      },
      schemas: components.all(),
      responses: {
        Unauthorized: problemResponse('admin.token is configured and the request does not carry it (`Authorization: Bearer <admin.token>`)'),
        Forbidden: problemResponse('no admin.token is configured and the caller is not a direct loopback connection'),
      },
    },
  };
}

function operationFromSchema(route: RouteRecord, components: SchemaComponents, problemResponse: (description: string) => unknown): Operation {
  const schema = route.schema ?? {};
  const operation: Operation = { responses: {} };
  if (schema.summary) operation.summary = schema.summary;
  if (schema.description) operation.description = schema.description;
  if (schema.tags) operation.tags = [...schema.tags];
  if (schema.deprecated) operation.deprecated = true;
  if (schema.security) operation.security = schema.security;
  operation.parameters = [
    ...parametersOf(schema.params, 'path', components),
    ...parametersOf(schema.querystring, 'query', components),
    ...parametersOf(schema.headers, 'header', components),
  ];
  if (schema.body !== undefined) {
    operation.requestBody = { required: true, content: contentOf(schema.body, components) };
    operation.responses[VALIDATION_STATUS.body] = problemResponse('the body does not match its schema; `errors` names each field at fault');
  }
  if (schema.querystring !== undefined || schema.params !== undefined) {
    operation.responses[VALIDATION_STATUS.other] = problemResponse('a query or path parameter is not valid; `errors` names it');
  }
  for (const [status, response] of Object.entries(schema.response ?? {})) {
    operation.responses[status] = responseOf(status, response, components);
  }
  if (Object.keys(operation.responses).length === 0) operation.responses['default'] = { description: 'the answer (not described yet)' };
  return operation;
}

function parametersOf(schema: unknown, location: 'path' | 'query' | 'header', components: SchemaComponents): Array<Record<string, unknown>> {
  const object = schema as { properties?: Record<string, Record<string, unknown>>; required?: string[] } | undefined;
  if (!object?.properties) return [];
  return Object.entries(object.properties).map(([name, property]) => {
    const { description, ...rest } = components.convert(property) as Record<string, unknown>;
    return {
      name,
      in: location,
      // A property with a default is filled in by validation: the caller may leave it out.
      required: location === 'path' || ((object.required?.includes(name) ?? false) && property.default === undefined),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

/** A fastify body or response schema: either a schema, or `{ content: { <type>: { schema } } }`. */
function contentOf(schema: unknown, components: SchemaComponents): Record<string, { schema: unknown }> {
  const content = (schema as { content?: Record<string, { schema: unknown }> }).content;
  if (content && typeof content === 'object') {
    return Object.fromEntries(Object.entries(content).map(([type, entry]) => [type, { schema: components.convert(entry.schema) }]));
  }
  return { 'application/json': { schema: components.convert(schema) } };
}

function responseOf(status: string, response: unknown, components: SchemaComponents): Record<string, unknown> {
  const given = response as { description?: unknown; type?: unknown; content?: unknown };
  const description = typeof given.description === 'string' ? given.description : (STATUS_CODES[Number(status)] ?? (status === 'default' ? 'any other answer' : status));
  if (status === '204' || given.type === 'null') return { description };
  return { description, content: contentOf(response, components) };
}

/** Declares path parameters no schema declared, so every `{name}` in a path has its parameter. */
function withPathParameters(path: string, parameters: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const declared = new Set(parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name));
  const missing = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!).filter((name) => !declared.has(name));
  return [...missing.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })), ...parameters];
}

/**
 * Hoists schemas that carry an `$id` into `components.schemas` and points `$ref`s at them, as it
 * does wherever a component added by name (the error answer) is used again; keeps standard
 * keywords, and turns the configuration schema's annotations into `x-` extensions.
 */
class SchemaComponents {
  private readonly schemas: Record<string, unknown> = {};
  /** A named component's JSON (its description aside) → its `$ref`. */
  private readonly named = new Map<string, string>();

  add(name: string, schema: unknown): string {
    const converted = this.convert(schema, true);
    this.schemas[name] = converted;
    const ref = `#/components/schemas/${name}`;
    this.named.set(withoutDescription(converted), ref);
    return ref;
  }

  all(): Record<string, unknown> {
    return Object.fromEntries(Object.entries(this.schemas).sort(([a], [b]) => a.localeCompare(b)));
  }

  convert(schema: unknown, top = false): unknown {
    if (Array.isArray(schema)) return schema.map((item) => this.convert(item));
    if (schema === null || typeof schema !== 'object') return schema;
    const source = schema as Record<string, unknown>;
    if (!top && typeof source.$id === 'string') {
      const name = componentName(source.$id);
      if (!(name in this.schemas)) {
        this.schemas[name] = {};
        this.schemas[name] = this.convert(source, true);
      }
      return { $ref: `#/components/schemas/${name}` };
    }
    if (!top && source.type === 'object' && this.named.size > 0) {
      const ref = this.named.get(withoutDescription(this.convert(source, true)));
      if (ref) return { $ref: ref };
    }
    const out: Record<string, unknown> = {};
    // Object.keys: TypeBox's own markers (`~kind`, `~optional`) are not enumerable.
    for (const key of Object.keys(source)) {
      const value = source[key];
      if (key === '$id') continue;
      if (SCHEMA_ANNOTATIONS.includes(key)) out[`x-${key}`] = value;
      else if (key === '$ref' && typeof value === 'string' && !value.startsWith('#')) out.$ref = `#/components/schemas/${componentName(value)}`;
      else if (key === 'properties' || key === 'patternProperties' || key === '$defs' || key === 'dependentSchemas') {
        out[key] = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, inner]) => [name, this.convert(inner)]));
      } else out[key] = typeof value === 'object' ? this.convert(value) : value;
    }
    return out;
  }
}

function withoutDescription(schema: unknown): string {
  const { description: _description, ...rest } = schema as Record<string, unknown>;
  return JSON.stringify(rest);
}

function componentName(id: string): string {
  return id.replace(/#$/, '').replace(/^.*\//, '').replace(/[^A-Za-z0-9._-]/g, '_');
}

function uniqueRoutes(routes: readonly RouteRecord[]): RouteRecord[] {
  const seen = new Map<string, RouteRecord>();
  for (const route of routes) {
    // HEAD: fastify adds one beside each GET; the GET describes both. Wildcards serve files, not API.
    if (route.method === 'HEAD' || route.method === 'OPTIONS' || route.url.includes('*')) continue;
    const key = `${route.method} ${route.url.replace(/\/+$/, '') || '/'}`;
    if (!seen.has(key)) seen.set(key, route);
  }
  return [...seen.values()];
}

export function isAdminPath(url: string): boolean {
  return url === ADMIN_PREFIX || url.startsWith(`${ADMIN_PREFIX}/`);
}

/** `/v1/clevertap/:accountId/messages` → `/v1/clevertap/{accountId}/messages` (a `(regex)` dropped). */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)(\([^)]*\))?/g, '{$1}').replace(/(.)\/+$/, '$1');
}

function operationIdOf(method: string, url: string): string {
  const words = openApiPath(url)
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1));
  return method.toLowerCase() + words.join('');
}

function uniqueId(id: string, taken: Set<string>): string {
  let candidate = id;
  for (let n = 2; taken.has(candidate); n++) candidate = `${id}${n}`;
  taken.add(candidate);
  return candidate;
}

function sortedPaths<T>(paths: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b)));
}
