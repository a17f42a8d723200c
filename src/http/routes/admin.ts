/**
 * @module http/routes/admin
 * `GET /v1/admin/stats`: what the gateway has accepted, sent and is still holding. Protected by
 * `admin.token` when one is configured; without one, only loopback callers are served.
 */
import type { FastifyPluginAsync } from 'fastify';
import { problem } from '../problem.js';
import { sameSecret } from '../constant-time.js';

export interface AdminSource {
  stats(): Promise<unknown>;
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
};


function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1' || address === undefined;
}
