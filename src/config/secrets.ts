/**
 * @module config/secrets
 * Which configuration values are secrets is said once, in the schema (`secret: true`), and read
 * from there by everything that must hide or check them: `wabridge config check` prints the
 * configuration with them hidden, the tests scan logs for them, and production mode refuses to
 * start with one left at a placeholder or at a value the sandbox generated. A key-name guess
 * (`/token|password|secret/`) missed `clevertap.passcode`, which `config check` printed.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigSchema, type Config } from './schema.js';

export const HIDDEN = '[secret]';

interface SchemaNode {
  secret?: boolean;
  type?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  patternProperties?: Record<string, SchemaNode>;
  const?: unknown;
}

/** A secret found in a configuration: its dotted path and its value. */
export interface SecretValue {
  path: string;
  value: string;
}

/** Every secret value in `config`, with where it is. Header maps give one entry per header value. */
export function secretValues(config: unknown): SecretValue[] {
  const found: SecretValue[] = [];
  walk(ConfigSchema as unknown as SchemaNode, config, '', (at, value) => {
    if (typeof value === 'string') found.push({ path: at, value });
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) if (typeof inner === 'string') found.push({ path: `${at}.${key}`, value: inner });
    }
    return value;
  });
  return found;
}

/** A copy of `config` with every secret replaced by `[secret]`. */
export function redactSecrets<T>(config: T): T {
  return walk(ConfigSchema as unknown as SchemaNode, config, '', () => HIDDEN) as T;
}

/** Values that are examples, not secrets: what README and docs show, and what people type first. */
const PLACEHOLDER = /^(change[-_ ]?me|changeit|\.{3}|EAAG\.{3}|x{3,}|secret|password|token|test|example|sandbox|todo|replace[-_ ]?me)$/i;
const MIN_SECRET_LENGTH = 8;

/**
 * Production mode refuses secrets left as they were shown or generated: a placeholder from the
 * docs, something too short to guess slowly, or a value the sandbox generated in this data
 * directory (`sandbox-secrets.json`), which was printed in a banner and may be on a laptop.
 * Returns one sentence per problem; empty when there is none.
 */
export function weakProductionSecrets(config: Config): string[] {
  if (config.mode !== 'production') return [];
  const sandboxValues = new Set(sandboxSecretValues(path.dirname(path.resolve(config.store.path))));
  const problems: string[] = [];
  for (const { path: at, value } of secretValues(config)) {
    if (PLACEHOLDER.test(value.trim())) problems.push(`${at}: a placeholder ("${value.trim().slice(0, 12)}") is not a secret; set the real value`);
    else if (value.length < MIN_SECRET_LENGTH) problems.push(`${at}: at least ${MIN_SECRET_LENGTH} characters are required in production mode`);
    else if (sandboxValues.has(value)) problems.push(`${at}: this value was generated for sandbox mode (sandbox-secrets.json); production needs its own`);
  }
  return problems;
}

function sandboxSecretValues(dataDir: string): string[] {
  const file = path.join(dataDir, 'sandbox-secrets.json');
  if (!existsSync(file)) return [];
  try {
    return Object.values(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>).filter((value): value is string => typeof value === 'string');
  } catch {
    return [];
  }
}

/** Walks a value along its schema, replacing each secret by what `onSecret` returns. */
function walk(node: SchemaNode, value: unknown, at: string, onSecret: (at: string, value: unknown) => unknown): unknown {
  if (value === undefined || value === null) return value;
  if (node.secret) return onSecret(at, value);
  if (node.anyOf) {
    // Unions of objects are told apart by a literal `kind`; take the branch the value chose.
    const kind = (value as { kind?: unknown }).kind;
    const branch = node.anyOf.find((candidate) => candidate.properties?.['kind']?.const === kind) ?? node.anyOf.find((candidate) => candidate.properties);
    return branch ? walk(branch, value, at, onSecret) : value;
  }
  if (Array.isArray(value)) return node.items ? value.map((item, index) => walk(node.items!, item, `${at}[${index}]`, onSecret)) : value;
  if (typeof value === 'object' && node.properties) {
    const copy: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      const child = node.properties[key];
      copy[key] = child ? walk(child, inner, at ? `${at}.${key}` : key, onSecret) : inner;
    }
    return copy;
  }
  return value;
}
