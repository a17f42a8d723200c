import { describe, expect, it } from 'vitest';
import { validateAccount } from './validate-account.js';

const production = { mode: 'production' as const };
const sandbox = { mode: 'sandbox' as const };

function complete(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'acme',
    wabaNumber: '+91 98888-88888',
    clevertap: { auth: { kind: 'bearer', token: 'ct-token-0123456789' }, deliveryReportUrl: 'https://wzrkt.com/dlr', inboundMessageUrl: 'https://wzrkt.com/imo' },
    whatsapp: { phoneNumberId: '106540352242922', wabaId: '102290129340398', accessToken: 'EAAG-0123456789', appSecret: 'app-secret-0123', webhookVerifyToken: 'verify-0123456' },
    ...overrides,
  };
}

function fieldsOf(result: ReturnType<typeof validateAccount>): Record<string, string> {
  if (result.ok) throw new Error('expected errors');
  return Object.fromEntries(result.errors.map((error) => [error.field, error.message]));
}

describe('validateAccount', () => {
  it('accepts a complete account, fills the defaults and saves the number as digits without +', () => {
    const result = validateAccount(complete(), production);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.account.wabaNumber).toBe('919888888888');
    expect(result.account.clevertap.stopKeywords).toEqual(['STOP', 'UNSUBSCRIBE']);
    expect(result.account.whatsapp.messagesPerSecond).toBe(80);
  });

  it('names each field at fault by its dotted path', () => {
    const result = validateAccount(
      complete({
        id: 'acme corp/1',
        wabaNumber: 'call me',
        unknown: true,
        clevertap: { auth: { kind: 'bearer', token: 'x' }, deliveryReportUrl: 'not a url', probeNumbers: ['+91 98', '+919870369294'] },
      }),
      production,
    );
    expect(fieldsOf(result)).toEqual({
      id: expect.stringContaining('endpoint URL'),
      wabaNumber: expect.stringContaining('phone number'),
      unknown: 'is not a known field',
      'clevertap.deliveryReportUrl': 'must be an http(s) URL',
      'clevertap.probeNumbers[0]': expect.stringContaining('phone number'),
    });
  });

  it('reports the auth alternative the kind names, not the first one', () => {
    expect(fieldsOf(validateAccount(complete({ clevertap: { auth: { kind: 'bearer', token: '' } } }), production))).toEqual({ 'clevertap.auth.token': 'must not be empty' });
    expect(fieldsOf(validateAccount(complete({ clevertap: { auth: { kind: 'basic', username: 'u' } } }), production))).toEqual({ 'clevertap.auth.password': 'is required' });
    expect(fieldsOf(validateAccount(complete({ clevertap: { auth: { kind: 'oauth' } } }), production))).toEqual({ 'clevertap.auth.kind': expect.stringContaining('"bearer"') });
  });

  it('names every missing required field', () => {
    expect(fieldsOf(validateAccount({ wabaNumber: '919888888888' }, sandbox))).toEqual({ id: 'is required', clevertap: 'is required' });
  });

  it('refuses a number that passes the pattern but is no phone number', () => {
    expect(fieldsOf(validateAccount(complete({ wabaNumber: '0000000' }), production))).toEqual({ wabaNumber: expect.stringContaining('phone number') });
  });

  it('wants https callback URLs in production mode, allows http in sandbox mode', () => {
    const account = complete({ clevertap: { auth: { kind: 'bearer', token: 'tok' }, deliveryReportUrl: 'http://wzrkt.com/dlr', inboundMessageUrl: 'https://user:pw@wzrkt.com/imo' } });
    expect(fieldsOf(validateAccount(account, production))).toEqual({
      'clevertap.deliveryReportUrl': 'must use https in production mode',
      'clevertap.inboundMessageUrl': 'must not carry a user name or password',
    });
    const lenient = complete({ clevertap: { auth: { kind: 'bearer', token: 'tok' }, deliveryReportUrl: 'http://127.0.0.1:9000/dlr' } });
    expect(validateAccount(lenient, sandbox).ok).toBe(true);
  });

  it('refuses a Graph base URL with a query', () => {
    const account = complete();
    (account['whatsapp'] as Record<string, unknown>)['graphBaseUrl'] = 'https://graph.facebook.com/v23.0?x=1';
    expect(fieldsOf(validateAccount(account, production))).toEqual({ 'whatsapp.graphBaseUrl': expect.stringContaining('query') });
  });

  it('requires the Graph credentials in production mode', () => {
    expect(fieldsOf(validateAccount(complete({ whatsapp: { accessToken: 'EAAG-0123456789' } }), production))).toEqual({
      'whatsapp.phoneNumberId': 'is required in production mode',
      'whatsapp.wabaId': 'is required in production mode',
      'whatsapp.appSecret': 'is required in production mode',
      'whatsapp.webhookVerifyToken': 'is required in production mode',
    });
  });

  it('in sandbox mode takes no Graph credentials (the simulator), or all of them', () => {
    expect(validateAccount(complete({ whatsapp: {} }), sandbox).ok).toBe(true);
    expect(fieldsOf(validateAccount(complete({ whatsapp: { accessToken: 'EAAG-0123456789', phoneNumberId: '1' } }), sandbox))).toEqual({
      'whatsapp.wabaId': expect.stringContaining('built-in simulator'),
      'whatsapp.appSecret': expect.any(String),
      'whatsapp.webhookVerifyToken': expect.any(String),
    });
  });

  it('refuses what is not an object', () => {
    expect(fieldsOf(validateAccount([], sandbox))).toEqual({ '': 'the account must be a JSON object' });
  });
});
