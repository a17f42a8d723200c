/**
 * @module accounts/mask
 * Secrets are write-only through the admin API: an answer shows each one masked (`EAAG…f3c2`),
 * enough to tell which secret is set, never enough to use it. Which fields are secrets is read
 * from the configuration schema's `secret: true` annotation, so a secret added to the schema is
 * masked without touching this file.
 *
 * On a PUT, the console sends back the document it was shown: a secret still at its masked value
 * (or left out) means "keep the stored one", not "set it to `EAAG…f3c2`".
 */
import { AccountSchema } from '../config/schema.js';

/** Secrets up to this long are masked completely: 4 + 4 shown characters would give most of them away. */
const FULLY_HIDDEN_UP_TO = 12;
const ELLIPSIS = '…';

/** `EAAGm0PX4ZCps…` → `EAAG…f3c2`; 12 characters or fewer → `…`. */
export function maskSecret(value: string): string {
  if (value.length <= FULLY_HIDDEN_UP_TO) return ELLIPSIS;
  return `${value.slice(0, 4)}${ELLIPSIS}${value.slice(-4)}`;
}

interface SchemaNode {
  secret?: boolean;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  const?: unknown;
}

/** One secret value of an account document: its dotted path (`clevertap.auth.headers.api-key`) and value. */
export interface SecretAt {
  path: string;
  value: string;
}

/** Every secret string in an account document, a header map giving one entry per header. */
export function accountSecrets(document: unknown): SecretAt[] {
  const found: SecretAt[] = [];
  mapSecrets(document, (path, value) => {
    found.push({ path, value });
    return value;
  });
  return found;
}

/** A copy of the document with every secret masked. */
export function maskAccount<T>(document: T): T {
  return mapSecrets(document, (_path, value) => maskSecret(value)) as T;
}

/**
 * The document to save from a PUT body: each secret the body sends at the masked value of what is
 * stored at the same place is the stored secret, and so is each secret field it leaves out. Not
 * header values (a header left out of the map is a header removed), nor a secret of a CleverTap
 * auth kind the body changed (a bearer token does not become a basic password).
 */
export function keepStoredSecrets(incoming: Record<string, unknown>, stored: Record<string, unknown>): Record<string, unknown> {
  const storedByPath = new Map(accountSecrets(stored).map((secret) => [secret.path, secret.value]));
  const merged = mapSecrets(incoming, (path, value) => {
    const storedValue = storedByPath.get(path);
    return storedValue !== undefined && value === maskSecret(storedValue) ? storedValue : value;
  }) as Record<string, unknown>;
  const sameAuthKind = authKindOf(merged) === authKindOf(stored);
  for (const [path, storedValue] of storedByPath) {
    if (path.startsWith('clevertap.auth.headers.')) continue;
    if (path.startsWith('clevertap.auth.') && !sameAuthKind) continue;
    const parts = path.split('.');
    const parent = objectAt(merged, parts.slice(0, -1), true);
    const key = parts.at(-1)!;
    if (parent && parent[key] === undefined) parent[key] = storedValue;
  }
  return merged;
}

function authKindOf(document: Record<string, unknown>): unknown {
  return objectAt(document, ['clevertap', 'auth'], false)?.['kind'];
}

/** The object at `parts`; with `create`, missing objects on the way are made. Undefined when something else is in the way. */
function objectAt(document: Record<string, unknown>, parts: readonly string[], create: boolean): Record<string, unknown> | undefined {
  let current: Record<string, unknown> = document;
  for (const part of parts) {
    if (current[part] === undefined && create) current[part] = {};
    const next = current[part];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) return undefined;
    current = next as Record<string, unknown>;
  }
  return current;
}

/**
 * Calls `replace` on every secret string of `document` (a header map's values one by one) and
 * answers a copy holding what it returned. Unions are told apart by their literal `kind`.
 */
export function mapSecrets(document: unknown, replace: (path: string, value: string) => unknown): unknown {
  return walk(AccountSchema as unknown as SchemaNode, document, '', replace);
}

function walk(node: SchemaNode, value: unknown, at: string, replace: (path: string, value: string) => unknown): unknown {
  if (value === undefined || value === null) return value;
  if (node.secret) {
    if (typeof value === 'string') return replace(at, value);
    if (typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, typeof inner === 'string' ? replace(`${at}.${key}`, inner) : inner]));
    }
    return value;
  }
  if (node.anyOf) {
    const kind = (value as { kind?: unknown }).kind;
    const branch = node.anyOf.find((candidate) => candidate.properties?.['kind']?.const === kind);
    return branch ? walk(branch, value, at, replace) : value;
  }
  if (Array.isArray(value)) return node.items ? value.map((item, index) => walk(node.items!, item, `${at}[${index}]`, replace)) : value;
  if (typeof value === 'object' && node.properties) {
    const copy: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      const child = node.properties[key];
      copy[key] = child ? walk(child, inner, at ? `${at}.${key}` : key, replace) : inner;
    }
    return copy;
  }
  return value;
}
