/**
 * @module http/routes/whatsapp-webhook
 * Meta's webhook: the `GET` verification handshake and signed `POST` deliveries. What a delivery
 * means is decided by the webhook intake (pipeline/webhook-intake.ts), which checks the signature
 * over the raw bytes before anything is parsed; this route only carries its answer over HTTP.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { AccountDirectory } from '../../config/accounts.js';
import type { WebhookIntake } from '../../pipeline/webhook-intake.js';
import { problem } from '../problem.js';
import { sameSecret } from '../constant-time.js';

export interface WhatsappWebhookOptions {
  accounts: Pick<AccountDirectory, 'webhookVerifyTokens'>;
  intake: WebhookIntake;
}

export const WEBHOOK_PATH = '/v1/whatsapp/webhook';
const JSON_TYPE = 'application/json; charset=utf-8';

export const whatsappWebhookRoutes: FastifyPluginAsync<WhatsappWebhookOptions> = async (app, { accounts, intake }) => {
  app.get<{ Querystring: Record<string, string | string[] | undefined> }>(WEBHOOK_PATH, async (request, reply) => {
    const { 'hub.mode': mode, 'hub.verify_token': token = '', 'hub.challenge': challenge = '' } = request.query;
    // Meta sends each once; a repeated one (an array here) is no handshake of Meta's.
    if (Array.isArray(mode) || Array.isArray(token) || Array.isArray(challenge)) {
      return problem(reply, 400, 'hub.mode, hub.verify_token and hub.challenge must each be given once');
    }
    // Every token is compared, so the time taken does not say which (or whether one) matched.
    // Read per request: accounts (and their tokens) change at runtime.
    const matches = accounts.webhookVerifyTokens.map((expected) => sameSecret(token, expected)).some(Boolean);
    if (mode !== 'subscribe' || !matches) return problem(reply, 403, 'hub.mode must be subscribe and hub.verify_token must match an account');
    // The challenge is echoed as given: never to be sniffed into anything but text.
    return reply.type('text/plain; charset=utf-8').header('x-content-type-options', 'nosniff').send(challenge);
  });

  app.post(WEBHOOK_PATH, async (request, reply) => {
    const answer = await intake.handle(request.headers, request.body, request.id);
    if ('reason' in answer) return problem(reply, answer.status, answer.reason);
    return reply.code(answer.status).type(JSON_TYPE).send(answer.body);
  });
};
