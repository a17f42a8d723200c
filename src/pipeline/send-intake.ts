/**
 * @module pipeline/send-intake
 * Everything the messaging endpoint decides about one CleverTap send, without the HTTP
 * framework: credentials, load, parsing, the account's number, opt-outs, template pre-flight,
 * template-save probes, click tracking, and finally the durable commit. The route only turns
 * the answer into a response, so a leaner HTTP front can reuse it unchanged.
 *
 * Order matters: pre-flight runs before click tracking, because it reduces a whole URL that
 * starts with the template's base to the suffix Meta wants, and only what is left (a destination
 * elsewhere) is a link to track.
 */
import type { Logger } from 'pino';
import { describeStorageFault, isStorageFault } from '../store/store-unavailable.js';
import type { AccountDirectory, ResolvedAccount } from '../config/accounts.js';
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
  type ParseOptions,
  type RequestHeaders,
} from '../clevertap/index.js';
import { newMessageId } from '../domain/ids.js';
import type { OutboundMessage, OutboundRequest } from '../domain/message.js';
import { OverloadedError, type AcceptExtras, type Acceptor } from './acceptor.js';
import { trackUrlButtons } from './click-tracking.js';
import type { OptOutRegistry } from './opt-outs.js';
import { preflightTemplate, type TemplateIndex } from './template-preflight.js';
import type { PreflightOutcome } from '../store/message-store.js';

/**
 * A CleverTap-contract answer (`body` is sent as JSON), or a 4xx outside the contract with a reason.
 * `messageId` names the message an answer accepted and stored (not sent to CleverTap: the admin
 * API's send-test shows it).
 */
export type IntakeAnswer = { status: 200 | 429 | 500; body: string; messageId?: string } | { status: 400 | 404; reason: string };

export interface SendIntakeOptions {
  accounts: AccountDirectory;
  acceptor: Acceptor;
  optOuts: OptOutRegistry;
  /**
   * True when the request must be shed (answered 429 before any work); `receivedAt` is the
   * request's `performance.now()` when its headers were read, when the HTTP front knows it.
   */
  overloaded(receivedAt?: number): boolean;
  /**
   * The account's synced templates; undefined until a sync has succeeded, and then sends pass
   * unvalidated. Absent when pre-flight is switched off.
   */
  templatesFor?(accountId: string): TemplateIndex | undefined;
  log: Logger;
}

const NOT_SUBSCRIBED_BODY = failureBody(2003, PHONE_NOT_SUBSCRIBED_MESSAGE);
const SUCCESS: IntakeAnswer = { status: 200, body: SUCCESS_BODY };
const INVALID_CREDENTIALS: IntakeAnswer = { status: 200, body: INVALID_CREDENTIALS_BODY };
export const TOO_MANY_REQUESTS = { status: 429, body: TOO_MANY_REQUESTS_BODY } as const satisfies IntakeAnswer;
const NOT_SUBSCRIBED: IntakeAnswer = { status: 200, body: NOT_SUBSCRIBED_BODY };

export interface SendIntake {
  /**
   * Answers one request. Synchronous unless the message must be committed, so rejections and
   * validation payloads cost no promise. `requestId` (the HTTP request's id) is carried by every
   * log line written for the request.
   */
  handle(accountId: string, headers: RequestHeaders, rawBody: unknown, receivedAt?: number, requestId?: string | number): IntakeAnswer | Promise<IntakeAnswer>;
}

export function createSendIntake(options: SendIntakeOptions): SendIntake {
  const { accounts, acceptor, optOuts, templatesFor, log } = options;
  // Worked out once per account, not per send.
  const parseOptions = new WeakMap<ResolvedAccount, ParseOptions>();
  const parseOptionsFor = (account: ResolvedAccount) => {
    let found = parseOptions.get(account);
    if (!found) parseOptions.set(account, (found = parseOptionsOf(account)));
    return found;
  };
  // Logged once per account, not per send: until a sync succeeds every template send would say it.
  const warnedUnvalidated = new Set<string>();

  async function commit(message: OutboundMessage, extras: AcceptExtras | undefined, reqId: string | number | undefined): Promise<IntakeAnswer> {
    try {
      await acceptor.accept(message, extras);
      return { status: 200, body: SUCCESS_BODY, messageId: message.id };
    } catch (error) {
      if (error instanceof OverloadedError) return TOO_MANY_REQUESTS;
      // A full disk or a read-only store is logged once by the store's write health (and shown by
      // /readyz); a stack trace per refused message would add a thousand lines a second to it.
      if (isStorageFault(error)) log.debug({ reqId, accountId: message.accountId, reason: describeStorageFault(error) }, 'could not store a message: the store cannot write');
      else log.error({ reqId, err: error, accountId: message.accountId }, 'could not store an accepted message');
      return { status: 500, body: INTERNAL_ERROR_BODY };
    }
  }

  return {
    handle(accountId, headers, rawBody, receivedAt, requestId) {
      const account = accounts.byId(accountId);
      if (!account) return { status: 404, reason: `no account "${accountId}" is configured` };
      if (!checkClevertapAuth(account.clevertap.auth, headers)) return INVALID_CREDENTIALS;
      if (options.overloaded(receivedAt)) return TOO_MANY_REQUESTS;

      if (!Buffer.isBuffer(rawBody) || rawBody.length === 0) return { status: 400, reason: 'the request body is empty; expected a JSON object' };
      let body: unknown;
      try {
        body = JSON.parse(rawBody.toString('utf8'));
      } catch (error) {
        return { status: 400, reason: `the request body is not valid JSON: ${(error as Error).message}` };
      }

      const parsed = parseSendRequest(body, parseOptionsFor(account));
      if (parsed.kind === 'validation') return SUCCESS;
      if (parsed.kind === 'rejected') return { status: 200, body: failureBody(parsed.code, parsed.message) };
      const request: OutboundRequest = parsed.request;
      if (request.wabaNumber !== account.wabaNumber) {
        return {
          status: 200,
          body: failureBody(2004, `wabaNumber ${request.wabaNumber} is not the number of account "${account.id}" (${account.wabaNumber})`),
        };
      }

      let content = request.content;
      let preflight: PreflightOutcome | undefined;
      if (content.kind === 'template') {
        if (templatesFor) {
          const index = templatesFor(account.id);
          const checked = preflightTemplate(content, index, { clickTracking: account.clevertap.clickTracking.enabled });
          if (!checked.ok) return { status: 200, body: failureBody(2001, checked.message) };
          if (checked.unvalidated && !warnedUnvalidated.has(account.id)) {
            warnedUnvalidated.add(account.id);
            log.warn({ reqId: requestId, accountId: account.id }, 'templates have not been synced yet: template sends pass unvalidated until a sync succeeds');
          } else if (!checked.unvalidated) warnedUnvalidated.delete(account.id);
          // Pre-flight copies the content only when it rewrote something.
          preflight = checked.unvalidated ? 'unvalidated' : checked.content !== content ? 'repaired' : 'passed';
          content = checked.content;
        }
        // A template-save probe is answered once it is known to be valid; it never reaches WhatsApp.
        if (account.clevertap.probeNumbers.has(request.to)) return SUCCESS;
        if (optOuts.has(account.id, request.to)) return NOT_SUBSCRIBED;
      }

      const message: OutboundMessage = { ...request, content, id: newMessageId(), accountId: account.id, acceptedAt: Date.now() };
      let extras: AcceptExtras | undefined = preflight && { preflight };
      if (account.clevertap.clickTracking.enabled) {
        const tracked = trackUrlButtons(message.content);
        if (tracked.links.length > 0) {
          message.content = tracked.content;
          extras = { ...extras, clickLinks: tracked.links };
        }
      }
      const callbacks = callbackOverridesFromHeaders(headers);
      if (callbacks) message.callbacks = callbacks;
      return commit(message, extras, requestId);
    },
  };
}

function parseOptionsOf(account: ResolvedAccount): ParseOptions {
  return {
    ...(account.defaultCountryCode ? { defaultCountryCode: account.defaultCountryCode } : {}),
    ...(account.clevertap.languageOverrides ? { languageOverrides: account.clevertap.languageOverrides } : {}),
  };
}
