/**
 * @module clevertap/dlr-codes
 * CleverTap's delivery-report error codes (spec §3). Every canonical failure reason maps to
 * exactly one code; `whatsapp/errors.ts` maps Meta's codes onto the reasons. Together they are
 * the one mapping table, rendered in `docs/error-mapping.md`.
 */
import type { FailureReason } from '../domain/failure.js';

export interface ClevertapDlrCode {
  code: number;
  title: string;
}

export const CLEVERTAP_DLR_CODES: Readonly<Record<FailureReason, ClevertapDlrCode>> = {
  invalid_credentials: { code: 1000, title: 'Invalid credentials' },
  invalid_template: { code: 1001, title: 'Invalid template parameters' },
  invalid_phone: { code: 1002, title: 'Invalid phone number' },
  number_inactive: { code: 1003, title: 'Phone number no longer active' },
  rate_limited: { code: 1004, title: 'Too many send requests to the number' },
  temporarily_unavailable: { code: 1005, title: 'Number temporarily unavailable' },
  blacklisted: { code: 1006, title: 'Number blacklisted' },
  device_incapable: { code: 1007, title: 'Device cannot receive the message' },
  outside_window: { code: 1008, title: 'Sent outside the WhatsApp chat window' },
  other: { code: 1009, title: 'Other error' },
  blocked_by_meta: { code: 1010, title: 'Message blocked by Meta' },
};

export function clevertapDlrCode(reason: FailureReason): ClevertapDlrCode {
  return CLEVERTAP_DLR_CODES[reason];
}
