/**
 * @module http/media-url-signer
 * Signed, expiring gateway URLs for inbound media: `{publicBaseUrl}/v1/media/{mediaId}?a=&e=&s=`.
 *
 * CleverTap receives these in inbound-message callbacks and fetches them without credentials, so
 * the URL itself is the credential: an HMAC over (account, media id, expiry) proves the gateway
 * issued it. The account travels in the URL because a media id alone does not say which access
 * token can fetch it. Nothing is stored per URL, so any replica holding the secret can serve it.
 */
import { createHmac } from 'node:crypto';
import { sameSecret } from './constant-time.js';

/** Meta keeps inbound media 7 days, and CleverTap's inbox may fetch long after the callback. */
export const DEFAULT_MEDIA_URL_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const MEDIA_ROUTE_PREFIX = '/v1/media/';
/** Shorter secrets are guessable offline from any one signed URL. */
const MIN_SECRET_LENGTH = 16;

export interface MediaUrlSignerOptions {
  secret: string;
  /**
   * How CleverTap reaches the gateway, e.g. `https://wa.example.com` (a trailing slash is ignored);
   * a function is read at each `urlFor`, for a base learned only when the server listens.
   * Verifying reads no base: a URL's signature covers account, media id and expiry only.
   */
  publicBaseUrl: string | (() => string);
  ttlMs: number;
  now?: () => number;
}

export type MediaUrlVerdict = { ok: true; accountId: string } | { ok: false; reason: string };

export interface MediaUrlSigner {
  urlFor(accountId: string, mediaId: string): string;
  verify(query: Record<string, string | undefined>, mediaId: string): MediaUrlVerdict;
}

export function createMediaUrlSigner(options: MediaUrlSignerOptions): MediaUrlSigner {
  const { secret, ttlMs } = options;
  if (secret.length < MIN_SECRET_LENGTH) throw new TypeError(`the media signing secret must be at least ${MIN_SECRET_LENGTH} characters`);
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new TypeError('ttlMs must be a positive number');
  const { publicBaseUrl } = options;
  const baseNow = typeof publicBaseUrl === 'string' ? () => publicBaseUrl : publicBaseUrl;
  // A fixed base is checked at once; a changing one when it is read.
  let prefix = typeof publicBaseUrl === 'string' ? { base: publicBaseUrl, value: mediaPrefixOf(publicBaseUrl) } : undefined;
  const currentPrefix = () => {
    const base = baseNow();
    if (prefix?.base !== base) prefix = { base, value: mediaPrefixOf(base) };
    return prefix.value;
  };
  const now = options.now ?? Date.now;

  const sign = (accountId: string, mediaId: string, expiry: string) =>
    createHmac('sha256', secret).update(`${accountId}.${mediaId}.${expiry}`).digest('base64url');

  return {
    urlFor(accountId, mediaId) {
      // Account ids never contain a dot (config schema), which keeps `a.m.e` unambiguous: no
      // (account, media) pair can be re-split into another pair with the same signature.
      if (!isAccountId(accountId)) throw new TypeError(`not an account id: ${JSON.stringify(accountId)}`);
      if (mediaId === '') throw new TypeError('mediaId is required');
      const expiry = String(Math.floor((now() + ttlMs) / 1000));
      const query = new URLSearchParams({ a: accountId, e: expiry, s: sign(accountId, mediaId, expiry) });
      return `${currentPrefix()}${encodeURIComponent(mediaId)}?${query.toString()}`;
    },

    verify(query, mediaId) {
      const { a: accountId, e: expiry, s: signature } = query;
      if (!accountId || !expiry || !signature) return { ok: false, reason: 'missing signature (a, e and s are required)' };
      if (!isAccountId(accountId) || !/^\d{1,12}$/.test(expiry)) return { ok: false, reason: 'bad signature' };
      // Signature before expiry: a forged URL learns nothing, not even whether its expiry was plausible.
      if (!sameSecret(signature, sign(accountId, mediaId, expiry))) return { ok: false, reason: 'bad signature' };
      if (now() >= Number(expiry) * 1000) return { ok: false, reason: 'expired' };
      return { ok: true, accountId };
    },
  };
}

/** `{base}/v1/media/` for a valid http(s) base URL. */
function mediaPrefixOf(publicBaseUrl: string): string {
  const base = new URL(publicBaseUrl);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new TypeError(`publicBaseUrl must be http(s), got ${base.protocol}`);
  if (base.search || base.hash) throw new TypeError('publicBaseUrl must not have a query or fragment');
  return `${base.origin}${base.pathname.replace(/\/+$/, '')}${MEDIA_ROUTE_PREFIX}`;
}

function isAccountId(value: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(value);
}
