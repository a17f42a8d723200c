/**
 * @module http/routes/health
 * `GET /healthz` (the process answers) and `GET /readyz` (it is accepting and sending).
 */
import type { FastifyPluginAsync } from 'fastify';

export interface HealthSource {
  ready(): boolean;
}

export const healthRoutes: FastifyPluginAsync<{ health: HealthSource }> = async (app, { health }) => {
  app.get('/healthz', async (_request, reply) => reply.type('application/json').send('{"status":"ok"}'));
  app.get('/readyz', async (_request, reply) =>
    health.ready()
      ? reply.type('application/json').send('{"status":"ready"}')
      : reply.code(503).type('application/json').send('{"status":"starting"}'),
  );
};
