/**
 * @module whatsapp/json-values
 * Lenient readers for values in Meta's webhook JSON, shared by the webhook parsers: Meta sends ids
 * and timestamps as strings, but a number must not make an item unreadable. None of them recurses
 * into a value or converts one to a primitive: `Number([[[…]]])` and `String([[[…]]])` walk the
 * whole nesting, and a signed webhook 10,000 levels deep overflowed the stack through them. What
 * could not be read is described and kept with readers that are bounded in depth and size.
 */
export type JsonObject = Record<string, unknown>;

/** An item a webhook parser could not use, for the intake to log and keep for inspection. */
export interface SkippedItem {
  /** Where in the delivery, e.g. `entry[0].changes[1].statuses[3]`. */
  where: string;
  /** Why, in a few bounded words. */
  reason: string;
  /** The item as parsed (any shape, any depth): serialise with {@link boundedJson} only. */
  item: unknown;
  /** `metadata.phone_number_id` of its change, when there is one. */
  phoneNumberId?: string;
  /** `entry[].id` (the WABA), for items that name no phone number. */
  wabaId?: string;
}

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string, or a finite number as a string; otherwise undefined. */
export function asString(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A finite number, or a string holding one; otherwise undefined (never converts an object). */
export function asFiniteNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

const DESCRIBED_CHARS = 40;

/** A short description of any value for a problem message: never long, never deep. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'absent';
  if (typeof value === 'string') return value.length > DESCRIBED_CHARS ? `${JSON.stringify(value.slice(0, DESCRIBED_CHARS))}…` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** `text` cut to at most `max` characters (with `…`), never splitting a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/**
 * `value` as JSON text of at most `maxChars` characters, cut short with a trailing `…` past that.
 * Never throws and never costs more than the budget: nesting deeper than `maxDepth` is written as
 * `"…"`, long strings are cut before they are escaped, and the walk stops once the budget is spent,
 * so neither a 10,000-level item nor a 100,000-element one is walked whole.
 */
export function boundedJson(value: unknown, maxChars: number, maxDepth = 32): string {
  const parts: string[] = [];
  let length = 0;
  const emit = (text: string): boolean => {
    parts.push(text);
    length += text.length;
    return length <= maxChars;
  };
  const walk = (node: unknown, depth: number): boolean => {
    if (typeof node === 'string') return emit(JSON.stringify(node.length > maxChars ? node.slice(0, maxChars) : node));
    if (typeof node === 'number') return emit(Number.isFinite(node) ? String(node) : 'null');
    if (typeof node === 'boolean') return emit(node ? 'true' : 'false');
    if (typeof node !== 'object' || node === null) return emit('null');
    if (depth >= maxDepth) return emit('"…"');
    if (Array.isArray(node)) {
      if (!emit('[')) return false;
      for (let index = 0; index < node.length; index++) {
        if (index > 0 && !emit(',')) return false;
        if (!walk(node[index], depth + 1)) return false;
      }
      return emit(']');
    }
    if (!emit('{')) return false;
    let first = true;
    for (const key in node) {
      if (!Object.hasOwn(node, key)) continue;
      if (!first && !emit(',')) return false;
      first = false;
      if (!emit(`${JSON.stringify(key.length > maxChars ? key.slice(0, maxChars) : key)}:`)) return false;
      if (!walk((node as JsonObject)[key], depth + 1)) return false;
    }
    return emit('}');
  };
  walk(value, 0);
  return clip(parts.join(''), maxChars);
}
