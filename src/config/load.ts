/**
 * @module config/load
 * Reads the config file named by `WABRIDGE_CONFIG` (YAML or JSON), applies environment
 * overrides declared in the schema, fills defaults and validates. Any problem becomes a
 * `ConfigError` whose message names the key and the problem, so the gateway refuses to start
 * with a sentence an operator can act on.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { Value } from 'typebox/value';
import { normalizePhone } from '../domain/phone.js';
import { ClevertapAuthSchema, ConfigSchema, type Config } from './schema.js';
import { applyEnvOverrides } from './env.js';
import { weakProductionSecrets } from './secrets.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Used instead of the file named by `WABRIDGE_CONFIG`. */
  raw?: unknown;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const fromFile = options.raw === undefined && Boolean(env['WABRIDGE_CONFIG']);
  const raw = options.raw ?? readConfigFile(env['WABRIDGE_CONFIG']);
  if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
    throw new ConfigError('config: the file must contain an object at the top level');
  }
  const candidate = structuredClone((raw ?? {}) as Record<string, unknown>);
  applyEnvOverrides(ConfigSchema, candidate, env);
  // A file that forgets `mode` must not quietly run with sandbox's guards off (private callback
  // targets allowed, no secret checks): nothing-configured is sandbox, a configuration says which.
  if (fromFile && candidate['mode'] === undefined) {
    throw new ConfigError(
      'mode: required in a configuration file: "production" to serve real WhatsApp numbers (callback targets guarded, secrets checked), ' +
        'or "sandbox" to try wabridge out (built-in Meta simulator, guards off); WABRIDGE_MODE sets it too',
    );
  }
  // Sandbox secrets are printed in the banner: out of the box, only this machine can use them.
  const server = (candidate['server'] ??= {}) as Record<string, unknown>;
  if (server['host'] === undefined && (candidate['mode'] ?? 'sandbox') === 'sandbox') server['host'] = '127.0.0.1';
  if (env['DATA_DIR'] && !env['STORE_PATH']) {
    const store = (candidate['store'] ??= {}) as Record<string, unknown>;
    store['path'] = path.join(env['DATA_DIR'], 'wabridge.db');
  }
  const withDefaults = Value.Default(ConfigSchema, candidate);
  checkAuthKinds(withDefaults);
  const firstError = Value.Errors(ConfigSchema, withDefaults)[0];
  if (firstError) throw new ConfigError(describeSchemaError(firstError, withDefaults));
  const config = withDefaults as Config;
  checkStoreAndQueue(config);
  checkAccounts(config);
  const weak = weakProductionSecrets(config);
  if (weak.length > 0) throw new ConfigError(weak.join('; '));
  return config;
}

function readConfigFile(file: string | undefined): unknown {
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`WABRIDGE_CONFIG: cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`WABRIDGE_CONFIG: ${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(error as Error).message}`);
  }
}

interface SchemaError {
  keyword: string;
  instancePath: string;
  message: string;
  params: Record<string, unknown>;
}

function describeSchemaError(error: SchemaError, value: unknown): string {
  const key = error.instancePath.split('/').filter(Boolean).map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`)).join('').replace(/^\./, '') || 'config';
  if (error.keyword === 'additionalProperties' || error.keyword === 'boolean') {
    const extra = (error.params['additionalProperties'] as string[] | undefined)?.join(', ') ?? key.split('.').pop();
    return `${key}: unknown key (${extra})`;
  }
  if (error.keyword === 'required') {
    return `${key}: ${error.message}`;
  }
  const actual = pick(value, error.instancePath);
  const secret = /token|password|secret|passcode|headers|^store\.url$|^queue\.redisUrl$/i.test(key);
  return `${key}: ${error.message}${secret || actual === undefined ? '' : ` (got ${JSON.stringify(actual)})`}`;
}

function pick(value: unknown, pointer: string): unknown {
  let current: unknown = value;
  for (const part of pointer.split('/').filter(Boolean)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/**
 * The auth union's schema errors would describe the first alternative (basic) whatever was
 * meant; checking the `kind` first gives the error for the alternative the operator chose.
 */
function checkAuthKinds(config: unknown): void {
  const accounts = (config as { accounts?: unknown }).accounts;
  if (!Array.isArray(accounts)) return;
  accounts.forEach((account, index) => {
    const auth = (account as { clevertap?: { auth?: unknown } } | null)?.clevertap?.auth;
    if (!auth || typeof auth !== 'object') return;
    const at = `accounts[${index}].clevertap.auth`;
    const kind = (auth as { kind?: unknown }).kind;
    const branch = ClevertapAuthSchema.anyOf.find((candidate) => candidate.properties.kind.const === kind);
    if (!branch) throw new ConfigError(`${at}.kind: must be "basic", "bearer" or "headers" (got ${JSON.stringify(kind)})`);
    const error = Value.Errors(branch, auth)[0];
    if (error) throw new ConfigError(describeSchemaError(error, auth).replace(/^[^:]*/, (key) => (key === 'config' ? at : `${at}.${key}`)));
  });
}

/** The store and queue kinds that work together, and the URL each needs. */
function checkStoreAndQueue(config: Config): void {
  const { store, queue } = config;
  if (store.kind === 'postgres' && !store.url) {
    throw new ConfigError('store.url: required when store.kind is postgres (postgres://user:password@host:5432/database); DATABASE_URL sets it too');
  }
  if (queue.kind === 'bullmq' && !queue.redisUrl) {
    throw new ConfigError('queue.redisUrl: required when queue.kind is bullmq (redis://host:6379); REDIS_URL sets it too');
  }
  if (queue.kind === 'bullmq' && store.kind === 'sqlite') {
    throw new ConfigError(
      'queue.kind: bullmq needs store.kind postgres; with SQLite only the embedded queue is allowed (one process owns the SQLite file, so its jobs wait in that file)',
    );
  }
}

function checkAccounts(config: Config): void {
  const ids = new Map<string, number>();
  const numbers = new Map<string, number>();
  config.accounts.forEach((account, index) => {
    const at = `accounts[${index}]`;
    const previousId = ids.get(account.id);
    if (previousId !== undefined) throw new ConfigError(`${at}.id: "${account.id}" is already used by accounts[${previousId}]`);
    ids.set(account.id, index);
    const digits = normalizePhone(account.wabaNumber);
    if (!digits) throw new ConfigError(`${at}.wabaNumber: "${account.wabaNumber}" is not a phone number`);
    const previousNumber = numbers.get(digits);
    if (previousNumber !== undefined) {
      throw new ConfigError(`${at}.wabaNumber: ${digits} is already served by accounts[${previousNumber}] (one provider per number)`);
    }
    numbers.set(digits, index);
    if (config.mode === 'production') {
      for (const key of ['phoneNumberId', 'wabaId', 'accessToken', 'appSecret', 'webhookVerifyToken'] as const) {
        if (!account.whatsapp[key]) throw new ConfigError(`${at}.whatsapp.${key}: required in production mode`);
      }
    }
  });
}
