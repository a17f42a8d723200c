/**
 * @module whatsapp/graph-client
 * A small client for Meta's Graph API over one keep-alive undici `Pool` per origin.
 *
 * HTTP-level trouble never throws: every call resolves to an outcome the send dispatcher can
 * act on (accepted, rejected by Meta with a classified error, or a transport failure whose fate
 * is unknown). Only programmer errors throw. The access token never appears in an outcome,
 * even if a misbehaving proxy echoes it back.
 */
import { Pool } from 'undici';
import { classifyMetaError, type MetaErrorRule } from './errors.js';
import type { GraphErrorEnvelope, GraphSendBody, GraphSendResponse } from './graph-types.js';

export interface GraphClientOptions {
  /** Including the version path, e.g. `https://graph.facebook.com/v23.0` or `http://127.0.0.1:8081/v23.0`. */
  graphBaseUrl: string;
  accessToken: string;
  /** Sockets to keep open; size as target mps × p99 latency (1,000 mps × 0.3 s ≈ 300). Default 64. */
  connections?: number;
  /** Default 10 s. */
  headersTimeoutMs?: number;
  /** Default 10 s. */
  bodyTimeoutMs?: number;
  /** Default 5 s. */
  connectTimeoutMs?: number;
}

/** Meta answered with its error envelope: the request reached Meta and was refused. */
export interface GraphRejection {
  kind: 'rejected';
  httpStatus: number;
  code: number;
  subcode?: number;
  title: string;
  detail?: string;
  rule: MetaErrorRule;
  fbtraceId?: string;
}

/** No usable answer: network error, timeout, or a non-Meta reply (proxy page, bare 5xx). */
export interface TransportFailure {
  kind: 'transport';
  error: string;
  /**
   * `false` only when the request certainly never reached Meta (connection refused, DNS, TLS
   * handshake, connect timeout, a 4xx from something in between): retrying cannot duplicate.
   * `true` when it may have been accepted (timeout or reset after sending, bare 5xx, 2xx without
   * a wamid): a blind retry could send the message twice.
   */
  requestMayHaveArrived: boolean;
}

export type SendOutcome =
  | { kind: 'accepted'; wamid: string; waId?: string; messageStatus?: string }
  | GraphRejection
  | TransportFailure;

export type GetOutcome<T = unknown> = { kind: 'ok'; httpStatus: number; body: T } | GraphRejection | TransportFailure;

export const DEFAULT_CONNECTIONS = 64;
const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
const DEFAULT_BODY_TIMEOUT_MS = 10_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** Template listings are the largest Graph replies we read; anything bigger is not Meta. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/** How much of an unexpected body to quote in a transport error. */
const BODY_SNIPPET_CHARS = 200;

type Exchange = { kind: 'response'; status: number; text: string } | TransportFailure;

export class GraphClient {
  readonly #pool: Pool;
  readonly #origin: string;
  readonly #basePath: string;
  readonly #accessToken: string;

  constructor(options: GraphClientOptions) {
    const base = new URL(options.graphBaseUrl);
    if (base.protocol !== 'https:' && base.protocol !== 'http:') {
      throw new TypeError(`graphBaseUrl must be http(s), got ${base.protocol}`);
    }
    if (base.search || base.hash) throw new TypeError('graphBaseUrl must not have a query or fragment');
    if (!options.accessToken) throw new TypeError('accessToken is required');

    this.#origin = base.origin;
    this.#basePath = base.pathname.replace(/\/+$/, '');
    this.#accessToken = options.accessToken;
    this.#pool = new Pool(base.origin, {
      connections: options.connections ?? DEFAULT_CONNECTIONS,
      pipelining: 1,
      headersTimeout: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
      bodyTimeout: options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS,
      connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      maxResponseSize: MAX_RESPONSE_BYTES,
    });
  }

  /** `POST /{phoneNumberId}/messages`. A 2xx means accepted by Meta, not delivered. */
  async sendMessage(phoneNumberId: string, body: GraphSendBody): Promise<SendOutcome> {
    if (!phoneNumberId) throw new TypeError('phoneNumberId is required');
    const exchange = await this.#exchange('POST', `${encodeURIComponent(phoneNumberId)}/messages`, JSON.stringify(body));
    if (exchange.kind === 'transport') return exchange;

    const json = parseJson(exchange.text);
    if (isSuccess(exchange.status)) {
      const reply = json as GraphSendResponse | undefined;
      const message = reply?.messages?.[0];
      if (typeof message?.id !== 'string' || message.id === '') {
        // Meta may or may not have taken the message; only a wamid proves it did.
        return this.#transport(`HTTP ${exchange.status} without a message id: ${snippet(exchange.text)}`, true);
      }
      const waId = reply?.contacts?.[0]?.wa_id;
      return {
        kind: 'accepted',
        wamid: message.id,
        ...(typeof waId === 'string' ? { waId } : {}),
        ...(typeof message.message_status === 'string' ? { messageStatus: message.message_status } : {}),
      };
    }
    return this.#failure(exchange.status, json, exchange.text);
  }

  /**
   * `GET` a Graph path relative to the base URL (`123/message_templates?limit=50`), or a full URL
   * on the same origin (a `paging.next` link).
   *
   * @throws TypeError for a full URL on another origin, which would leak the token there.
   */
  async getJson<T = unknown>(path: string): Promise<GetOutcome<T>> {
    const exchange = await this.#exchange('GET', path);
    if (exchange.kind === 'transport') return exchange;
    const json = parseJson(exchange.text);
    if (isSuccess(exchange.status)) {
      if (json === undefined) return this.#transport(`HTTP ${exchange.status} with a non-JSON body: ${snippet(exchange.text)}`, true);
      return { kind: 'ok', httpStatus: exchange.status, body: json as T };
    }
    return this.#failure(exchange.status, json, exchange.text);
  }

  /** Waits for in-flight requests, then closes every socket. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#pool.closed || this.#pool.destroyed) return;
    await this.#pool.close();
  }

  async #exchange(method: 'GET' | 'POST', path: string, body?: string): Promise<Exchange> {
    const requestPath = this.#resolvePath(path);
    try {
      const response = await this.#pool.request({
        method,
        path: requestPath,
        headers: {
          authorization: `Bearer ${this.#accessToken}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body } : {}),
      });
      const text = await response.body.text();
      return { kind: 'response', status: response.statusCode, text };
    } catch (error) {
      return this.#transport(describeError(error), !neverSent(error));
    }
  }

  #resolvePath(path: string): string {
    if (/^https?:\/\//i.test(path)) {
      const url = new URL(path);
      if (url.origin !== this.#origin) throw new TypeError(`refusing to send the Graph token to ${url.origin}`);
      return url.pathname + url.search;
    }
    return `${this.#basePath}/${path.replace(/^\/+/, '')}`;
  }

  #failure(status: number, json: unknown, text: string): GraphRejection | TransportFailure {
    const rejection = readRejection(status, json);
    if (rejection) {
      return {
        ...rejection,
        title: this.#redact(rejection.title),
        ...(rejection.detail !== undefined ? { detail: this.#redact(rejection.detail) } : {}),
      };
    }
    // Whatever answered a 4xx refused the request itself; a 5xx may come after forwarding it to Meta.
    return this.#transport(`HTTP ${status} without a Graph error envelope: ${snippet(text)}`, status >= 500);
  }

  #transport(error: string, requestMayHaveArrived: boolean): TransportFailure {
    return { kind: 'transport', error: this.#redact(error), requestMayHaveArrived };
  }

  #redact(text: string): string {
    return text.split(this.#accessToken).join('[redacted]');
  }
}

/**
 * Meta's error envelope, classified by its code (never by HTTP status, which Meta uses loosely).
 * A 5xx or 4xx with no envelope is not Meta speaking, so it is not a rejection.
 */
function readRejection(status: number, json: unknown): GraphRejection | undefined {
  const error = (json as Partial<GraphErrorEnvelope> | undefined)?.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const code = toInteger(error.code);
  if (code === undefined) return undefined;
  const subcode = toInteger(error.error_subcode);
  const message = typeof error.message === 'string' ? error.message : undefined;
  const details = optionalString(error.error_data?.details) ?? optionalString(error.error_user_msg);
  const rule = classifyMetaError({
    code,
    ...(subcode !== undefined ? { subcode } : {}),
    ...(details !== undefined ? { details } : {}),
    ...(message !== undefined ? { message } : {}),
  });
  const title = message?.replace(/^\(#\d+\)\s*/, '') || optionalString(error.error_user_title) || rule.title;
  const fbtraceId = optionalString(error.fbtrace_id);
  return {
    kind: 'rejected',
    httpStatus: status,
    code,
    ...(subcode !== undefined ? { subcode } : {}),
    title,
    ...(details !== undefined ? { detail: details } : {}),
    rule,
    ...(fbtraceId !== undefined ? { fbtraceId } : {}),
  };
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function toInteger(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return '(empty body)';
  return flat.length > BODY_SNIPPET_CHARS ? `${flat.slice(0, BODY_SNIPPET_CHARS)}…` : flat;
}

/** Error codes raised before a single request byte can have been written. */
const NEVER_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_INVALID_ARG',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  // A TLS handshake that fails: a new connection never carried the request (a reused one has no handshake).
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_UNSUPPORTED_PROTOCOL',
  'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
  'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
  'ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR',
  'ERR_TLS_HANDSHAKE_TIMEOUT',
]);

/** Unknown errors count as possibly sent: holding a message is recoverable, a duplicate is not. */
function neverSent(error: unknown): boolean {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && NEVER_SENT_CODES.has(code);
}

/** undici errors carry a stable `code` (UND_ERR_HEADERS_TIMEOUT, ECONNREFUSED); connect errors may be AggregateErrors with an empty message. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const parts = [typeof code === 'string' ? code : error.name, error.message].filter((part) => part !== '');
  return parts.join(': ');
}
