/**
 * @module test/fuzz/invariants
 * What must hold for every answer, whatever was sent: a complete HTTP answer (the sender
 * reached `exchange`'s end, so there was no hang or reset), never a 5xx (no store faults are
 * injected), a readable reason with every 4xx the gateway writes itself, and on CleverTap's
 * messaging endpoint only the contract's answers (spec §2, src/clevertap/responses.ts).
 */
import {
  BAD_REQUEST_BODY,
  SEND_ERROR_CODES,
  SUCCESS_BODY,
  TOO_MANY_REQUESTS_BODY,
} from '../../src/clevertap/responses.js';
import { bodyBytes } from './cases.js';
import type { SentRequest } from './target.js';

const SEND_CODES = new Set<number>(Object.values(SEND_ERROR_CODES));
const JSON_CONTENT_TYPES = new Set(['application/json', 'application/json; charset=utf-8']);

/** The first invariant `sent` breaks, as a sentence; undefined when all hold. */
export function violation(sent: SentRequest, options: { accountId: string; bodyLimitBytes: number }): string | undefined {
  const { request, response } = sent;
  const answer = `${response.status} ${JSON.stringify(response.body.subarray(0, 300).toString('utf8'))}`;
  if (response.status < 100 || response.status > 599) return `not an HTTP answer: ${answer}`;
  if (response.status >= 500) return `5xx without an injected fault: ${answer}`;

  const path = request.target.split('?')[0]!;
  const messaging = request.method === 'POST' && /^\/v1\/clevertap\/[^/]*\/messages\/?$/.test(path);
  if (messaging) {
    const problem = clevertapAnswerProblem(response.status, response.body);
    if (problem) return `the messaging endpoint answered outside CleverTap's contract (${problem}): ${answer}`;
    // A well-formed request CleverTap could send must get a 200 (or 429): CleverTap reads the body only on 200.
    if (path === `/v1/clevertap/${options.accountId}/messages` && isJsonObjectSend(sent, options.bodyLimitBytes) && response.status !== 200 && response.status !== 429) {
      return `a JSON object with valid credentials was not answered 200: ${answer}`;
    }
    return undefined;
  }

  // Meta retries anything but a 200 for days: a signed JSON object is acknowledged, whatever is
  // inside it (items that cannot be understood are kept for inspection, issue 9 point 1).
  if (request.method === 'POST' && path === '/v1/whatsapp/webhook' && request.sign === 'valid' && isJsonObjectBody(sent, options.bodyLimitBytes) && response.status !== 200) {
    return `a signed JSON object webhook was not acknowledged with 200: ${answer}`;
  }

  // Everything else: a 4xx written by the gateway says why. Node's own HTTP parser answers
  // malformed requests (bad method, header flood, over-long line) before any route runs, with
  // an empty body and `connection: close`; that is a clear answer too.
  if (response.status >= 400 && request.method !== 'HEAD' && response.body.length > 0) {
    const body = parseJson(response.body);
    if (!isObject(body) || typeof body['message'] !== 'string') return `a 4xx without a readable reason: ${answer}`;
  }
  return undefined;
}

/** Why a messaging-endpoint answer is not one of the contract's, or undefined. */
export function clevertapAnswerProblem(status: number, bodyBuffer: Buffer): string | undefined {
  const text = bodyBuffer.toString('utf8');
  if (status === 200) {
    if (text === SUCCESS_BODY) return undefined;
    const body = parseJson(bodyBuffer);
    if (!isObject(body) || body['status'] !== 'failure' || Object.keys(body).length !== 2) return 'a 200 that is neither success nor failure';
    const error = body['error'];
    if (!isObject(error) || Object.keys(error).length !== 2) return 'a failure without {code, message}';
    if (typeof error['code'] !== 'number' || !SEND_CODES.has(error['code'])) return `an unknown code ${String(error['code'])}`;
    if (typeof error['message'] !== 'string' || error['message'] === '') return 'a failure without a message';
    if (error['message'].length > 1_000) return 'a failure message of more than 1,000 characters';
    return undefined;
  }
  if (status === 429) return text === TOO_MANY_REQUESTS_BODY ? undefined : 'a 429 with another body';
  if (status === 403) return text === BAD_REQUEST_BODY ? undefined : 'a 403 with another body';
  // Outside the contract but still a clear answer (house rule): a 4xx problem body saying what was wrong,
  // for what CleverTap never sends (no body, not JSON, unknown account, over the body limit).
  if (status >= 400 && status < 500) {
    const body = parseJson(bodyBuffer);
    if (isObject(body) && typeof body['message'] === 'string' && body['message'] !== '' && Array.isArray(body['errors'])) return undefined;
    return `a ${status} without a {message, errors} body`;
  }
  return `status ${status}`;
}

/** Whether this is a send CleverTap itself could make: valid token and a JSON object body. */
function isJsonObjectSend(sent: SentRequest, bodyLimitBytes: number): boolean {
  return sent.request.auth === 'valid' && isJsonObjectBody(sent, bodyLimitBytes);
}

/** A JSON object body, valid UTF-8, under the limit, sent as JSON (with a length or chunked). */
function isJsonObjectBody(sent: SentRequest, bodyLimitBytes: number): boolean {
  const { request } = sent;
  const types = request.headers.filter(([name]) => name.toLowerCase() === 'content-type');
  if (types.length !== 1 || !JSON_CONTENT_TYPES.has(types[0]![1])) return false;
  const body = bodyBytes(request.body);
  if (body.length === 0 || body.length > bodyLimitBytes) return false;
  const text = body.toString('utf8');
  // Not valid UTF-8: the gateway may fairly refuse it as unreadable.
  if (!Buffer.from(text, 'utf8').equals(body)) return false;
  return isObject(parseJson(body));
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
