import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ResolvedAccount } from '../config/accounts.js';
import { createAccountDirectory } from './accounts.js';
import { createMediaLinks, PublicUrl } from './public-url.js';

const SECRET = 'a-media-signing-secret-of-some-length';
const logger = pino({ level: 'silent' });

function account(id: string, clickBaseUrl?: string): ResolvedAccount {
  return {
    id,
    wabaNumber: '919888888888',
    clevertap: {
      auth: { kind: 'bearer', token: 't' },
      stopKeywords: [],
      startKeywords: [],
      clickTracking: { enabled: true, ...(clickBaseUrl ? { baseUrl: clickBaseUrl } : {}) },
      allowPrivateTargets: false,
      probeNumbers: new Set(),
    },
    whatsapp: { graphBaseUrl: 'http://graph', phoneNumberId: `p-${id}`, wabaId: 'w', accessToken: 'a', appSecret: 's', webhookVerifyToken: 'v', messagesPerSecond: 80, maxInFlight: 8 },
    simulated: false,
  };
}

describe('PublicUrl', () => {
  it('sandbox: the base is the listening address, learned at listen(); media URLs signed after it use it', () => {
    const publicUrl = new PublicUrl({ configured: undefined, listenUrlIsPublic: true });
    const media = createMediaLinks({ secret: SECRET, publicUrl, ttlMs: 60_000, logger })!;
    expect(publicUrl.base()).toBeUndefined();
    expect(() => media.urlFor!('acme', '42')).toThrow(/before the public base URL is known/);
    publicUrl.listening('http://127.0.0.1:4321');
    const url = new URL(media.urlFor!('acme', '42'));
    expect(url.origin + url.pathname).toBe('http://127.0.0.1:4321/v1/media/42');
    // The one signer verifies what it signed.
    expect(media.signer.verify(Object.fromEntries(url.searchParams), '42')).toEqual({ ok: true, accountId: 'acme' });
  });

  it('production without publicBaseUrl: the proxy still verifies, but media get no links', () => {
    const publicUrl = new PublicUrl({ configured: undefined, listenUrlIsPublic: false });
    const media = createMediaLinks({ secret: SECRET, publicUrl, ttlMs: 60_000, logger })!;
    publicUrl.listening('http://127.0.0.1:4321');
    expect(publicUrl.base()).toBeUndefined();
    expect(media.urlFor).toBeUndefined();
    expect(media.signer.verify({ a: 'acme', e: '1', s: 'x' }, '42')).toEqual({ ok: false, reason: 'bad signature' });
  });

  it('no signing secret: no media links and no proxy', () => {
    expect(createMediaLinks({ secret: undefined, publicUrl: new PublicUrl({ configured: 'https://wa.example.com', listenUrlIsPublic: false }), ttlMs: 60_000, logger })).toBeUndefined();
  });

  it('short links: the account\'s click domain, else the configured base, else the listening address', () => {
    const accounts = createAccountDirectory([account('own', 'https://t.example.com/'), account('plain')]);
    const configured = new PublicUrl({ configured: 'https://wa.example.com', listenUrlIsPublic: false });
    expect(configured.shortLinkFor(accounts, 'own', 'abc123')).toBe('https://t.example.com/c/abc123');
    expect(configured.shortLinkFor(accounts, 'plain', 'abc123')).toBe('https://wa.example.com/c/abc123');
    const learned = new PublicUrl({ configured: undefined, listenUrlIsPublic: false });
    learned.listening('http://127.0.0.1:4321');
    expect(learned.shortLinkFor(accounts, 'plain', 'abc123')).toBe('http://127.0.0.1:4321/c/abc123');
  });
});

describe('AccountDirectory', () => {
  it('finds accounts by id, phone number id and WABA, and answers for ones it does not know', () => {
    const a = account('a');
    const b = { ...account('b'), clevertap: { ...account('b').clevertap, deliveryReportUrl: 'https://ct/dlr', allowPrivateTargets: true } };
    const accounts = createAccountDirectory([a, b]);
    expect(accounts.byId('b')).toBe(b);
    expect(accounts.byPhoneNumberId('p-a')).toBe(a);
    expect(accounts.byWabaId('w')).toEqual([a, b]);
    expect(accounts.byWabaId('other')).toEqual([]);
    expect(accounts.deliveryReportUrl('b')).toBe('https://ct/dlr');
    expect(accounts.deliveryReportUrl('a')).toBeUndefined();
    expect([accounts.callbackTargetsPublicOnly('a'), accounts.callbackTargetsPublicOnly('b'), accounts.callbackTargetsPublicOnly('gone')]).toEqual([true, false, true]);
    expect(accounts.appSecrets).toEqual(['s']);
  });
});
