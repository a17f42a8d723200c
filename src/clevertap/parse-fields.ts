/**
 * @module clevertap/parse-fields
 * Tolerant field readers shared by the send-request parsers. CleverTap's documentation spells the
 * same field several ways (`mediaURL`/`mediaUrl`, `payloadVersion`/`payloadversion`,
 * `latitude`/`lattitude`), so lookups ignore case, `_` and `-`. A problem is reported by throwing
 * a {@link SendRequestRejection}, which `parseSendRequest` turns into its result: parsing nests
 * deeply, and threading result values through every level would bury the rules in plumbing.
 */
import type { MediaRef } from '../domain/message.js';

export type RejectionCode = 2001 | 2002 | 2004;

/** A request CleverTap must be told is invalid; only thrown inside this folder's parsers. */
export class SendRequestRejection extends Error {
  constructor(
    readonly code: RejectionCode,
    message: string,
  ) {
    super(message);
    this.name = 'SendRequestRejection';
  }
}

/** Rejects with 2001, "invalid template parameters" — the code for any malformed payload. */
export function invalid(message: string): never {
  throw new SendRequestRejection(2001, message);
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Field and enum spellings compared without case, `_`, `-` or spaces (`quick_reply` = `QuickReply`). */
export function fieldKey(name: string): string {
  // Keys come from untrusted bodies, so the cache is bounded by size, not only by count: a
  // count alone let unique 200 KB keys retain ~780 MB. The real vocabulary is a few dozen short
  // words, so longer keys are computed every time and never kept.
  if (name.length > FIELD_KEY_CACHE_LIMITS.maxKeyLength) return normalizeFieldKey(name);
  let key = fieldKeyCache.get(name);
  if (key === undefined) {
    key = normalizeFieldKey(name);
    // Full means a flood of junk keys: start over rather than keep the junk and turn away the
    // real vocabulary for the rest of the process's life.
    if (fieldKeyCache.size >= FIELD_KEY_CACHE_LIMITS.maxEntries) fieldKeyCache.clear();
    fieldKeyCache.set(name, key);
  }
  return key;
}

function normalizeFieldKey(name: string): string {
  return name.replace(/[_\-\s]/g, '').toLowerCase();
}

/** At most `maxEntries` × 2 strings of `maxKeyLength` characters: well under a megabyte. */
export const FIELD_KEY_CACHE_LIMITS = { maxKeyLength: 64, maxEntries: 2048 } as const;
const fieldKeyCache = new Map<string, string>();

/** What the field-name cache holds now (for tests and diagnostics). */
export function fieldKeyCacheSize(): { entries: number; characters: number } {
  let characters = 0;
  for (const [name, key] of fieldKeyCache) characters += name.length + key.length;
  return { entries: fieldKeyCache.size, characters };
}

/**
 * The first of `names` present on `object` (not `undefined`/`null`). Exact spellings win; then
 * keys are compared ignoring case, `_`, `-` and spaces.
 */
export function field(object: JsonObject, ...names: string[]): unknown {
  for (const name of names) {
    const value = Object.hasOwn(object, name) ? object[name] : undefined;
    if (value !== undefined && value !== null) return value;
  }
  const wanted = names.map(fieldKey);
  for (const key of Object.keys(object)) {
    if (!wanted.includes(fieldKey(key))) continue;
    const value = object[key];
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

/**
 * A short rendering of a received value for error messages: scalars verbatim (strings quoted and
 * truncated), containers by kind only, so a hostile payload cannot blow up the response.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 50 ? `${value.slice(0, 47)}...` : value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'nothing';
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** `components[2]` + `header` → `components[2].header`; the root has no prefix. */
export function childPath(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

/** Strings as given; finite numbers and booleans stringified (CleverTap personalisation yields numbers). */
export function scalarToString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A non-empty (after trimming) string, or undefined. */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** Optional free text (caption, filename, name): strings only, blank treated as absent. */
export function optionalText(object: JsonObject, ...names: string[]): string | undefined {
  return nonEmptyString(field(object, ...names));
}

/** A number from a JSON number or a numeric string (`"40.7128"`, `" 1712081380237 "`). */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const parsed = Number(value.trim());
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** A list field: absent → empty; present but not an array → rejected. */
export function arrayField(object: JsonObject, path: string, ...names: string[]): unknown[] {
  const value = field(object, ...names);
  if (value === undefined) return [];
  if (!Array.isArray(value)) invalid(`${childPath(path, names[0] ?? '')} must be an array, got ${describeValue(value)}`);
  return value;
}

/**
 * Template/body parameter values: `{type:'text', text}` with a string or number `text`;
 * a bare string or number is accepted too.
 */
export function textParameters(object: JsonObject, path: string): string[] {
  return arrayField(object, path, 'parameters').map((parameter, i) => {
    const parameterPath = `${path}.parameters[${i}]`;
    const direct = scalarToString(parameter);
    if (direct !== undefined) return direct;
    if (!isObject(parameter)) invalid(`${parameterPath} must be an object, got ${describeValue(parameter)}`);
    const text = field(parameter, 'text');
    if (text === undefined) invalid(`${parameterPath}.text is missing`);
    const value = scalarToString(text);
    if (value === undefined) invalid(`${parameterPath}.text must be a string, got ${describeValue(text)}`);
    return value;
  });
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * A media URL Meta can fetch. Doc samples carry `www.example.com/image.png` (no scheme): those
 * get `https://`. Other schemes (including the doc typo `httpa://`) are rejected, since Meta would
 * fail the message later and CleverTap deserves the answer now.
 */
export function mediaUrl(value: unknown, path: string): MediaRef {
  if (value === undefined) invalid(`${path} is missing`);
  if (typeof value !== 'string') invalid(`${path} must be a string, got ${describeValue(value)}`);
  const trimmed = value.trim();
  if (trimmed === '') invalid(`${path} is empty`);
  const scheme = SCHEME.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') {
    invalid(`${path} ${describeValue(value)} has unsupported scheme "${scheme}"; use http or https`);
  }
  const link = scheme !== undefined ? trimmed : trimmed.startsWith('//') ? `https:${trimmed}` : `https://${trimmed}`;
  let hostname = '';
  try {
    hostname = new URL(link).hostname;
  } catch {
    // reported below
  }
  if (hostname === '') invalid(`${path} ${describeValue(value)} is not a valid URL`);
  return { link };
}

/** Latitude/longitude pair from numbers or numeric strings, with the doc's spelling variants. */
export function coordinates(object: JsonObject, path: string): { latitude: number; longitude: number } {
  const latitude = coordinate(object, path, 90, 'latitude', 'lattitude', 'lat');
  const longitude = coordinate(object, path, 180, 'longitude', 'long', 'lng');
  return { latitude, longitude };
}

function coordinate(object: JsonObject, path: string, limit: number, ...names: string[]): number {
  const raw = field(object, ...names);
  const name = names[0] ?? '';
  if (raw === undefined) invalid(`${path}.${name} is missing`);
  const value = toNumber(raw);
  if (value === undefined || Math.abs(value) > limit) {
    invalid(`${path}.${name} ${describeValue(raw)} is not a valid ${name}`);
  }
  return value;
}

/**
 * The media under the first of `keys` in `container`: `{mediaURL}` (also `url`/`link`, which
 * senders copy from Meta's own format), or a bare URL string. Returns the object too so callers
 * can read `caption`/`filename` from it.
 */
export function mediaObject(
  container: JsonObject,
  path: string,
  ...keys: string[]
): { media: MediaRef; details: JsonObject } {
  const value = field(container, ...keys);
  const objectPath = childPath(path, keys[0] ?? '');
  if (value === undefined) invalid(`${objectPath} is missing`);
  if (typeof value === 'string') return { media: mediaUrl(value, objectPath), details: {} };
  if (!isObject(value)) invalid(`${objectPath} must be an object, got ${describeValue(value)}`);
  return { media: mediaUrl(field(value, 'mediaURL', 'url', 'link'), `${objectPath}.mediaURL`), details: value };
}
