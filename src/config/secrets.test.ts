import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';
import { HIDDEN, redactSecrets, secretValues } from './secrets.js';

const config = loadConfig({
  env: {},
  raw: {
    server: { mediaSigningSecret: 'media-signing-secret-1' },
    accounts: [
      {
        id: 'a',
        wabaNumber: '919888888888',
        clevertap: { auth: { kind: 'basic', username: 'user-a', password: 'password-a-123' }, accountId: 'ct-project', passcode: 'ct-passcode-9' },
        whatsapp: { accessToken: 'graph-token-a', appSecret: 'app-secret-a', webhookVerifyToken: 'verify-a' },
      },
      { id: 'b', wabaNumber: '919777777777', clevertap: { auth: { kind: 'headers', headers: { 'api-key': 'kaleyra-key', sid: 'kaleyra-sid' } } } },
    ],
  },
});

describe('secrets from the schema', () => {
  it('finds every value the schema marks secret, with its path — the passcode too', () => {
    expect(secretValues(config).map((secret) => `${secret.path}=${secret.value}`).sort()).toEqual(
      [
        'accounts[0].clevertap.auth.password=password-a-123',
        'accounts[0].clevertap.passcode=ct-passcode-9',
        'accounts[0].whatsapp.accessToken=graph-token-a',
        'accounts[0].whatsapp.appSecret=app-secret-a',
        'accounts[0].whatsapp.webhookVerifyToken=verify-a',
        'accounts[1].clevertap.auth.headers.api-key=kaleyra-key',
        'accounts[1].clevertap.auth.headers.sid=kaleyra-sid',
        'server.mediaSigningSecret=media-signing-secret-1',
      ].sort(),
    );
  });

  it('hides them all and nothing else', () => {
    const shown = JSON.stringify(redactSecrets(config));
    for (const { value } of secretValues(config)) expect(shown).not.toContain(value);
    const redacted = redactSecrets(config);
    expect(redacted.accounts[0]!.clevertap.passcode).toBe(HIDDEN);
    expect(redacted.accounts[0]!.clevertap.auth).toEqual({ kind: 'basic', username: 'user-a', password: HIDDEN });
    expect(redacted.accounts[0]!.clevertap.accountId).toBe('ct-project');
    expect(redacted.server.port).toBe(config.server.port);
    // The original is untouched.
    expect(config.accounts[0]!.clevertap.passcode).toBe('ct-passcode-9');
  });

  it('treats the database and Redis URLs as secrets: they may carry a password', () => {
    const scaleOut = loadConfig({
      env: { DATABASE_URL: 'postgres://wabridge:db-password-1@db/wabridge', REDIS_URL: 'redis://:redis-password-1@redis:6379' },
      raw: { store: { kind: 'postgres' }, queue: { kind: 'bullmq' } },
    });
    expect(secretValues(scaleOut).map((secret) => secret.path)).toEqual(['store.url', 'queue.redisUrl']);
    const redacted = redactSecrets(scaleOut);
    expect([redacted.store.url, redacted.queue.redisUrl, redacted.queue.prefix]).toEqual([HIDDEN, HIDDEN, 'wabridge']);
  });
});
