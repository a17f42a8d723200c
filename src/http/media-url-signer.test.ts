/**
 * @module http/media-url-signer.test
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMediaUrlSigner, DEFAULT_MEDIA_URL_TTL_MS } from './media-url-signer.js';

const SECRET = 'media-signing-secret-0123456789';
const T0 = Date.UTC(2026, 0, 1);

function signerAt(clock: { now: number }, overrides: Partial<Parameters<typeof createMediaUrlSigner>[0]> = {}) {
  return createMediaUrlSigner({ secret: SECRET, publicBaseUrl: 'https://wa.example.com/', ttlMs: DEFAULT_MEDIA_URL_TTL_MS, now: () => clock.now, ...overrides });
}

/** The query of a signed URL, as the route hands it to `verify`. */
function queryOf(url: string): Record<string, string> {
  return Object.fromEntries(new URL(url).searchParams);
}

describe('createMediaUrlSigner', () => {
  it('builds the documented URL shape with an HMAC over account, media id and expiry', () => {
    const url = signerAt({ now: T0 }).urlFor('acme', '1234567890');
    const expiry = String(Math.floor((T0 + DEFAULT_MEDIA_URL_TTL_MS) / 1000));
    const signature = createHmac('sha256', SECRET).update(`acme.1234567890.${expiry}`).digest('base64url');
    expect(url).toBe(`https://wa.example.com/v1/media/1234567890?a=acme&e=${expiry}&s=${signature}`);
  });

  it('keeps a base path and encodes the media id', () => {
    const signer = signerAt({ now: T0 }, { publicBaseUrl: 'https://example.com/wa//' });
    const url = signer.urlFor('acme', 'a b/c');
    expect(url.startsWith('https://example.com/wa/v1/media/a%20b%2Fc?')).toBe(true);
    expect(signer.verify(queryOf(url), 'a b/c')).toEqual({ ok: true, accountId: 'acme' });
  });

  it('verifies its own URLs until they expire', () => {
    const clock = { now: T0 };
    const signer = signerAt(clock, { ttlMs: 60_000 });
    const query = queryOf(signer.urlFor('acme', '42'));
    expect(signer.verify(query, '42')).toEqual({ ok: true, accountId: 'acme' });
    clock.now = T0 + 59_000;
    expect(signer.verify(query, '42')).toEqual({ ok: true, accountId: 'acme' });
    clock.now = T0 + 60_000;
    expect(signer.verify(query, '42')).toEqual({ ok: false, reason: 'expired' });
  });

  it('rejects any change to the account, media id, expiry or signature', () => {
    const signer = signerAt({ now: T0 });
    const query = queryOf(signer.urlFor('acme', '42'));
    const bad = { ok: false, reason: 'bad signature' };
    expect(signer.verify(query, '43')).toEqual(bad);
    expect(signer.verify({ ...query, a: 'other' }, '42')).toEqual(bad);
    expect(signer.verify({ ...query, e: String(Number(query['e']) + 3600) }, '42')).toEqual(bad);
    expect(signer.verify({ ...query, s: `${query['s']!.slice(0, -1)}A` }, '42')).toEqual(bad);
    expect(signer.verify({ ...query, e: '12e9' }, '42')).toEqual(bad);
    expect(signer.verify({ ...query, a: 'a.b' }, '42')).toEqual(bad);
  });

  it('rejects a URL signed with another secret', () => {
    const query = queryOf(signerAt({ now: T0 }, { secret: 'another-secret-0123456789' }).urlFor('acme', '42'));
    expect(signerAt({ now: T0 }).verify(query, '42')).toEqual({ ok: false, reason: 'bad signature' });
  });

  it('says a tampered expired URL is a bad signature, not expired', () => {
    const clock = { now: T0 };
    const signer = signerAt(clock, { ttlMs: 1000 });
    const query = queryOf(signer.urlFor('acme', '42'));
    clock.now = T0 + 10_000;
    expect(signer.verify({ ...query, a: 'other' }, '42')).toEqual({ ok: false, reason: 'bad signature' });
  });

  it('rejects missing parameters', () => {
    const signer = signerAt({ now: T0 });
    const query = queryOf(signer.urlFor('acme', '42'));
    for (const key of ['a', 'e', 's']) {
      const verdict = signer.verify({ ...query, [key]: undefined }, '42');
      expect(verdict.ok).toBe(false);
    }
    expect(signer.verify({}, '42')).toEqual({ ok: false, reason: 'missing signature (a, e and s are required)' });
  });

  it('refuses weak secrets, odd base URLs and account ids it could not sign unambiguously', () => {
    expect(() => signerAt({ now: T0 }, { secret: 'short' })).toThrow(/at least 16/);
    expect(() => signerAt({ now: T0 }, { publicBaseUrl: 'ftp://x' })).toThrow(/http/);
    expect(() => signerAt({ now: T0 }, { publicBaseUrl: 'https://x/?q=1' })).toThrow(/query/);
    expect(() => signerAt({ now: T0 }, { ttlMs: 0 })).toThrow(/ttlMs/);
    expect(() => signerAt({ now: T0 }).urlFor('a.b', '42')).toThrow(/account id/);
  });
});
