/**
 * @module clevertap/language
 * CleverTap lets users type a template's language freely (`en`, `en_US`, `en-us`, `en(uk)`),
 * while Meta matches templates on its own codes (`en`, `en_US`, `en_GB`, `pt_BR`). This maps the
 * former onto the latter; anything it does not recognise passes through so Meta can judge it.
 */

/**
 * Region spellings that are not ISO 3166 codes. `uk` is what people write for Britain, but it is
 * only an alias in region position: as a language, `uk` is Ukrainian and stays `uk`.
 */
const REGION_ALIASES: Readonly<Record<string, string>> = { UK: 'GB' };

const LANGUAGE_ONLY = /^([a-z]{2,3})$/i;
/** `en_US`, `en-us`, `es_419`. */
const LANGUAGE_SEPARATOR_REGION = /^([a-z]{2,3})\s*[_-]\s*([a-z]{2}|\d{3})$/i;
/** `en(uk)`, `pt (BR)`. */
const LANGUAGE_PARENTHESISED_REGION = /^([a-z]{2,3})\s*\(\s*([a-z]{2}|\d{3})\s*\)$/i;

/**
 * Normalises a CleverTap language spelling to Meta's code.
 *
 * @param overrides per-tenant table, keys matched case-insensitively. It is consulted with the
 *   raw spelling first and then with the normalised code, so `{ "en_US": "en" }` also catches
 *   `en-us` and `en(us)` — the usual need when a tenant's templates are approved in `en` only.
 */
export function normalizeLanguageCode(raw: string, overrides?: Record<string, string>): string {
  const trimmed = raw.trim();
  const overriddenRaw = lookupOverride(trimmed, overrides);
  if (overriddenRaw !== undefined) return overriddenRaw;

  const normalized = toMetaCode(trimmed);
  return lookupOverride(normalized, overrides) ?? normalized;
}

function toMetaCode(code: string): string {
  if (LANGUAGE_ONLY.test(code)) return code.toLowerCase();
  const match = LANGUAGE_SEPARATOR_REGION.exec(code) ?? LANGUAGE_PARENTHESISED_REGION.exec(code);
  if (!match) return code;
  const language = (match[1] ?? '').toLowerCase();
  const region = (match[2] ?? '').toUpperCase();
  return `${language}_${REGION_ALIASES[region] ?? region}`;
}

function lookupOverride(code: string, overrides: Record<string, string> | undefined): string | undefined {
  if (!overrides) return undefined;
  const wanted = code.toLowerCase();
  for (const [key, value] of Object.entries(overrides)) {
    if (key.trim().toLowerCase() === wanted && typeof value === 'string') return value.trim();
  }
  return undefined;
}
