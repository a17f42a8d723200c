/**
 * @module http/fast-route
 * A lean front for the two endpoints that carry the load: CleverTap's campaigns,
 * `POST /v1/clevertap/{accountId}/messages`, and Meta's three status webhooks per message sent,
 * `POST /v1/whatsapp/webhook`. A plain node:http handler reads the body and hands it to the send
 * intake (pipeline/send-intake.ts) or the webhook intake (pipeline/webhook-intake.ts) without
 * fastify's per-request machinery (request and reply objects, a child logger, routing,
 * content-type parsing, hooks). At 1,500 concurrent requests that machinery cost more than the
 * decision itself.
 *
 * It answers exactly as the fastify routes do (src/http/routes/clevertap-messages.ts and
 * whatsapp-webhook.ts, which stay registered for `inject()` and for everything this front
 * declines): same statuses, bodies and content type, the same 413 for an oversized body (checked
 * against Content-Length first, then while reading; the server reads and throws away the rest so
 * the client can read the answer, see http/refused-body.ts), the same problem bodies
 * (`{"message","errors"}`, src/http/problem.ts).
 * Anything it is not certain to answer identically goes to fastify untouched: other methods and
 * paths, percent-encoded or over-long account ids, an absent or unusual Content-Type, and every
 * request once the app is closing (fastify answers those 503).
 *
 * Every request it takes gets an id from the counter fastify's own ids come from (a number
 * here, so naming a request costs nothing until something logs it), and every answer is told to
 * the request observer (the metrics) with its outcome as a number: 0 for success, else the
 * CleverTap failure code or the HTTP status.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { TOO_MANY_REQUESTS, type IntakeAnswer, type SendIntake } from '../pipeline/send-intake.js';
import type { WebhookAnswer, WebhookIntake } from '../pipeline/webhook-intake.js';
import { SUCCESS_BODY } from '../clevertap/responses.js';
import { RequestIds } from './request-ids.js';
import { drainOnEarlyAnswer, type DrainLimits } from './refused-body.js';
import { refuseConnect } from './client-errors.js';
import { problemBody } from './problem.js';
import { DRAINING_BODY } from './routes/health.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const PREFIX = '/v1/clevertap/';
const SUFFIX = '/messages';
const WEBHOOK_PATH = '/v1/whatsapp/webhook';
/** find-my-way's default maxParamLength: a longer id is fastify's to answer (414). */
const MAX_ACCOUNT_ID_LENGTH = 100;

/**
 * Content types every fastify version here parses with the catch-all buffer parser (so the
 * answer cannot differ). Anything else, e.g. a malformed header fastify answers 415, goes to fastify.
 */
const PLAIN_CONTENT_TYPES = new Set([
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=utf-8',
  'application/json; charset=UTF-8',
  'application/json;charset=UTF-8',
  'text/plain',
  'text/plain; charset=utf-8',
  'text/plain;charset=utf-8',
  'text/plain; charset=UTF-8',
]);

export interface FastRouteOptions {
  intake: SendIntake;
  /** Meta's webhook deliveries; left to fastify when absent. */
  webhook?: WebhookIntake;
  bodyLimitBytes: number;
  log: Logger;
  /** Where request ids come from (shared with fastify's, so ids do not repeat across the two). */
  requestIds?: RequestIds;
  /** Told every answer (the gateway's metrics). */
  observe?: RequestObserver;
}

/**
 * Told each answer of the two endpoints. `receivedAt` is `performance.now()` when the headers
 * were read. `outcome` is 0 for success, else the CleverTap failure code (in a 200 body) or the
 * HTTP status; for the webhook it is the HTTP status.
 */
export interface RequestObserver {
  clevertap(accountId: string, outcome: number, receivedAt: number): void;
  webhook(status: number, receivedAt: number): void;
}

export interface FastRoute {
  /** Answers the request and returns true, or returns false without touching it. */
  handle(request: IncomingMessage, response: ServerResponse): boolean;
  /** From now on every request goes to fastify (which answers 503 while closing). */
  close(): void;
}

/** What one request in flight needs; kept on the request so the listeners are shared, not per-request closures. */
interface BodyState {
  /** The messaging endpoint's account, or undefined for a webhook delivery. */
  accountId: string | undefined;
  /** The request's id, for its log lines. */
  id: number;
  response: ServerResponse;
  first: Buffer | undefined;
  more: Buffer[] | undefined;
  received: number;
  /** `performance.now()` when the headers were read: the load shedder judges the request by its age. */
  receivedAt: number;
  declared: number;
}

const STATE = Symbol('wabridge.fastRoute');
type WithState = IncomingMessage & { [STATE]?: BodyState };

function isReadyzUrl(url: string): boolean {
  return url === '/readyz' || url === '/readyz/' || url.startsWith('/readyz?');
}

/** True when `url` is the webhook endpoint exactly as fastify would route it (trailing slash and query allowed). */
export function isWebhookUrl(url: string): boolean {
  if (!url.startsWith(WEBHOOK_PATH)) return false;
  let at = WEBHOOK_PATH.length;
  if (url.charCodeAt(at) === 47 /* / */) at++;
  return at === url.length || url.charCodeAt(at) === 63 /* ? */;
}

/** The account id when `url` is the messaging endpoint exactly as fastify would route it, else undefined. */
export function messagesAccountId(url: string): string | undefined {
  if (!url.startsWith(PREFIX)) return undefined;
  const slash = url.indexOf('/', PREFIX.length);
  if (slash <= PREFIX.length || slash - PREFIX.length > MAX_ACCOUNT_ID_LENGTH) return undefined;
  let end = url.indexOf('?', slash);
  if (end < 0) end = url.length;
  let pathEnd = end;
  // fastify is configured with ignoreTrailingSlash.
  if (url.charCodeAt(pathEnd - 1) === 47 /* / */ && pathEnd - 1 > slash) pathEnd--;
  if (pathEnd - slash !== SUFFIX.length || !url.startsWith(SUFFIX, slash)) return undefined;
  const accountId = url.slice(PREFIX.length, slash);
  // Percent-encoding (decoded by the router) and '#' (a delimiter to it) are fastify's to handle.
  if (accountId.includes('%') || accountId.includes('#')) return undefined;
  return accountId;
}

export function createFastRoute(options: FastRouteOptions): FastRoute {
  const { intake, webhook, bodyLimitBytes: limit, log, observe } = options;
  const requestIds = options.requestIds ?? new RequestIds();
  let closing = false;
  const tooLargeReason = `the body is larger than ${limit} bytes`;

  function finish(state: BodyState, body: Buffer): void {
    const { response } = state;
    let answer: IntakeAnswer | WebhookAnswer | Promise<IntakeAnswer | WebhookAnswer>;
    const headers = (response.req as IncomingMessage).headers;
    try {
      answer = state.accountId === undefined ? webhook!.handle(headers, body, state.id) : intake.handle(state.accountId, headers, body, state.receivedAt, state.id);
    } catch (error) {
      internalError(state, error);
      return;
    }
    if (answer instanceof Promise) answer.then((settled) => answerWith(state, settled), (error: unknown) => internalError(state, error));
    else answerWith(state, answer);
  }

  function answerWith(state: BodyState, answer: IntakeAnswer | WebhookAnswer): void {
    send(state.response, answer);
    if (observe) observed(state.accountId, outcomeOf(answer), state.receivedAt);
  }

  function observed(accountId: string | undefined, outcome: number, receivedAt: number): void {
    if (accountId === undefined) observe!.webhook(outcome, receivedAt);
    else observe!.clevertap(accountId, outcome, receivedAt);
  }

  function refuse(state: BodyState, status: number, reason: string): void {
    writeProblem(state.response, status, reason, true);
    if (observe) observed(state.accountId, status, state.receivedAt);
  }

  function internalError(state: BodyState, error: unknown): void {
    const { response } = state;
    // The path only, as in app.ts: a query string may carry a secret.
    const url = response.req.url ?? '';
    const query = url.indexOf('?');
    log.error({ reqId: state.id, err: error, path: query < 0 ? url : url.slice(0, query) }, 'request failed');
    writeProblem(response, 500, 'internal error', false);
    if (observe) observed(state.accountId, 500, state.receivedAt);
  }

  function onData(this: WithState, chunk: Buffer): void {
    const state = this[STATE];
    if (!state) return;
    state.received += chunk.length;
    if (state.received > limit) {
      detach(this);
      refuse(state, 413, tooLargeReason);
      return;
    }
    if (state.first === undefined) state.first = chunk;
    else (state.more ??= []).push(chunk);
  }

  function onEnd(this: WithState): void {
    const state = this[STATE];
    if (!state) return;
    detach(this);
    if (!Number.isNaN(state.declared) && state.received !== state.declared) {
      refuse(state, 400, 'Request body size did not match Content-Length');
      return;
    }
    let body: Buffer;
    if (state.first === undefined) body = EMPTY;
    else if (state.more === undefined) body = state.first;
    else body = Buffer.concat([state.first, ...state.more], state.received);
    finish(state, body);
  }

  function onError(this: WithState, error: Error): void {
    const state = this[STATE];
    if (!state) return;
    detach(this);
    // As fastify: a broken upload is the client's fault (400), and the connection is not reused.
    refuse(state, 400, error.message);
  }

  function detach(request: WithState): void {
    request[STATE] = undefined;
    request.removeListener('data', onData);
    request.removeListener('end', onEnd);
    request.removeListener('error', onError);
  }

  return {
    handle(request, response) {
      if (closing) {
        // fastify answers everything 503 while closing, /readyz included but with its own body:
        // a prober on a connection still open is told why.
        if (request.method === 'GET' && request.url !== undefined && isReadyzUrl(request.url)) {
          writeJson(response, 503, DRAINING_BODY, true);
          return true;
        }
        return false;
      }
      if (request.method !== 'POST') return false;
      const url = request.url;
      if (url === undefined) return false;
      const accountId = messagesAccountId(url);
      if (accountId === undefined && !(webhook && isWebhookUrl(url))) return false;
      const contentType = request.headers['content-type'];
      if (contentType === undefined || !PLAIN_CONTENT_TYPES.has(contentType)) return false;
      if (accountId !== undefined && (request.socket as ExcessMarked)[EXCESS_CONNECTION]) {
        // Beyond server.maxConnections: refused at once and closed, so the requests that can
        // wait at this gateway stay few enough to be answered in time (serverWithFastRoute).
        writeJson(response, TOO_MANY_REQUESTS.status, TOO_MANY_REQUESTS.body, true);
        if (observe) observe.clevertap(accountId, TOO_MANY_REQUESTS.status, performance.now());
        return true;
      }
      const receivedAt = performance.now();
      const declared = Number(request.headers['content-length']);
      if (declared > limit) {
        writeProblem(response, 413, tooLargeReason, true);
        if (observe) observed(accountId, 413, receivedAt);
        return true;
      }
      (request as WithState)[STATE] = { accountId, id: requestIds.next(), response, first: undefined, more: undefined, received: 0, receivedAt, declared };
      request.on('data', onData);
      request.on('end', onEnd);
      request.on('error', onError);
      return true;
    },
    close() {
      closing = true;
    },
  };
}

const EMPTY = Buffer.alloc(0);

const EXCESS_CONNECTION = Symbol('wabridge.excessConnection');
type ExcessMarked = { [EXCESS_CONNECTION]?: boolean };

export interface ServerLimits {
  /**
   * Connections open at once beyond which a new one's CleverTap requests are answered 429 and
   * the connection closed. Nothing shows the gateway how long a request waited in its socket
   * before it was read; but without pipelining each connection holds at most one request, so at
   * most this many wait, and none longer than this many divided by the gateway's throughput.
   */
  maxConnections?: number;
  /** The request line and headers must arrive within this; node:http's 60 s by default. */
  headersTimeoutMs?: number;
  /** How much of a body answered before it was read is read and thrown away (http/refused-body.ts). */
  drain?: DrainLimits;
}

/**
 * A fastify `serverFactory`: the HTTP/1 server fastify would create (same timeouts, as in
 * fastify's lib/server.js), with the fast route in front of fastify's handler, and the limits
 * fastify has no option for.
 */
export function serverWithFastRoute(fast: FastRoute, limits: ServerLimits = {}) {
  const onPrefinish = limits.drain ? drainOnEarlyAnswer(limits.drain) : undefined;
  return (handler: (request: IncomingMessage, response: ServerResponse) => void, options: Record<string, unknown>): Server => {
    const requestTimeout = (options.requestTimeout as number | undefined) ?? 0;
    const headersTimeout = limits.headersTimeoutMs ?? 60_000;
    const server = createServer(
      {
        requestTimeout,
        headersTimeout: requestTimeout > 0 ? Math.min(headersTimeout, requestTimeout) : headersTimeout,
        // Expired requests are looked for this often (node:http's default is every 30 s, which
        // would let a 10 s headers timeout run to 40 s).
        connectionsCheckingInterval: Math.min(1_000, Math.max(100, Math.floor(Math.min(headersTimeout, requestTimeout || headersTimeout) / 4))),
      },
      (request, response) => {
        if (onPrefinish) response.on('prefinish', onPrefinish);
        if (!fast.handle(request, response)) handler(request, response);
      },
    );
    if (limits.maxConnections !== undefined) {
      const max = limits.maxConnections;
      let open = 0;
      server.on('connection', (socket: Socket & ExcessMarked) => {
        open++;
        if (open > max) socket[EXCESS_CONNECTION] = true;
        socket.once('close', () => open--);
      });
    }
    // Without a listener node:http drops a CONNECT request's connection without a word.
    server.on('connect', refuseConnect);
    server.keepAliveTimeout = options.keepAliveTimeout as number;
    server.setTimeout(options.connectionTimeout as number);
    const maxRequestsPerSocket = options.maxRequestsPerSocket as number | null | undefined;
    if (maxRequestsPerSocket && maxRequestsPerSocket > 0) server.maxRequestsPerSocket = maxRequestsPerSocket;
    return server;
  };
}

/** 0 for success; else the CleverTap failure code of a 200 body, or the HTTP status. */
export function outcomeOf(answer: IntakeAnswer | WebhookAnswer): number {
  if ('reason' in answer || answer.status !== 200) return answer.status;
  const { body } = answer;
  if (body === SUCCESS_BODY || !body.startsWith('{"status":"failure"')) return 0;
  // failureBody(): `{"status":"failure","error":{"code":2001,...`; read the digits without allocating.
  const at = body.indexOf('"code":');
  if (at < 0) return 200;
  let code = 0;
  for (let index = at + 7; index < body.length; index++) {
    const digit = body.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) break;
    code = code * 10 + digit;
  }
  return code === 0 ? 200 : code;
}

function send(response: ServerResponse, answer: IntakeAnswer | WebhookAnswer): void {
  if ('reason' in answer) writeProblem(response, answer.status, answer.reason, false);
  else writeJson(response, answer.status, answer.body, false);
}

function writeProblem(response: ServerResponse, status: number, reason: string, closeConnection: boolean): void {
  writeJson(response, status, problemBody(reason), closeConnection);
}

function writeJson(response: ServerResponse, status: number, body: string, closeConnection: boolean): void {
  if (response.headersSent || response.destroyed) return;
  const headers: Record<string, string | number> = { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body) };
  // fastify closes the connection after a body it could not read: the client may still be sending.
  if (closeConnection) headers.connection = 'close';
  response.writeHead(status, headers);
  response.end(body);
}
