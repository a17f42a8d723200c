/**
 * @module compose/sandbox
 * Sandbox mode: credentials made once and kept with the data (the admin API's token among them,
 * unless one is configured), a demo account when none is configured, and the built-in Meta
 * simulator for accounts without Graph credentials. The
 * simulator is imported only here, on demand, so a production start never loads `sim/`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Value } from 'typebox/value';
import type { SandboxWiring } from '../config/accounts.js';
import { AccountSchema, type AccountConfig, type Config } from '../config/schema.js';
import { WEBHOOK_PATH } from '../http/routes/whatsapp-webhook.js';
import type { MetaSimulator } from '../sim/meta/index.js';
import type { Service } from './lifecycle.js';

/** The number the sandbox account sends from; the CleverTap fixtures use it as `wabaNumber`. */
export const SANDBOX_WABA_NUMBER = '919888888888';
export const SANDBOX_ACCOUNT_ID = 'sandbox';

export interface SandboxSecrets {
  clevertapToken: string;
  accessToken: string;
  appSecret: string;
  webhookVerifyToken: string;
  mediaSigningSecret: string;
  /** The admin API's bearer token when `admin.token` is not configured; printed in the banner. */
  adminToken: string;
}

export interface Sandbox extends Service {
  /** The configuration with the demo account added when none was configured, and the generated admin token when none was. */
  config: Config;
  /** Only in sandbox mode. */
  secrets?: SandboxSecrets;
  /** Only when an account needs it. */
  simulator?: MetaSimulator;
  /** What accounts without Graph settings are wired to (with the simulator). */
  wiring?: SandboxWiring;
  /** The gateway listens at `url`: the simulator sends its webhooks there. */
  listening(url: string): void;
}

/** Everything sandbox mode adds to `config`; in production mode, nothing. */
export async function prepareSandbox(config: Config, dataDir: string): Promise<Sandbox> {
  if (config.mode !== 'sandbox') return { config, listening: () => {}, stop: async () => {} };
  const secrets = loadSandboxSecrets(dataDir);
  if (config.accounts.length === 0) config = withSandboxAccount(config, secrets);
  if (!config.admin.token) config = { ...config, admin: { ...config.admin, token: secrets.adminToken } };
  const needsSimulator = config.accounts.some((account) => !account.whatsapp.accessToken && !account.whatsapp.graphBaseUrl);
  if (!needsSimulator) return { config, secrets, listening: () => {}, stop: async () => {} };

  const { startMetaSimulator } = await import('../sim/meta/index.js');
  const simulator = await startMetaSimulator({
    host: '127.0.0.1',
    port: config.sandbox.simulatorPort,
    accessToken: secrets.accessToken,
    appSecret: secrets.appSecret,
    phoneNumbers: config.accounts.map((account, index) => ({
      ...sandboxIds(index),
      displayPhoneNumber: account.wabaNumber.replace(/\D/g, ''),
      messagesPerSecond: account.whatsapp.messagesPerSecond,
    })),
  });
  return {
    config,
    secrets,
    simulator,
    wiring: {
      graphBaseUrl: simulator.graphBaseUrl,
      accessToken: secrets.accessToken,
      appSecret: secrets.appSecret,
      webhookVerifyToken: secrets.webhookVerifyToken,
      idsFor: sandboxIds,
      // Accounts created at runtime (stored ones) get their number served as they appear.
      registerNumber: (number) => simulator.addPhoneNumber(number),
    },
    listening: (url) => simulator.setWebhookUrl(`${url}${WEBHOOK_PATH}`),
    stop: () => simulator.close(),
  };
}

/** Where sandbox mode keeps its secrets: beside the SQLite file (whatever the store). */
export function dataDirOf(config: Config): string {
  return path.dirname(path.resolve(config.store.path));
}

/** The simulator's phone number id and WABA id for the config file's account at `index` (stored accounts: config/accounts.ts `storedAccountSandboxIds`). */
export function sandboxIds(index: number): { phoneNumberId: string; wabaId: string } {
  return { phoneNumberId: String(100_000_000_000_001 + index), wabaId: String(200_000_000_000_001 + index) };
}

export function withSandboxAccount(config: Config, secrets: SandboxSecrets): Config {
  return {
    ...config,
    accounts: [
      // The schema fills in every default, exactly as for a configured account.
      Value.Default(AccountSchema, {
        id: SANDBOX_ACCOUNT_ID,
        wabaNumber: SANDBOX_WABA_NUMBER,
        clevertap: { auth: { kind: 'bearer', token: secrets.clevertapToken }, allowPrivateCallbackTargets: true },
      }) as AccountConfig,
    ],
  };
}

/** Sandbox credentials are made once and kept with the data, so the header pasted into CleverTap keeps working. */
export function loadSandboxSecrets(dataDir: string): SandboxSecrets {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, 'sandbox-secrets.json');
  const secret = () => randomBytes(18).toString('base64url');
  const fresh: SandboxSecrets = { clevertapToken: `wb_${secret()}`, accessToken: secret(), appSecret: secret(), webhookVerifyToken: secret(), mediaSigningSecret: secret(), adminToken: `wbadm_${secret()}` };
  const kept = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<SandboxSecrets>) : {};
  // Secrets added in later versions are filled in; existing ones never change.
  const secrets = { ...fresh, ...kept } as SandboxSecrets;
  if (Object.keys(kept).length !== Object.keys(secrets).length) writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  return secrets;
}
