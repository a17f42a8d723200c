/**
 * @module domain/phone
 * Phone numbers arrive as `+91 98765-43210`, `919876543210`, `9876543210` or even a JSON number.
 * Everything downstream works with digits only, country code first (Meta's `wa_id` form).
 */
import type { PhoneDigits } from './message.js';

/** E.164 allows at most 15 digits; anything under 7 cannot be a routable mobile number. */
export const MIN_PHONE_DIGITS = 7;
export const MAX_PHONE_DIGITS = 15;

/** National numbers this long or shorter get the default country code, when one is configured. */
const NATIONAL_NUMBER_MAX_DIGITS = 10;

/**
 * Normalises a phone number to digits. Returns `undefined` when the input cannot be a phone
 * number (letters, too short, too long).
 *
 * @param defaultCountryCode digits to prepend to numbers written without a country code
 *   (no leading `+`, at most 10 digits), e.g. `"91"`.
 */
export function normalizePhone(raw: unknown, defaultCountryCode?: string): PhoneDigits | undefined {
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0) raw = String(raw);
  if (typeof raw !== 'string') return undefined;
  const trimmed = raw.trim();
  const hasPlus = trimmed.startsWith('+');
  const body = hasPlus ? trimmed.slice(1) : trimmed.replace(/^00(?=\d)/, '');
  if (!/^[\d\s\-().]+$/.test(body)) return undefined;
  let digits = body.replace(/\D/g, '');
  if (!hasPlus && defaultCountryCode && digits.length <= NATIONAL_NUMBER_MAX_DIGITS) {
    digits = defaultCountryCode + digits.replace(/^0+/, '');
  }
  if (digits.length < MIN_PHONE_DIGITS || digits.length > MAX_PHONE_DIGITS) return undefined;
  if (digits.startsWith('0')) return undefined;
  return digits;
}
