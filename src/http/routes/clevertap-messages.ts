/**
 * @module http/routes/clevertap-messages
 * `POST /v1/clevertap/{accountId}/messages`: CleverTap's single endpoint for template and
 * freeform sends (spec §1–§2). CleverTap reads the body only on HTTP 200, so every
 * per-message problem is a 200 with a failure code; 429 means "shed load", 500 a genuine fault.
 * What to answer is decided by the send intake (pipeline/send-intake.ts); this route only
 * carries it over HTTP.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { IntakeAnswer, SendIntake } from '../../pipeline/send-intake.js';
import { problem } from '../problem.js';

const JSON_TYPE = 'application/json; charset=utf-8';

export interface ClevertapMessagesOptions {
  intake: SendIntake;
}

export const clevertapMessagesRoute: FastifyPluginAsync<ClevertapMessagesOptions> = async (app, { intake }) => {
  app.post<{ Params: { accountId: string } }>('/v1/clevertap/:accountId/messages', (request, reply) => {
    const answer = intake.handle(request.params.accountId, request.headers, request.body, undefined, request.id);
    return answer instanceof Promise ? answer.then((settled) => send(reply, settled)) : send(reply, answer);
  });
};

function send(reply: FastifyReply, answer: IntakeAnswer): FastifyReply {
  if ('reason' in answer) return problem(reply, answer.status, answer.reason);
  return reply.code(answer.status).type(JSON_TYPE).send(answer.body);
}
