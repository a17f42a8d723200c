/**
 * @module http/routes/admin
 * The admin API. `GET /v1/admin/stats`: what the gateway has accepted, sent and is still holding.
 * `GET /v1/admin/templates`: how each account's template sync stands; `POST
 * /v1/admin/templates/sync` (optionally `?account=<id>`): sync now and answer with the outcome.
 * Protected by `admin.token` when one is configured; without one, only loopback callers are served.
 */
import type { FastifyPluginAsync } from 'fastify';
import { problem } from '../problem.js';
import { sameSecret } from '../constant-time.js';

export interface AdminSource {
  stats(): Promise<unknown>;
  templates: {
    status(): Promise<unknown>;
    hasAccount(accountId: string): boolean;
    /** One account, or every account when `accountId` is undefined. */
    sync(accountId: string | undefined): Promise<readonly { ok: boolean }[]>;
  };
}

export const adminRoutes: FastifyPluginAsync<{ admin: AdminSource; token?: string }> = async (app, { admin, token }) => {
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/v1/admin/')) return;
    if (token) {
      const given = String(request.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
      if (!sameSecret(given, token)) return problem(reply, 401, 'a valid admin token is required (Authorization: Bearer <admin.token>)');
    } else if (!isLoopback(request.socket.remoteAddress)) {
      return problem(reply, 403, 'the admin API is served to loopback only until admin.token is configured');
    }
  });
  app.get('/v1/admin/stats', async (_request, reply) => reply.type('application/json').send(JSON.stringify(await admin.stats())));
  app.get('/v1/admin/templates', async (_request, reply) => reply.type('application/json').send(JSON.stringify(await admin.templates.status())));
  app.post<{ Querystring: { account?: string } }>('/v1/admin/templates/sync', async (request, reply) => {
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


function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1' || address === undefined;
}
