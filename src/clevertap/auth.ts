/**
 * @module clevertap/auth
 * Checks the credentials CleverTap attaches to every send (spec §1: Basic, a raw or `Bearer`
 * Authorization value, or arbitrary custom headers), and reads the Kaleyra-style callback URLs
 * that may travel in the same headers.
 *
 * Every secret comparison hashes both sides with SHA-256 and compares the digests with
 * `timingSafeEqual`: digests have a fixed length, so neither the secret's length nor the position
 * of the first differing byte shows in the timing. All comparisons run before the results are
 * combined, so the timing does not reveal which part (username, password, which header) failed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ClevertapAuth } from '../domain/account.js';
import type { CallbackOverrides } from '../domain/message.js';

/** Request headers as Node exposes them (`IncomingMessage.headers`): lowercase names. */
export type RequestHeaders = Record<string, string | string[] | undefined>;

export const DELIVERY_REPORT_CALLBACK_HEADER = 'delivery-report-callback-url';
export const INBOUND_MESSAGE_CALLBACK_HEADER = 'inbound-message-callback-url';

/** Whether the request carries the credentials configured for this provider. */
export function checkClevertapAuth(auth: ClevertapAuth, headers: RequestHeaders): boolean {
  switch (auth.kind) {
    case 'basic':
      return checkBasic(auth.username, auth.password, headerValue(headers, 'authorization'));
    case 'bearer':
      return checkBearer(auth.token, headerValue(headers, 'authorization'));
    case 'headers':
      return checkHeaders(auth.headers, headers);
    default:
      return false;
  }
}

/**
 * The headers CleverTap would attach for this provider configuration: what a request sent on the
 * account's behalf from inside the gateway (the admin API's send-test) presents, so it passes
 * {@link checkClevertapAuth} exactly as CleverTap's own sends do. Names are lowercase, as Node gives them.
 */
export function credentialHeaders(auth: ClevertapAuth): Record<string, string> {
  switch (auth.kind) {
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}` };
    case 'bearer':
      return { authorization: /^bearer\s/i.test(auth.token) ? auth.token : `Bearer ${auth.token}` };
    case 'headers':
      return Object.fromEntries(Object.entries(auth.headers).map(([name, value]) => [name.trim().toLowerCase(), value]));
    default:
      return {};
  }
}

function checkBasic(username: string, password: string, authorization: string | undefined): boolean {
  // An unconfigured credential must not be satisfiable by sending nothing.
  const configured = username !== '' || password !== '';
  const credentials = decodeBasic(authorization);
  const usernameMatches = secretEquals(credentials?.username ?? '', username);
  const passwordMatches = secretEquals(credentials?.password ?? '', password);
  return configured && credentials !== undefined && usernameMatches && passwordMatches;
}

function decodeBasic(authorization: string | undefined): { username: string; password: string } | undefined {
  const match = authorization === undefined ? null : /^basic\s+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function checkBearer(token: string, authorization: string | undefined): boolean {
  const configured = token !== '';
  const presented = authorization?.trim() ?? '';
  // A token configured with its own "Bearer " prefix is compared with the header as sent;
  // otherwise with the header's value after the scheme. Which form is used depends only on
  // the configuration, never on the secret's content, so timing reveals nothing.
  const compared = /^bearer\s/i.test(token) ? presented : presented.replace(/^bearer\s+/i, '');
  const matches = secretEquals(compared, token);
  return configured && authorization !== undefined && matches;
}

function checkHeaders(expected: Record<string, string>, headers: RequestHeaders): boolean {
  // Every header is compared before any result is looked at.
  const results = Object.entries(expected).map(([name, value]) => {
    const presented = headerValue(headers, name);
    const equal = secretEquals(presented ?? '', value);
    return equal && presented !== undefined;
  });
  return results.length > 0 && results.every(Boolean);
}

function secretEquals(presented: string, expected: string): boolean {
  return timingSafeEqual(sha256(presented), expectedDigest(expected));
}

/**
 * Configured secrets are few and fixed, so their digests are computed once: the hot path then
 * hashes only what the request presents.
 */
const EXPECTED_DIGESTS = new Map<string, Buffer>();
const MAX_CACHED_DIGESTS = 10_000;

function expectedDigest(expected: string): Buffer {
  let digest = EXPECTED_DIGESTS.get(expected);
  if (!digest) {
    digest = sha256(expected);
    if (EXPECTED_DIGESTS.size < MAX_CACHED_DIGESTS) EXPECTED_DIGESTS.set(expected, digest);
  }
  return digest;
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Reads a header by case-insensitive name. Node lowercases names, but callers that build the
 * object themselves may not. Repeated headers are joined the way Node joins them.
 */
function headerValue(headers: RequestHeaders, name: string): string | undefined {
  const lower = name.trim().toLowerCase();
  let value = Object.hasOwn(headers, lower) ? headers[lower] : undefined;
  if (value === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === lower) {
        value = headers[key];
        break;
      }
    }
  }
  if (Array.isArray(value)) return value.length > 0 ? value.join(', ') : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * Per-request callback URLs, when CleverTap's provider configuration puts them in headers
 * (Kaleyra style). Values that are empty or not http(s) URLs are ignored.
 */
export function callbackOverridesFromHeaders(headers: RequestHeaders): CallbackOverrides | undefined {
  const deliveryReportUrl = httpUrl(headerValue(headers, DELIVERY_REPORT_CALLBACK_HEADER));
  const inboundMessageUrl = httpUrl(headerValue(headers, INBOUND_MESSAGE_CALLBACK_HEADER));
  if (deliveryReportUrl === undefined && inboundMessageUrl === undefined) return undefined;
  const overrides: CallbackOverrides = {};
  if (deliveryReportUrl !== undefined) overrides.deliveryReportUrl = deliveryReportUrl;
  if (inboundMessageUrl !== undefined) overrides.inboundMessageUrl = inboundMessageUrl;
  return overrides;
}

function httpUrl(raw: string | undefined): string | undefined {
  const trimmed = raw?.trim();
  if (!trimmed) return undefined;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return undefined;
  return trimmed;
}
