/**
 * @module http/routes/health
 * `GET /healthz` (the process answers) and `GET /readyz` (it is accepting and sending). Readiness
 * is what a load balancer acts on, so it is false not only while starting and stopping but also
 * while the store cannot write (a full disk, a file gone read-only): new messages would be
 * answered 500 here, and CleverTap is better served by another replica until this one recovers.
 * The process stays live meanwhile (`/healthz`): restarting it would not bring the disk back.
 */
import type { FastifyPluginAsync } from 'fastify';

export interface HealthSource {
  /** False until the gateway has started, and again once it is stopping. */
  ready(): boolean;
  /** Why the store cannot write, if it cannot (no file paths: /readyz is unauthenticated). */
  storeFault?(): string | undefined;
}

export const healthRoutes: FastifyPluginAsync<{ health: HealthSource }> = async (app, { health }) => {
  app.get('/healthz', async (_request, reply) => reply.type('application/json').send('{"status":"ok"}'));
  app.get('/readyz', async (_request, reply) => {
    if (!health.ready()) return reply.code(503).type('application/json').send('{"status":"starting"}');
    const fault = health.storeFault?.();
    if (fault !== undefined) return reply.code(503).type('application/json').send({ status: 'unavailable', reason: `the store cannot write: ${fault}` });
    return reply.type('application/json').send('{"status":"ready"}');
  });
};
