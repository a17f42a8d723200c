/**
 * @module test/fuzz/cases
 * What one fuzz case is, as plain data: the HTTP requests to send and how to finish them against
 * a particular gateway (its CleverTap token, the account's Meta app secret, the media signing
 * secret), which differ per data directory. Keeping the secrets out of the case is what lets a
 * failing case be written to test/fixtures/fuzz/ and replayed against any fresh gateway.
 */
import { INVALID_UTF8_MARK, toBytes, type JsonNode } from './json-text.js';

export type Credential = 'valid' | 'wrong' | 'none';

export type BodySpec =
  /** A JSON text; `invalidUtf8` replaces {@link INVALID_UTF8_MARK}; `truncate` cuts the bytes. */
  | { json: JsonNode; invalidUtf8?: number[]; truncate?: number }
  /** Bytes as they are (not JSON at all). */
  | { bytes: number[] };

export interface MediaSignature {
  account: string;
  mediaId: string;
  /** Seconds from now the URL expires; negative is an expired URL (signed all the same). */
  expiresIn: number;
  tamper: 'none' | 'signature' | 'expiry' | 'account' | 'missing' | 'repeated' | 'media';
}

export interface FuzzRequest {
  method: string;
  /**
   * The request-target exactly as written on the request line. `{{clickCode}}` stands for the
   * code of the link the case's previous step created (or an unknown code when it created none);
   * `{{media}}` for the signed media path.
   */
  target: string;
  headers: Array<[string, string]>;
  body?: BodySpec;
  /** How the body travels: Content-Length, chunks of `chunkSize` bytes, or no framing header. */
  framing?: 'length' | 'chunked' | 'none';
  chunkSize?: number;
  /** CleverTap's `Authorization: Bearer <token>`. */
  auth?: Credential;
  /** Meta's `X-Hub-Signature-256` over the exact body bytes, with the account's app secret. */
  sign?: Credential;
  media?: MediaSignature;
}

export interface FuzzCase {
  /** Which generator made it, e.g. `clevertap:deep`; failures and exclusions name branches. */
  branch: string;
  steps: FuzzRequest[];
}

export function bodyBytes(body: BodySpec | undefined): Buffer {
  if (!body) return Buffer.alloc(0);
  if ('bytes' in body) return Buffer.from(body.bytes);
  const bytes = toBytes(body.json, body.invalidUtf8);
  return body.truncate !== undefined && body.truncate < bytes.length ? bytes.subarray(0, body.truncate) : bytes;
}

export { INVALID_UTF8_MARK };
