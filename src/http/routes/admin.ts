/**
 * @module http/routes/admin
 * The admin API. `GET /v1/admin/stats`: what the gateway has accepted, sent and is still holding.
 * `GET /v1/admin/templates`: how each account's template sync stands; `POST
 * /v1/admin/templates/sync` (optionally `?account=<id>`): sync now and answer with the outcome.
 * `GET /v1/admin/webhook-rejects?limit=`: Meta webhook items that could not be understood, kept
 * for inspection (they were acknowledged, so Meta does not send them again).
 *
 * Who may call it is decided once for every route of this plugin (an encapsulated hook), so the
 * decision follows the route the router matched, however its URL was spelled (`/v1/%61dmin/…`,
 * absolute-form request lines). With `admin.token` (`ADMIN_TOKEN`) configured, every caller must
 * present it. Without one, only a caller whose TCP connection comes from loopback is served, and
 * not when the request carries a proxy's forwarding headers: behind a reverse proxy on the same
 * host every client would otherwise look local.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Value } from 'typebox/value';
import { isIP } from 'node:net';
import { problem } from '../problem.js';
import { sameSecret } from '../constant-time.js';
import type { DeadLetterSource } from './admin-dead-letters.js';
import { STATS_SCHEMA, TEMPLATES_SCHEMA, TEMPLATES_SYNC_SCHEMA, WEBHOOK_REJECTS_SCHEMA } from './admin-schemas.js';

export interface AdminSource {
  stats(): Promise<unknown>;
  templates: {
    status(): Promise<unknown>;
    hasAccount(accountId: string): boolean;
    /** One account, or every account when `accountId` is undefined. */
    sync(accountId: string | undefined): Promise<readonly { ok: boolean }[]>;
  };
  /** Meta webhook items that could not be understood, kept for inspection, newest first. */
  webhookRejects(limit: number): Promise<unknown[]>;
  /** Callbacks CleverTap never accepted; served by routes/admin-dead-letters.ts. */
  deadLetters?: DeadLetterSource;
}

export interface AdminRoutesOptions {
  admin: AdminSource;
  token?: string;
}

/** Headers a reverse proxy adds on behalf of the client it relays. */
const PROXY_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip', 'via'] as const;

export const adminRoutes: FastifyPluginAsync<AdminRoutesOptions> = async (app, { admin, token }) => {
  // Registered inside this plugin, the hook runs for this plugin's routes only, and for all of them.
  requireAdmin(app, token);
  app.get('/v1/admin/stats', { schema: STATS_SCHEMA }, async (_request, reply) => reply.type('application/json').send(JSON.stringify(await admin.stats())));
  // The query schemas are validated before the handlers run (a bad one is answered 400 naming the parameter).
  app.get<{ Querystring: { limit: number } }>('/v1/admin/webhook-rejects', { schema: WEBHOOK_REJECTS_SCHEMA }, async (request, reply) =>
    reply.type('application/json').send(JSON.stringify({ data: await admin.webhookRejects(request.query.limit) })),
  );
  app.get('/v1/admin/templates', { schema: TEMPLATES_SCHEMA }, async (_request, reply) => reply.type('application/json').send(JSON.stringify(await admin.templates.status())));
  app.post<{ Querystring: { account?: string } }>('/v1/admin/templates/sync', { schema: TEMPLATES_SYNC_SCHEMA }, async (request, reply) => {
    const accountId = request.query.account;
    if (accountId !== undefined && !admin.templates.hasAccount(accountId)) return problem(reply, 404, `no account "${accountId}" is configured`);
    const results = await admin.templates.sync(accountId);
    // 502: the gateway is fine, WhatsApp's side failed (the reason is in each result).
    return reply
      .code(results.every((result) => result.ok) ? 200 : 502)
      .type('application/json')
      .send(JSON.stringify({ results }));
  });
};

type Refusal = { status: 401 | 403; reason: string };

/** Why `request` may not use the admin API, or undefined when it may. */
export function adminRefusal(request: Pick<FastifyRequest, 'headers' | 'socket'>, token: string | undefined): Refusal | undefined {
  if (token) {
    const given = String(request.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
    return sameSecret(given, token) ? undefined : { status: 401, reason: 'a valid admin token is required (Authorization: Bearer <admin.token>)' };
  }
  // The socket's peer, never a header: headers are whatever the client (or a proxy) wrote.
  if (!isLoopback(request.socket?.remoteAddress)) {
    return { status: 403, reason: 'the admin API is served to loopback only until admin.token (ADMIN_TOKEN) is configured' };
  }
  if (PROXY_HEADERS.some((name) => request.headers[name] !== undefined)) {
    return { status: 403, reason: 'this request came through a proxy, so its client is not local; configure admin.token (ADMIN_TOKEN) to use the admin API through it' };
  }
  return undefined;
}

/**
 * Puts every route of the calling plugin (an encapsulated context) under the admin API's access
 * rule: one hook, so a route cannot be added without it.
 */
export function requireAdmin(app: FastifyInstance, token: string | undefined): void {
  app.addHook('onRequest', async (request, reply) => {
    const refusal = adminRefusal(request, token);
    if (refusal) return refuse(reply, refusal);
  });
}

/**
 * Path and query checked with TypeBox (defaults filled, strings converted), errors in Ajv's shape
 * so the app's error handler names each field (http/problem.ts); the body is left to the handler,
 * since the app reads every body as raw bytes.
 */
export function validateParamsWithTypebox(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (httpPart === 'body') return () => true;
    return (data: unknown) => {
      const value = Value.Convert(schema, Value.Default(schema, structuredClone(data ?? {})));
      return Value.Check(schema, value) ? { value } : { error: Value.Errors(schema, value) as unknown as Error };
    };
  });
}

function refuse(reply: FastifyReply, { status, reason }: Refusal): FastifyReply {
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="wabridge admin"');
  return problem(reply, status, reason);
}

/** True for 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6; an unknown peer (socket gone) is not loopback. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return address === '::1' || address === '0:0:0:0:0:0:0:1';
}
