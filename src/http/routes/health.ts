/**
 * @module http/routes/health
 * `GET /healthz` (the process answers) and `GET /readyz` (it is accepting and sending). Readiness
 * is what a load balancer acts on, so it is false not only while starting and stopping but also
 * while the store cannot write (a full disk, a file gone read-only): new messages would be
 * answered 500 here, and CleverTap is better served by another replica until this one recovers.
 * The process stays live meanwhile (`/healthz`): restarting it would not bring the disk back.
 *
 * Not ready, in the order checked: `draining` (SIGTERM: the listener is closing, requests in
 * flight are being answered and committed), `starting` (which covers migrations: the store
 * applies them, or with `store.migrate: false` refuses a schema that lacks one, before the
 * listener opens), `unavailable` with the reason the store cannot write. Once the app
 * is closing, fastify answers every request 503 itself; the lean front (fast-route.ts) still
 * answers `/readyz` on connections that stay open, with the same draining body.
 */
import type { FastifyPluginAsync } from 'fastify';

export interface HealthSource {
  /** False until the gateway has started, and again once it is stopping. */
  ready(): boolean;
  /** True once shutdown has begun (SIGTERM): the gateway finishes what it holds and exits. */
  draining?(): boolean;
  /** Why the store cannot write, if it cannot (no file paths: /readyz is unauthenticated). */
  storeFault?(): string | undefined;
}

export const DRAINING_BODY = JSON.stringify({ status: 'draining', reason: 'the gateway is shutting down: no new requests, those in flight are being answered and committed' });

export const healthRoutes: FastifyPluginAsync<{ health: HealthSource }> = async (app, { health }) => {
  app.get('/healthz', async (_request, reply) => reply.type('application/json').send('{"status":"ok"}'));
  app.get('/readyz', async (_request, reply) => {
    if (health.draining?.()) return reply.code(503).type('application/json').send(DRAINING_BODY);
    if (!health.ready()) return reply.code(503).type('application/json').send('{"status":"starting"}');
    const fault = health.storeFault?.();
    if (fault !== undefined) return reply.code(503).type('application/json').send({ status: 'unavailable', reason: `the store cannot write: ${fault}` });
    return reply.type('application/json').send('{"status":"ready"}');
  });
};
