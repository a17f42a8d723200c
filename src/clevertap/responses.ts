/**
 * @module clevertap/responses
 * The bodies the messaging endpoint answers with (spec §2), serialised once so the hot path at
 * 1500 concurrent requests writes a constant string instead of running JSON.stringify.
 * CleverTap reads the body only on HTTP 200, so per-message failures are 200 + a failure body.
 */

/** Send-API error codes; they appear only inside failure bodies. */
export const SEND_ERROR_CODES = {
  invalidCredentials: 2000,
  invalidTemplateParameters: 2001,
  invalidPhoneNumber: 2002,
  phoneNotSubscribed: 2003,
  other: 2004,
} as const;
export type SendErrorCode = (typeof SEND_ERROR_CODES)[keyof typeof SEND_ERROR_CODES];

export const INVALID_CREDENTIALS_MESSAGE = 'Invalid Credentials';
export const PHONE_NOT_SUBSCRIBED_MESSAGE = 'Phone number not subscribed';
export const INTERNAL_ERROR_MESSAGE = 'Unable to process the request';
export const TOO_MANY_REQUESTS_MESSAGE = 'Too many requests to process';
export const BAD_REQUEST_MESSAGE = 'Bad Request';

/** HTTP 200: accepted, counted as Sent. */
export const SUCCESS_BODY = '{"status":"success"}';

/** HTTP 200 body for a per-request failure. */
export function failureBody(code: SendErrorCode, message: string): string {
  return `{"status":"failure","error":{"code":${code},"message":${JSON.stringify(message)}}}`;
}

/** HTTP 200 body for bad credentials (code 2000). */
export const INVALID_CREDENTIALS_BODY = failureBody(
  SEND_ERROR_CODES.invalidCredentials,
  INVALID_CREDENTIALS_MESSAGE,
);

/** HTTP 500. Carries no code: the spec's sample has none. */
export const INTERNAL_ERROR_BODY = `{"status":"failure","error":{"message":${JSON.stringify(INTERNAL_ERROR_MESSAGE)}}}`;

/** HTTP 429. No `status` field, exactly as documented. */
export const TOO_MANY_REQUESTS_BODY = `{"message":${JSON.stringify(TOO_MANY_REQUESTS_MESSAGE)}}`;

/** HTTP 403 (the spec pairs 403 with "Bad Request"). */
export const BAD_REQUEST_BODY = `{"message":${JSON.stringify(BAD_REQUEST_MESSAGE)}}`;
