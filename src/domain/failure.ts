/**
 * @module domain/failure
 * Why a message could not be delivered, in words that belong to neither protocol.
 * `whatsapp/` maps Meta error codes onto these reasons; `clevertap/` maps them onto
 * CleverTap's DLR codes 1000–1010. Each reason corresponds to exactly one CleverTap code.
 */

export const FAILURE_REASONS = [
  'invalid_credentials',
  'invalid_template',
  'invalid_phone',
  'number_inactive',
  'rate_limited',
  'temporarily_unavailable',
  'blacklisted',
  'device_incapable',
  'outside_window',
  'other',
  'blocked_by_meta',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** A permanent delivery failure, as recorded on the message and reported to CleverTap. */
export interface DeliveryFailure {
  reason: FailureReason;
  /** Meta's numeric error code, when the failure came from Meta. */
  metaCode?: number;
  /** Short human-readable title (Meta's `title`/message or our own). */
  title: string;
  /** Longer detail (Meta's `error_data.details`). */
  detail?: string;
}
