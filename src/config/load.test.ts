import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load.js';

const dir = mkdtempSync(path.join(tmpdir(), 'wabridge-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const account = (overrides: Record<string, unknown> = {}) => ({
  id: 'acme',
  wabaNumber: '+91 98888 88888',
  clevertap: { auth: { kind: 'bearer', token: 'secret-token' } },
  ...overrides,
});

function errorOf(raw: unknown, env: NodeJS.ProcessEnv = {}): string {
  try {
    loadConfig({ raw, env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('starts in sandbox mode with documented defaults when nothing is configured', () => {
    const config = loadConfig({ env: {} });
    expect(config).toMatchObject({
      mode: 'sandbox',
      server: { host: '127.0.0.1', port: 8080, backlog: 4096 },
      store: { kind: 'sqlite', path: './data/wabridge.db', synchronous: 'normal' },
      accounts: [],
    });
  });

  it('fills account defaults (80 messages per second)', () => {
    const config = loadConfig({ env: {}, raw: { accounts: [account()] } });
    expect(config.accounts[0]!.whatsapp).toEqual({ messagesPerSecond: 80, maxInFlight: 64 });
  });

  it('reads YAML and JSON files named by WABRIDGE_CONFIG, with environment overrides on top', () => {
    const yaml = path.join(dir, 'wabridge.yaml');
    writeFileSync(yaml, 'mode: sandbox\nserver:\n  port: 9000\n  publicBaseUrl: https://wa.example.com\naccounts:\n  - id: acme\n    wabaNumber: "919888888888"\n    clevertap:\n      auth: {kind: basic, username: ct, password: pw}\n');
    const fromYaml = loadConfig({ env: { WABRIDGE_CONFIG: yaml, PORT: '9100', DATA_DIR: '/var/lib/wabridge', LOG_LEVEL: 'debug' } });
    expect(fromYaml.server).toMatchObject({ port: 9100, publicBaseUrl: 'https://wa.example.com' });
    expect(fromYaml.store.path).toBe(path.join('/var/lib/wabridge', 'wabridge.db'));
    expect(fromYaml.log.level).toBe('debug');
    const json = path.join(dir, 'wabridge.json');
    writeFileSync(json, JSON.stringify({ mode: 'sandbox', accounts: [account()] }));
    expect(loadConfig({ env: { WABRIDGE_CONFIG: json } }).accounts[0]!.id).toBe('acme');
  });

  it('refuses a configuration file that does not say its mode, and binds sandbox to loopback only', () => {
    const file = path.join(dir, 'no-mode.json');
    writeFileSync(file, JSON.stringify({ accounts: [account()] }));
    expect(() => loadConfig({ env: { WABRIDGE_CONFIG: file } })).toThrow(/^mode: required in a configuration file: "production" .* or "sandbox"/);
    expect(loadConfig({ env: { WABRIDGE_CONFIG: file, WABRIDGE_MODE: 'sandbox' } }).server.host).toBe('127.0.0.1');
    expect(loadConfig({ env: { WABRIDGE_CONFIG: file, WABRIDGE_MODE: 'sandbox', HOST: '0.0.0.0' } }).server.host).toBe('0.0.0.0');
    expect(loadConfig({ env: {}, raw: { mode: 'production' } }).server.host).toBe('0.0.0.0');
  });

  it('refuses production secrets left at placeholders, too short, or generated for the sandbox', () => {
    const production = (auth: unknown, whatsapp: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
      mode: 'production',
      store: { path: path.join(dir, 'prod', 'wabridge.db') },
      ...extra,
      accounts: [
        account({
          clevertap: { auth },
          whatsapp: { phoneNumberId: '1065', wabaId: '1022', accessToken: 'EAAGrealtoken123', appSecret: 'a-real-app-secret', webhookVerifyToken: 'verify-me-please', ...whatsapp },
        }),
      ],
    });
    expect(loadConfig({ env: {}, raw: production({ kind: 'basic', username: 'acme', password: 'long-enough-pw' }) }).mode).toBe('production');
    expect(errorOf(production({ kind: 'basic', username: 'acme', password: 'change-me' }))).toBe(
      'accounts[0].clevertap.auth.password: a placeholder ("change-me") is not a secret; set the real value',
    );
    expect(errorOf(production({ kind: 'bearer', token: 'short' }))).toMatch(/^accounts\[0\]\.clevertap\.auth\.token: at least 8 characters/);
    expect(errorOf(production({ kind: 'headers', headers: { 'api-key': '...' } }))).toMatch(/^accounts\[0\]\.clevertap\.auth\.headers\.api-key: a placeholder/);
    expect(errorOf(production({ kind: 'bearer', token: 'long-enough-token' }, { accessToken: 'EAAG...' }))).toMatch(/whatsapp\.accessToken: a placeholder/);
    // A value the sandbox generated in this data directory, and printed in its banner.
    mkdirSync(path.join(dir, 'prod'), { recursive: true });
    writeFileSync(path.join(dir, 'prod', 'sandbox-secrets.json'), JSON.stringify({ appSecret: 'generated-in-sandbox-123' }));
    expect(errorOf(production({ kind: 'bearer', token: 'long-enough-token' }, { appSecret: 'generated-in-sandbox-123' }))).toBe(
      'accounts[0].whatsapp.appSecret: this value was generated for sandbox mode (sandbox-secrets.json); production needs its own',
    );
    // Sandbox mode takes whatever it is given.
    expect(loadConfig({ env: {}, raw: { accounts: [account({ clevertap: { auth: { kind: 'bearer', token: 'x' } } })] } }).mode).toBe('sandbox');
  });

  it('names the key and the problem when the configuration is invalid', () => {
    expect(errorOf({ server: { port: 'eighty' } })).toBe('server.port: must be integer (got "eighty")');
    expect(errorOf({}, { PORT: '70000' })).toBe('server.port: must be <= 65535 (got 70000)');
    expect(errorOf({ servr: {} })).toBe('servr: unknown key (servr)');
    expect(errorOf({ accounts: [account({ wabaNumber: 'abc' })] })).toMatch(/^accounts\[0\]\.wabaNumber: must match pattern/);
    expect(errorOf({ accounts: [account({ clevertap: { auth: { kind: 'bearer' } } })] })).toBe(
      'accounts[0].clevertap.auth: must have required properties token',
    );
    expect(errorOf({ accounts: [account({ clevertap: { auth: { kind: 'oauth' } } })] })).toBe(
      'accounts[0].clevertap.auth.kind: must be "basic", "bearer" or "headers" (got "oauth")',
    );
  });

  it('never echoes secrets in errors', () => {
    const message = errorOf({ accounts: [account({ clevertap: { auth: { kind: 'bearer', token: 42 } } })] });
    expect(message).toContain('accounts[0].clevertap.auth.token');
    expect(message).not.toContain('42');
  });

  it('refuses two accounts on one WhatsApp number, however the number is written', () => {
    expect(errorOf({ accounts: [account(), account({ id: 'other', wabaNumber: '919888888888' })] })).toBe(
      'accounts[1].wabaNumber: 919888888888 is already served by accounts[0] (one provider per number)',
    );
    expect(errorOf({ accounts: [account(), account({ wabaNumber: '14155550100' })] })).toBe('accounts[1].id: "acme" is already used by accounts[0]');
  });

  it('demands Graph credentials in production mode', () => {
    expect(errorOf({ mode: 'production', accounts: [account()] })).toBe('accounts[0].whatsapp.phoneNumberId: required in production mode');
    expect(errorOf({ accounts: [account()] }, { WABRIDGE_MODE: 'production' })).toMatch(/required in production mode/);
  });

  it('embedded by default; scale-out takes its URLs from DATABASE_URL and REDIS_URL', () => {
    expect(loadConfig({ env: {} })).toMatchObject({ store: { kind: 'sqlite', migrate: true }, queue: { kind: 'embedded', prefix: 'wabridge' } });
    const scaleOut = loadConfig({
      env: { DATABASE_URL: 'postgres://wabridge:pw@db:5432/wabridge', REDIS_URL: 'redis://redis:6379/0' },
      raw: { store: { kind: 'postgres', migrate: false }, queue: { kind: 'bullmq', prefix: 'wa-eu' } },
    });
    expect(scaleOut.store).toMatchObject({ kind: 'postgres', url: 'postgres://wabridge:pw@db:5432/wabridge', migrate: false });
    expect(scaleOut.queue).toEqual({ kind: 'bullmq', redisUrl: 'redis://redis:6379/0', prefix: 'wa-eu' });
    // A Postgres store with the embedded queue (jobs in Postgres) is allowed.
    expect(loadConfig({ env: { DATABASE_URL: 'postgres://db/wabridge' }, raw: { store: { kind: 'postgres' } } }).queue.kind).toBe('embedded');
  });

  it('refuses store and queue kinds without their URLs, and BullMQ on SQLite', () => {
    expect(errorOf({ store: { kind: 'postgres' } })).toMatch(/^store\.url: required when store\.kind is postgres .*DATABASE_URL sets it too$/);
    expect(errorOf({ store: { kind: 'postgres', url: 'postgres://db/wabridge' }, queue: { kind: 'bullmq' } })).toMatch(
      /^queue\.redisUrl: required when queue\.kind is bullmq .*REDIS_URL sets it too$/,
    );
    expect(errorOf({ queue: { kind: 'bullmq', redisUrl: 'redis://redis:6379' } })).toMatch(/^queue\.kind: bullmq needs store\.kind postgres; with SQLite only the embedded queue is allowed/);
    expect(errorOf({ store: { kind: 'mysql' } })).toMatch(/^store\.kind: /);
  });

  it('never echoes a database or Redis URL (it may hold a password)', () => {
    const message = errorOf({ store: { kind: 'postgres', url: 'mysql://root:hunter22@db/wabridge' } });
    expect(message).toMatch(/^store\.url: must match pattern/);
    expect(message).not.toContain('hunter22');
    expect(errorOf({}, { REDIS_URL: 'http://:hunter22@redis' })).not.toContain('hunter22');
  });

  it('explains an unreadable or malformed file', () => {
    expect(() => loadConfig({ env: { WABRIDGE_CONFIG: path.join(dir, 'missing.yaml') } })).toThrow(/WABRIDGE_CONFIG: cannot read/);
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{"server": ');
    expect(() => loadConfig({ env: { WABRIDGE_CONFIG: broken } })).toThrow(/is not valid JSON/);
  });
});
