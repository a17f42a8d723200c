/**
 * @module clevertap/parse-custom-props
 * Campaign-level key-values (spec §1.1, §7.10). The field table puts `customProps` at the top
 * level, the sample puts it inside `components` as an element without `type`; both are read and
 * merged (later entries win). Values are lists of single-key objects, flattened to one record.
 * Malformed entries are skipped: these are metadata, never a reason to refuse a send. Stored
 * with the message, so they are bounded the same way: over-long keys or values are skipped and
 * entries past the limit dropped (campaign key-values are a handful of short words).
 */
import { field, isObject, type JsonObject } from './parse-fields.js';

export const CUSTOM_PROPS_LIMITS = { maxEntries: 64, maxKeyLength: 128, maxValueLength: 1024 } as const;

export function parseCustomProps(message: JsonObject): Record<string, string> | undefined {
  const sources: unknown[] = [field(message, 'customProps')];
  const components = field(message, 'components');
  if (Array.isArray(components)) {
    for (const component of components) {
      if (isObject(component) && field(component, 'type') === undefined) sources.push(field(component, 'customProps'));
    }
  }

  const entries: [string, string][] = [];
  for (const source of sources) {
    const items = Array.isArray(source) ? source : [source];
    for (const item of items) {
      if (!isObject(item)) continue;
      for (const [key, value] of Object.entries(item)) {
        if (key.length > CUSTOM_PROPS_LIMITS.maxKeyLength) continue;
        const text = propValue(value);
        if (text !== undefined && text.length <= CUSTOM_PROPS_LIMITS.maxValueLength) entries.push([key, text]);
      }
    }
  }
  if (entries.length === 0) return undefined;
  // fromEntries defines own properties, so a `__proto__` key stays an ordinary key. Later
  // entries win, so the limit counts distinct keys, not entries.
  const props = Object.fromEntries(entries);
  const keys = Object.keys(props);
  if (keys.length <= CUSTOM_PROPS_LIMITS.maxEntries) return props;
  return Object.fromEntries(keys.slice(0, CUSTOM_PROPS_LIMITS.maxEntries).map((key) => [key, props[key]!]));
}

function propValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return undefined;
  try {
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  } catch {
    // Circular or too deep to serialise: metadata is not worth refusing the send over.
    return undefined;
  }
}
