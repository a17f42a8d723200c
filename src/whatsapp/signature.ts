/**
 * @module whatsapp/signature
 * Meta signs every webhook with `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(appSecret, rawBody)>`.
 * The HMAC covers the exact bytes on the wire, so verification must run on the raw body,
 * before any JSON parsing, and compare in constant time. The header must be exactly `sha256=`
 * and 64 hex digits: `Buffer.from(hex)` stops at the first non-hex character, so anything looser
 * would accept a valid signature with garbage after it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-hub-signature-256';
const PREFIX = 'sha256=';
const SIGNATURE = /^sha256=[0-9a-fA-F]{64}$/;

/** The header value Meta would send for `rawBody`. */
export function signWebhookBody(appSecret: string, rawBody: Buffer | string): string {
  return PREFIX + createHmac('sha256', appSecret).update(rawBody).digest('hex');
}

/** Whether `header` is a valid signature of `rawBody` under `appSecret`. Never throws. */
export function verifyWebhookSignature(appSecret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (typeof header !== 'string' || !SIGNATURE.test(header)) return false;
  const given = Buffer.from(header.slice(PREFIX.length), 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}
