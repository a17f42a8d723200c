/**
 * @module http/routes/clevertap-messages
 * `POST /v1/clevertap/{accountId}/messages`: CleverTap's single endpoint for template and
 * freeform sends (spec §1–§2). CleverTap reads the body only on HTTP 200, so every
 * per-message problem is a 200 with a failure code; 429 means "shed load", 500 a genuine fault.
 * The answer comes only after the message and its send job are committed.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ResolvedAccount } from '../../config/accounts.js';
import {
  callbackOverridesFromHeaders,
  checkClevertapAuth,
  failureBody,
  INTERNAL_ERROR_BODY,
  INVALID_CREDENTIALS_BODY,
  parseSendRequest,
  PHONE_NOT_SUBSCRIBED_MESSAGE,
  SUCCESS_BODY,
  TOO_MANY_REQUESTS_BODY,
} from '../../clevertap/index.js';
import { newMessageId } from '../../domain/ids.js';
import type { OutboundMessage } from '../../domain/message.js';
import { OverloadedError, type AcceptExtras, type Acceptor } from '../../pipeline/acceptor.js';
import { trackUrlButtons } from '../../pipeline/click-tracking.js';
import { problem } from '../problem.js';
import type { LoadShedder } from '../load-shedder.js';
import type { OptOutRegistry } from '../../pipeline/opt-outs.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const NOT_SUBSCRIBED_BODY = failureBody(2003, PHONE_NOT_SUBSCRIBED_MESSAGE);

export interface ClevertapMessagesOptions {
  accounts: readonly ResolvedAccount[];
  acceptor: Acceptor;
  loadShedder: LoadShedder;
  optOuts: OptOutRegistry;
}

export const clevertapMessagesRoute: FastifyPluginAsync<ClevertapMessagesOptions> = async (app, { accounts, acceptor, loadShedder, optOuts }) => {
  const byId = new Map(accounts.map((account) => [account.id, account]));

  app.post<{ Params: { accountId: string } }>('/v1/clevertap/:accountId/messages', async (request, reply) => {
    const account = byId.get(request.params.accountId);
    if (!account) return problem(reply, 404, `no account "${request.params.accountId}" is configured`);
    const answer = (body: string, status = 200) => reply.code(status).type(JSON_TYPE).send(body);

    if (!checkClevertapAuth(account.clevertap.auth, request.headers)) return answer(INVALID_CREDENTIALS_BODY);
    if (loadShedder.overloaded) return answer(TOO_MANY_REQUESTS_BODY, 429);

    const raw = request.body;
    if (!Buffer.isBuffer(raw) || raw.length === 0) return problem(reply, 400, 'the request body is empty; expected a JSON object');
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      return problem(reply, 400, `the request body is not valid JSON: ${(error as Error).message}`);
    }

    const parsed = parseSendRequest(body, {
      ...(account.defaultCountryCode ? { defaultCountryCode: account.defaultCountryCode } : {}),
      ...(account.clevertap.languageOverrides ? { languageOverrides: account.clevertap.languageOverrides } : {}),
    });
    if (parsed.kind === 'validation') return answer(SUCCESS_BODY);
    if (parsed.kind === 'rejected') return answer(failureBody(parsed.code, parsed.message));
    if (parsed.request.wabaNumber !== account.wabaNumber) {
      return answer(failureBody(2004, `wabaNumber ${parsed.request.wabaNumber} is not the number of account "${account.id}" (${account.wabaNumber})`));
    }

    if (parsed.request.content.kind === 'template' && optOuts.has(account.id, parsed.request.to)) {
      return answer(NOT_SUBSCRIBED_BODY);
    }

    const message: OutboundMessage = { ...parsed.request, id: newMessageId(), accountId: account.id, acceptedAt: Date.now() };
    let extras: AcceptExtras | undefined;
    if (account.clevertap.clickTracking.enabled) {
      const tracked = trackUrlButtons(message.content);
      if (tracked.links.length > 0) {
        message.content = tracked.content;
        extras = { clickLinks: tracked.links };
      }
    }
    const callbacks = callbackOverridesFromHeaders(request.headers);
    if (callbacks) message.callbacks = callbacks;
    try {
      await acceptor.accept(message, extras);
      return answer(SUCCESS_BODY);
    } catch (error) {
      if (error instanceof OverloadedError) return answer(TOO_MANY_REQUESTS_BODY, 429);
      request.log.error({ err: error, accountId: account.id }, 'could not store an accepted message');
      return answer(INTERNAL_ERROR_BODY, 500);
    }
  });
};
