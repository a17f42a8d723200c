/**
 * @module clevertap/parse-custom-props
 * Campaign-level key-values (spec §1.1, §7.10). The field table puts `customProps` at the top
 * level, the sample puts it inside `components` as an element without `type`; both are read and
 * merged (later entries win). Values are lists of single-key objects, flattened to one record.
 * Malformed entries are skipped: these are metadata, never a reason to refuse a send.
 */
import { field, isObject, type JsonObject } from './parse-fields.js';

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
        const text = propValue(value);
        if (text !== undefined) entries.push([key, text]);
      }
    }
  }
  // fromEntries defines own properties, so a `__proto__` key stays an ordinary key.
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
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
