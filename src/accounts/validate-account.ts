/**
 * @module accounts/validate-account
 * Checks an account document sent to the admin API the way the config file's accounts are
 * checked (the one AccountSchema, its defaults filled in), plus what the schema cannot say: the
 * WABA number is a real number (saved as digits, no `+`), callback URLs parse and use https in
 * production, and the Graph credentials come as a complete set. Every problem is reported with
 * the dotted path of its field (`clevertap.deliveryReportUrl`), so a form can show it in place.
 *
 * Pure: uniqueness against other accounts and the live check with Meta come later (account-admin).
 */
import { Value } from 'typebox/value';
import { normalizePhone } from '../domain/phone.js';
import { AccountSchema, ClevertapAuthSchema, type AccountConfig } from '../config/schema.js';

export interface FieldError {
  field: string;
  message: string;
}

export type AccountValidation = { ok: true; account: AccountConfig } | { ok: false; errors: FieldError[] };

export interface ValidateOptions {
  mode: 'sandbox' | 'production';
}

/** The Graph settings an account either has all of, or (sandbox only) none of. */
export const GRAPH_CREDENTIALS = ['phoneNumberId', 'wabaId', 'accessToken', 'appSecret', 'webhookVerifyToken'] as const;

/** URLs of the account the gateway calls; the first two are CleverTap's callbacks (https in production). */
const CALLBACK_URLS = ['clevertap.deliveryReportUrl', 'clevertap.inboundMessageUrl'] as const;
const OTHER_URLS = ['clevertap.uploadApiUrl', 'clevertap.clickTracking.baseUrl', 'whatsapp.graphBaseUrl'] as const;

/** Friendlier words for the schema's patterns, by field (array items share their field's). */
const PATTERN_MESSAGES: Record<string, string> = {
  id: 'must be 1 to 64 letters, digits, "-" or "_" (it is part of the account\'s endpoint URL)',
  wabaNumber: 'must be a phone number with its country code, e.g. +919888888888',
  defaultCountryCode: 'must be a country calling code without "+", e.g. 91',
  'clevertap.probeNumbers': 'must be a phone number with its country code',
  'clevertap.region': 'must be a CleverTap region such as in1, us1, eu1 or sg1',
  'whatsapp.phoneNumberId': "must be the phone number id from Meta's WhatsApp Manager (digits)",
  'whatsapp.wabaId': "must be the WhatsApp Business Account id from Meta's WhatsApp Manager (digits)",
};

export function validateAccount(input: unknown, { mode }: ValidateOptions): AccountValidation {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, errors: [{ field: '', message: 'the account must be a JSON object' }] };
  }
  const candidate = Value.Default(AccountSchema, structuredClone(input)) as Record<string, unknown>;
  const errors: FieldError[] = [];
  const add = (field: string, message: string) => {
    if (!errors.some((error) => error.field === field)) errors.push({ field, message });
  };

  // The auth union's own errors would describe the first alternative whatever was meant: check
  // the alternative the `kind` names, then the rest of the document with that part set aside.
  const clevertap = candidate['clevertap'];
  const auth = isObject(clevertap) ? clevertap['auth'] : undefined;
  let withoutAuth: unknown = candidate;
  if (isObject(clevertap) && auth !== undefined) {
    const kind = isObject(auth) ? auth['kind'] : undefined;
    const branch = ClevertapAuthSchema.anyOf.find((alternative) => alternative.properties.kind.const === kind);
    if (!branch) add('clevertap.auth.kind', 'must be "bearer", "basic" or "headers"');
    else for (const error of Value.Errors(branch, auth)) schemaError(error, 'clevertap.auth', auth, add);
    withoutAuth = { ...candidate, clevertap: { ...clevertap, auth: { kind: 'bearer', token: 'set aside' } } };
  }
  for (const error of Value.Errors(AccountSchema, withoutAuth)) schemaError(error, '', withoutAuth, add);

  const wabaNumber = candidate['wabaNumber'];
  const digits = typeof wabaNumber === 'string' && !errors.some((error) => error.field === 'wabaNumber') ? normalizePhone(wabaNumber) : undefined;
  if (typeof wabaNumber === 'string' && digits === undefined) add('wabaNumber', PATTERN_MESSAGES['wabaNumber']!);

  for (const field of [...CALLBACK_URLS, ...OTHER_URLS]) {
    const value = valueAt(candidate, field);
    if (typeof value !== 'string' || errors.some((error) => error.field === field)) continue;
    const problem = urlProblem(value, { httpsOnly: mode === 'production' && (CALLBACK_URLS as readonly string[]).includes(field), graph: field === 'whatsapp.graphBaseUrl' });
    if (problem) add(field, problem);
  }

  const whatsapp = candidate['whatsapp'];
  if (isObject(whatsapp)) {
    const ownGraph = mode === 'production' || whatsapp['accessToken'] !== undefined || whatsapp['graphBaseUrl'] !== undefined;
    if (ownGraph) {
      for (const key of GRAPH_CREDENTIALS) {
        if (whatsapp[key] !== undefined) continue;
        add(
          `whatsapp.${key}`,
          mode === 'production'
            ? 'is required in production mode'
            : 'is required when the account has Graph credentials of its own (an account with none is wired to the built-in simulator)',
        );
      }
    }
  }

  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, account: { ...(candidate as AccountConfig), wabaNumber: digits! } };
}

/** The problem with a URL the gateway will call, or undefined when it is usable. */
export function urlProblem(value: string, { httpsOnly, graph }: { httpsOnly: boolean; graph: boolean }): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
  if (httpsOnly && url.protocol !== 'https:') return 'must use https in production mode';
  if (!url.hostname) return 'must name a host';
  if (url.username || url.password) return 'must not carry a user name or password';
  if (graph && (url.search || url.hash)) return 'must not have a query or fragment (e.g. https://graph.facebook.com/v23.0)';
  return undefined;
}

interface SchemaError {
  keyword: string;
  instancePath: string;
  message: string;
  params: Record<string, unknown>;
}

function schemaError(error: SchemaError, prefix: string, value: unknown, add: (field: string, message: string) => void): void {
  const at = (path: string) => [prefix, path].filter(Boolean).join('.');
  const path = dottedPath(error.instancePath);
  switch (error.keyword) {
    case 'additionalProperties':
      // Each extra key also fails on its own (`boolean`, at its path): reported there.
      return;
    case 'boolean':
      return add(at(path), 'is not a known field');
    case 'required': {
      const object = valueAt(value, path);
      const names = (error.params['requiredProperties'] as string[] | undefined) ?? [];
      for (const name of names) if (!isObject(object) || object[name] === undefined) add(at([path, name].filter(Boolean).join('.')), 'is required');
      return;
    }
    case 'pattern': {
      const field = at(path);
      const known = PATTERN_MESSAGES[field.replace(/\[\d+\]$/, '')];
      return add(field, known ?? (String(error.params['pattern']).startsWith('^https?://') ? 'must be an http(s) URL' : error.message));
    }
    case 'minLength':
      return add(at(path), error.params['limit'] === 1 ? 'must not be empty' : error.message);
    case 'type':
      return add(at(path), `must be ${describeType(error.params['type'])}`);
    default:
      return add(at(path), error.message);
  }
}

function describeType(type: unknown): string {
  const names: Record<string, string> = { string: 'a string', object: 'an object', array: 'an array', integer: 'an integer', number: 'a number', boolean: 'true or false' };
  return names[String(type)] ?? `of type ${String(type)}`;
}

/** `/clevertap/probeNumbers/0` → `clevertap.probeNumbers[0]`. */
function dottedPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

function valueAt(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split(/\.|\[(\d+)\]/).filter(Boolean)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
