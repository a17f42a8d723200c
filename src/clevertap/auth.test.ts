import { describe, it, expect } from 'vitest';
import type { ClevertapAuth } from '../domain/account.js';
import { callbackOverridesFromHeaders, checkClevertapAuth, credentialHeaders } from './auth.js';

const basicHeader = (user: string, password: string) =>
  'Basic ' + Buffer.from(`${user}:${password}`, 'utf8').toString('base64');

describe('checkClevertapAuth — basic', () => {
  const auth: ClevertapAuth = { kind: 'basic', username: 'apikey', password: 's3cr:et' };

  it('accepts the right username and password (password may contain a colon)', () => {
    expect(checkClevertapAuth(auth, { authorization: basicHeader('apikey', 's3cr:et') })).toBe(true);
  });

  it('accepts the scheme in any case', () => {
    const value = basicHeader('apikey', 's3cr:et').replace('Basic', 'bAsIc');
    expect(checkClevertapAuth(auth, { authorization: value })).toBe(true);
  });

  it.each([
    ['wrong password', { authorization: basicHeader('apikey', 'nope') }],
    ['wrong username', { authorization: basicHeader('other', 's3cr:et') }],
    ['prefix of the password', { authorization: basicHeader('apikey', 's3cr') }],
    ['missing header', {}],
    ['bearer instead of basic', { authorization: 'Bearer s3cr:et' }],
    ['no colon in credentials', { authorization: 'Basic ' + Buffer.from('apikey').toString('base64') }],
    ['garbage', { authorization: 'Basic !!!' }],
  ])('rejects %s', (_label, headers) => {
    expect(checkClevertapAuth(auth, headers)).toBe(false);
  });

  it('supports a username-only configuration (MSG91) but never an empty one', () => {
    const usernameOnly: ClevertapAuth = { kind: 'basic', username: 'msg91user', password: '' };
    expect(checkClevertapAuth(usernameOnly, { authorization: basicHeader('msg91user', '') })).toBe(true);
    const empty: ClevertapAuth = { kind: 'basic', username: '', password: '' };
    expect(checkClevertapAuth(empty, { authorization: basicHeader('', '') })).toBe(false);
    expect(checkClevertapAuth(empty, {})).toBe(false);
  });
});

describe('checkClevertapAuth — bearer', () => {
  const auth: ClevertapAuth = { kind: 'bearer', token: 'dt_live_123' };

  it.each(['dt_live_123', 'Bearer dt_live_123', 'bearer dt_live_123', 'BEARER   dt_live_123'])('accepts %j', (value) => {
    expect(checkClevertapAuth(auth, { authorization: value })).toBe(true);
  });

  it.each(['dt_live_12', 'Bearer dt_live_1234', 'Basic dt_live_123', ''])('rejects %j', (value) => {
    expect(checkClevertapAuth(auth, { authorization: value })).toBe(false);
  });

  it('rejects a missing header and never matches an empty configured token', () => {
    expect(checkClevertapAuth(auth, {})).toBe(false);
    expect(checkClevertapAuth({ kind: 'bearer', token: '' }, {})).toBe(false);
    expect(checkClevertapAuth({ kind: 'bearer', token: '' }, { authorization: '' })).toBe(false);
  });

  it('also accepts a token configured with its Bearer prefix', () => {
    const prefixed: ClevertapAuth = { kind: 'bearer', token: 'Bearer abc' };
    expect(checkClevertapAuth(prefixed, { authorization: 'Bearer abc' })).toBe(true);
  });
});

describe('checkClevertapAuth — custom headers', () => {
  const auth: ClevertapAuth = { kind: 'headers', headers: { 'Api-Key': 'k-1', SID: 'sid-9' } };

  it('requires every configured header with its exact value, names case-insensitive', () => {
    expect(checkClevertapAuth(auth, { 'api-key': 'k-1', sid: 'sid-9', other: 'x' })).toBe(true);
    expect(checkClevertapAuth(auth, { 'API-KEY': 'k-1', Sid: 'sid-9' })).toBe(true);
  });

  it.each([
    ['one value wrong', { 'api-key': 'k-1', sid: 'sid-8' }],
    ['value differs in case', { 'api-key': 'K-1', sid: 'sid-9' }],
    ['one header missing', { 'api-key': 'k-1' }],
    ['all missing', {}],
  ])('rejects when %s', (_label, headers) => {
    expect(checkClevertapAuth(auth, headers)).toBe(false);
  });

  it('treats a configured empty value as "present and empty", not "absent"', () => {
    const emptyValue: ClevertapAuth = { kind: 'headers', headers: { token: '' } };
    expect(checkClevertapAuth(emptyValue, {})).toBe(false);
    expect(checkClevertapAuth(emptyValue, { token: '' })).toBe(true);
  });

  it('never accepts an empty header set', () => {
    expect(checkClevertapAuth({ kind: 'headers', headers: {} }, { anything: 'x' })).toBe(false);
  });

  it('joins repeated headers the way Node does', () => {
    const haptik: ClevertapAuth = { kind: 'headers', headers: { Token: 'a, b' } };
    expect(checkClevertapAuth(haptik, { token: ['a', 'b'] })).toBe(true);
  });
});

describe('credentialHeaders', () => {
  const configurations: ClevertapAuth[] = [
    { kind: 'basic', username: 'acme', password: 'pa:ss word' },
    { kind: 'bearer', token: 'tok-123' },
    { kind: 'bearer', token: 'Bearer tok-with-prefix' },
    { kind: 'headers', headers: { 'X-Api-Key': 'k1', Sid: 's-2' } },
  ];

  it('presents what each configuration checks for, as CleverTap would send it', () => {
    for (const auth of configurations) expect(checkClevertapAuth(auth, credentialHeaders(auth))).toBe(true);
    expect(credentialHeaders({ kind: 'bearer', token: 'tok-123' })).toEqual({ authorization: 'Bearer tok-123' });
    expect(credentialHeaders({ kind: 'headers', headers: { 'X-Api-Key': 'k1' } })).toEqual({ 'x-api-key': 'k1' });
  });

  it('presents nothing that passes for an unconfigured credential', () => {
    const empty: ClevertapAuth = { kind: 'bearer', token: '' };
    expect(checkClevertapAuth(empty, credentialHeaders(empty))).toBe(false);
  });
});

describe('callbackOverridesFromHeaders', () => {
  it('reads both Kaleyra-style callback headers, trimmed', () => {
    expect(
      callbackOverridesFromHeaders({
        'delivery-report-callback-url': ' https://wzrkt.com/a/dlr?x=1 ',
        'inbound-message-callback-url': 'http://wzrkt.com/a/imo',
      }),
    ).toEqual({ deliveryReportUrl: 'https://wzrkt.com/a/dlr?x=1', inboundMessageUrl: 'http://wzrkt.com/a/imo' });
  });

  it('returns only the headers that are present', () => {
    expect(callbackOverridesFromHeaders({ 'Delivery-Report-Callback-Url': 'https://ct.example/dlr' })).toEqual({
      deliveryReportUrl: 'https://ct.example/dlr',
    });
  });

  it('ignores empty and non-http(s) values', () => {
    expect(callbackOverridesFromHeaders({})).toBeUndefined();
    expect(
      callbackOverridesFromHeaders({
        'delivery-report-callback-url': '   ',
        'inbound-message-callback-url': 'ftp://ct.example/imo',
      }),
    ).toBeUndefined();
    expect(callbackOverridesFromHeaders({ 'delivery-report-callback-url': 'not a url' })).toBeUndefined();
    expect(callbackOverridesFromHeaders({ 'inbound-message-callback-url': 'javascript:alert(1)' })).toBeUndefined();
  });
});
