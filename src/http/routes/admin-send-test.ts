/**
 * @module http/routes/admin-send-test
 * `POST /v1/admin/accounts/{id}/send-test`: sends one CleverTap-shaped message on an account's
 * behalf, for the console's Send test page, which cannot know the account's CleverTap secret
 * (secrets are write-only).
 *
 * The body is what CleverTap posts to `/v1/clevertap/{id}/messages`, and it goes through the same
 * send intake as CleverTap's own requests, in this process, presenting the account's configured
 * credentials from the server side: no HTTP call, no secret leaves the gateway. The answer is what
 * that endpoint would have answered — `{ status, body }`, CleverTap's HTTP status and JSON body
 * (a problem body for the 400 it gives a body that is not JSON) — plus the stored message's id when
 * the message was accepted. So a test that fails here fails the same way for CleverTap.
 *
 * Every send is audited (`message.send-test`, the caller `admin` or `loopback`, the recipient, the
 * msgId and what the endpoint answered; never a credential). Same access rule as the rest of the
 * admin API (routes/admin.ts `requireAdmin`), in this plugin's own hook.
 */
import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import { credentialHeaders } from '../../clevertap/index.js';
import type { AccountDirectory } from '../../config/accounts.js';
import type { SendIntake } from '../../pipeline/send-intake.js';
import type { AuditLog } from '../../store/account-store.js';
import { problem, problemBody, ProblemSchema } from '../problem.js';
import { requireAdmin, validateParamsWithTypebox } from './admin.js';

export interface AdminSendTestOptions {
  /** The send intake CleverTap's endpoint answers with. */
  intake: SendIntake;
  /** Live accounts only: a deleted account's endpoint answers 404, and so does this route. */
  accounts: Pick<AccountDirectory, 'byId'>;
  audit: Pick<AuditLog, 'record'>;
  token?: string;
  now?: () => number;
}

export const SEND_TEST_ACTION = 'message.send-test';

const SendTestAnswerSchema = Type.Object(
  {
    status: Type.Integer({ description: "the HTTP status CleverTap's endpoint answered: 200 (read the body), 429 (shed load), 500, or 400 for a body that is not JSON" }),
    body: Type.Unknown({ description: 'the JSON body it answered, as CleverTap reads it: `{"status":"success"}` or `{"status":"failure","error":{"code","message"}}`' }),
    messageId: Type.Optional(Type.String({ description: "the gateway's id of the message it accepted (GET /v1/admin/messages/{id}); absent when nothing was stored" })),
  },
  { additionalProperties: false },
);

export const ADMIN_SEND_TEST_SCHEMA = {
  summary: "Send a test message on an account's behalf, through its CleverTap endpoint's logic, without its CleverTap credentials",
  description:
    "The body is the JSON CleverTap posts to `/v1/clevertap/{id}/messages` (a template or a freeform message). It is answered exactly as that endpoint would answer it, the account's own credentials presented by the gateway. Audited as `message.send-test`.",
  tags: ['messages'],
  params: Type.Object({ id: Type.String({ minLength: 1, description: 'the account id' }) }),
  body: Type.Object({}, { additionalProperties: true, description: "CleverTap's send request: payloadVersion, to, wabaNumber, isTemplate, msgId, template and components, or type and its content" }),
  response: {
    200: SendTestAnswerSchema,
    404: { ...ProblemSchema, description: 'no live account has this id' },
  },
};

export const adminSendTestRoutes: FastifyPluginAsync<AdminSendTestOptions> = async (app, options) => {
  const { intake, accounts, audit, token } = options;
  const now = options.now ?? Date.now;
  requireAdmin(app, token);
  // The body is the intake's to judge, as on CleverTap's endpoint (fastify sees raw bytes).
  validateParamsWithTypebox(app);
  // The hook let the request through: with a token configured, the caller presented it.
  const actor = token ? 'admin' : 'loopback';

  app.post<{ Params: { id: string } }>('/v1/admin/accounts/:id/send-test', { schema: ADMIN_SEND_TEST_SCHEMA }, async (request, reply) => {
    const { id } = request.params;
    const account = accounts.byId(id);
    if (!account) return problem(reply, 404, `no account "${id}" is configured`);
    const answer = await intake.handle(id, credentialHeaders(account.clevertap.auth), request.body, undefined, request.id);
    const body: unknown = 'reason' in answer ? JSON.parse(problemBody(answer.reason)) : parseJson(answer.body);
    const messageId = 'messageId' in answer ? answer.messageId : undefined;
    try {
      await audit.record({ at: now(), actor, action: SEND_TEST_ACTION, subject: id, details: { ...whatWasSent(request.body), status: answer.status, answer: body, ...(messageId ? { messageId } : {}) } });
    } catch (error) {
      // The message is sent (or refused) already: say so, and leave the missing entry to the log.
      request.log.error({ err: error, accountId: id }, 'could not record a test send in the audit log');
    }
    return reply
      .code(200)
      .type('application/json; charset=utf-8')
      .send(JSON.stringify({ status: answer.status, body, ...(messageId ? { messageId } : {}) }));
  });
};

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** What the audit entry keeps of the request: who it was for and what, not the message itself. */
function whatWasSent(raw: unknown): Record<string, unknown> {
  let request: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw ?? ''));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    request = parsed as Record<string, unknown>;
  } catch {
    return {};
  }
  const template = request['template'] as { namespace?: unknown; languageCode?: unknown } | undefined;
  const picked: Record<string, unknown> = {};
  for (const key of ['to', 'msgId', 'isTemplate', 'type'] as const) {
    const value = request[key];
    if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') picked[key] = value;
  }
  if (template && typeof template.namespace === 'string') picked['template'] = template.namespace;
  if (template && typeof template.languageCode === 'string') picked['language'] = template.languageCode;
  return picked;
}
