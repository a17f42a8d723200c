/**
 * @module whatsapp/json-values
 * Lenient readers for values in Meta's webhook JSON, shared by the status and message parsers:
 * Meta sends ids and timestamps as strings, but a number must not make an item unreadable.
 */
export type JsonObject = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string, or a finite number as a string; otherwise undefined. */
export function asString(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
