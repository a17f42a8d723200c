/**
 * @module sim/clevertap/server
 * The fastify instance behind the simulator. Every body arrives as raw bytes and is parsed by the
 * routes themselves, so malformed JSON on a callback URL is recorded and explained like any other
 * rejected body instead of being answered by fastify's generic error.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { registerControlApi } from './control-api.js';
import type { ReceiverState } from './receiver-state.js';
import { registerReceiverRoutes, type HeldRequests } from './receiver-routes.js';

const BODY_LIMIT = 4 * 1024 * 1024;

export function buildServer(state: ReceiverState, held: HeldRequests, reset: () => void): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    // The gateway keeps callback connections alive; closing must not wait for it to hang up.
    forceCloseConnections: true,
    return503OnClosing: false,
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0] ?? ''}; callbacks go to POST /dlr or POST /imo` }),
  );
  registerReceiverRoutes(app, state, held);
  registerControlApi(app, state, reset);
  return app;
}
