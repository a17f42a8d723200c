/**
 * @module http/routes/metrics
 * `GET /metrics`: Prometheus's exposition of the gateway's metrics (src/observability/).
 *
 * A Prometheus beside the gateway scrapes it without credentials: a caller whose TCP connection
 * comes from loopback is served, unless the request carries a proxy's forwarding headers (behind
 * a reverse proxy on the same host every client would look local). Anyone else needs the admin
 * token, exactly as the admin API decides it (`adminRefusal`): with no token configured, nobody
 * else is served. The metrics carry no secrets and no personal data (account ids, counts and
 * durations), but they do say how busy each customer is.
 */
import type { FastifyPluginAsync } from 'fastify';
import { problem } from '../problem.js';
import { adminRefusal, isLoopback } from './admin.js';

export interface MetricsSource {
  scrape(): Promise<{ contentType: string; body: string }>;
}

export interface MetricsRoutesOptions {
  metrics: MetricsSource;
  token?: string;
}

const PROXY_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip', 'via'] as const;

export const metricsRoutes: FastifyPluginAsync<MetricsRoutesOptions> = async (app, { metrics, token }) => {
  app.get('/metrics', async (request, reply) => {
    const local = isLoopback(request.socket?.remoteAddress) && PROXY_HEADERS.every((name) => request.headers[name] === undefined);
    if (!local) {
      const refusal = adminRefusal(request, token);
      if (refusal) {
        if (refusal.status === 401) reply.header('www-authenticate', 'Bearer realm="wabridge admin"');
        const reason = refusal.status === 401 ? refusal.reason : 'metrics are served to loopback only until admin.token (ADMIN_TOKEN) is configured';
        return problem(reply, refusal.status, reason);
      }
    }
    const { contentType, body } = await metrics.scrape();
    return reply.type(contentType).header('cache-control', 'no-store').send(body);
  });
};
