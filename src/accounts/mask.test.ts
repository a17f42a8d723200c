import { describe, expect, it } from 'vitest';
import { accountSecrets, keepStoredSecrets, maskAccount, maskSecret } from './mask.js';

const TOKEN = 'EAAGm0PX4ZCpsBAKZCZBxyz0123f3c2';

const stored = {
  id: 'acme',
  wabaNumber: '919888888888',
  clevertap: { auth: { kind: 'bearer', token: 'ct-token-0123456789' }, passcode: 'short', stopKeywords: ['STOP'] },
  whatsapp: { phoneNumberId: '1065', accessToken: TOKEN, appSecret: 'app-secret-0123456789', webhookVerifyToken: 'verify-token-0123' },
};

describe('maskSecret', () => {
  it('shows the first and last four characters of a long secret', () => {
    expect(maskSecret(TOKEN)).toBe('EAAG…f3c2');
  });

  it('hides a secret of 12 characters or fewer completely', () => {
    expect(maskSecret('123456789012')).toBe('…');
    expect(maskSecret('1234567890123')).toBe('1234…0123');
  });
});

describe('maskAccount', () => {
  it('masks every field the schema marks secret, and nothing else', () => {
    const masked = maskAccount(stored);
    expect(masked.clevertap.auth).toEqual({ kind: 'bearer', token: 'ct-t…6789' });
    expect(masked.clevertap.passcode).toBe('…');
    expect(masked.whatsapp).toEqual({ phoneNumberId: '1065', accessToken: 'EAAG…f3c2', appSecret: 'app-…6789', webhookVerifyToken: 'veri…0123' });
    expect(masked.clevertap.stopKeywords).toEqual(['STOP']);
    expect(stored.whatsapp.accessToken).toBe(TOKEN);
  });

  it('masks each value of a header map and each password, keeping names and user names', () => {
    const headers = maskAccount({ clevertap: { auth: { kind: 'headers', headers: { 'api-key': 'kaleyra-api-key-0123456789', sid: 'sid-1' } } } });
    expect(headers.clevertap.auth.headers).toEqual({ 'api-key': 'kale…6789', sid: '…' });
    const basic = maskAccount({ clevertap: { auth: { kind: 'basic', username: 'clevertap', password: 'a-long-password-value' } } });
    expect(basic.clevertap.auth).toEqual({ kind: 'basic', username: 'clevertap', password: 'a-lo…alue' });
  });

  it('lists the secrets with their dotted paths', () => {
    expect(accountSecrets(stored).map((secret) => secret.path)).toEqual([
      'clevertap.auth.token',
      'clevertap.passcode',
      'whatsapp.accessToken',
      'whatsapp.appSecret',
      'whatsapp.webhookVerifyToken',
    ]);
  });
});

describe('keepStoredSecrets', () => {
  it('keeps a stored secret sent back masked or left out, and takes a changed one', () => {
    const incoming = {
      ...maskAccount(stored),
      whatsapp: { phoneNumberId: '1065', accessToken: 'EAAG…f3c2', appSecret: 'a-brand-new-app-secret' },
    };
    const merged = keepStoredSecrets(incoming, stored) as typeof stored;
    expect(merged.whatsapp).toEqual({ phoneNumberId: '1065', accessToken: TOKEN, appSecret: 'a-brand-new-app-secret', webhookVerifyToken: 'verify-token-0123' });
    expect(merged.clevertap.auth).toEqual(stored.clevertap.auth);
    expect(merged.clevertap.passcode).toBe('short');
  });

  it('keeps the secrets of a whole object left out', () => {
    const merged = keepStoredSecrets({ id: 'acme', wabaNumber: '919888888888', clevertap: { auth: { kind: 'bearer' } } }, stored) as typeof stored;
    expect(merged.whatsapp).toEqual({ accessToken: TOKEN, appSecret: 'app-secret-0123456789', webhookVerifyToken: 'verify-token-0123' });
    expect(merged.clevertap.auth.token).toBe('ct-token-0123456789');
  });

  it('does not carry a secret over to another auth kind, nor keep a header left out', () => {
    const basic = keepStoredSecrets({ ...stored, clevertap: { auth: { kind: 'basic', username: 'u', password: 'p-0123456789abc' } } }, stored);
    expect((basic['clevertap'] as { auth: unknown }).auth).toEqual({ kind: 'basic', username: 'u', password: 'p-0123456789abc' });

    const withHeaders = { ...stored, clevertap: { auth: { kind: 'headers', headers: { 'api-key': 'kaleyra-api-key-0123456789', sid: 'sid-0123456789abc' } } } };
    const merged = keepStoredSecrets({ ...stored, clevertap: { auth: { kind: 'headers', headers: { 'api-key': 'kale…6789' } } } }, withHeaders);
    expect((merged['clevertap'] as { auth: unknown }).auth).toEqual({ kind: 'headers', headers: { 'api-key': 'kaleyra-api-key-0123456789' } });
  });

  it('takes a value that only looks like a mask of something else as sent', () => {
    const merged = keepStoredSecrets({ ...stored, whatsapp: { ...stored.whatsapp, accessToken: 'EAAG…0000' } }, stored) as typeof stored;
    expect(merged.whatsapp.accessToken).toBe('EAAG…0000');
  });
});
