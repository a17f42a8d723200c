/**
 * @module sim/meta/errors
 * Meta's error vocabulary: the Graph envelope returned synchronously and the `errors[]` entry
 * carried by `failed` status webhooks. Titles and details follow Meta's error-code page so that
 * a gateway branching on `code` + `error_data.details` sees what production would send.
 */
import { randomBytes } from 'node:crypto';

export type HttpStatusMode = 'observed' | 'documented';

interface CodeInfo {
  title: string;
  details: string;
  subcode?: number;
}

/** Every code the simulator can emit, with Meta's title (the `(#code) Title` part) and default details. */
export const META_ERRORS: Readonly<Record<number, CodeInfo>> = {
  0: { title: 'AuthException', details: 'We were unable to authenticate the app user.' },
  1: { title: 'API Unknown', details: 'Invalid request or possible server error.' },
  2: { title: 'API Service', details: 'Temporary due to downtime or due to being overloaded.' },
  3: { title: 'API Method', details: 'Capability or permissions issue.' },
  4: { title: 'Application request limit reached', details: 'The app has reached its API call rate limit.' },
  10: { title: 'Permission Denied', details: 'Permission is either not granted or has been removed.' },
  100: { title: 'Invalid parameter', details: 'The request included one or more unsupported or misspelled parameters.' },
  200: { title: 'Permissions error', details: 'Permission is either not granted or has been removed.' },
  368: {
    title: 'Temporarily blocked for policies violations',
    details: 'The WhatsApp Business Account associated with the app has been restricted or disabled for violating a platform policy.',
  },
  80007: { title: 'Rate limit issues', details: 'The WhatsApp Business Account has reached its rate limit.' },
  130429: { title: 'Rate limit hit', details: 'Cloud API message throughput has been reached.', subcode: 2494055 },
  130472: {
    title: "User's number is part of an experiment",
    details: "Failed to send message because this user's phone number is part of an experiment.",
  },
  130497: {
    title: 'Business account is restricted from messaging users in this country',
    details: 'The business is restricted from messaging users in this country.',
  },
  131000: { title: 'Something went wrong', details: 'Message failed to send due to an unknown error.' },
  131005: { title: 'Access denied', details: 'Permission is either not granted or has been removed.' },
  131008: { title: 'Required parameter is missing', details: 'The request is missing a required parameter.' },
  131009: { title: 'Parameter value is not valid', details: 'One or more parameter values are invalid.' },
  131016: { title: 'Service unavailable', details: 'A service is temporarily unavailable.' },
  131021: { title: 'Recipient cannot be sender', details: 'Sender and recipient phone number is the same.' },
  131026: { title: 'Message undeliverable', details: 'Message Undeliverable.' },
  131030: {
    title: 'Recipient phone number not in allowed list',
    details: 'Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again.',
  },
  131031: {
    title: 'Account has been locked',
    details: 'The WhatsApp Business Account associated with the app has been restricted or disabled for violating a platform policy, or we were unable to verify data included in the request against data set on the WhatsApp Business Account.',
  },
  131042: {
    title: 'Business eligibility payment issue',
    details: 'Message failed to send because there were one or more errors related to your payment method.',
  },
  131045: { title: 'Incorrect certificate', details: 'Message failed to send due to a phone number registration error.' },
  131047: {
    title: 'Re-engagement message',
    details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  },
  131048: {
    title: 'Spam rate limit hit',
    details: 'Message failed to send because there are restrictions on how many messages can be sent from this phone number. This may be because too many previous messages were blocked or flagged as spam.',
  },
  131049: {
    title: 'This message was not delivered to maintain healthy ecosystem engagement.',
    details: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.',
  },
  131050: {
    title: 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.',
    details: 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.',
  },
  131051: { title: 'Unsupported message type', details: 'Message type is not currently supported.' },
  131052: { title: 'Media download error', details: 'Unable to download the media sent by the user.' },
  131053: { title: 'Media upload error', details: 'Unable to upload the media used in the message.' },
  131056: {
    title: '(Business Account, Consumer Account) pair rate limit hit',
    details: 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
  },
  131057: { title: 'Account in maintenance mode', details: 'Business Account is in maintenance mode.' },
  131064: {
    title: 'Messaging limit reached',
    details: 'Message failed to send because your business reached its messaging limit.',
  },
  132000: {
    title: 'Number of parameters does not match the expected number of params',
    details: 'The number of variable parameter values included in the request did not match the number of variable parameters defined in the template.',
  },
  132001: { title: 'Template name does not exist in the translation', details: 'Template name does not exist in the translation.' },
  132005: { title: 'Translated text too long', details: 'Translated text is too long.' },
  132007: { title: 'Template Format Character Policy Violated', details: 'Template content violates a WhatsApp policy.' },
  132012: {
    title: 'Parameter format does not match format in the created template',
    details: 'Variable parameter values formatted incorrectly.',
  },
  132015: { title: 'Template is Paused', details: 'Template is paused due to low quality so it cannot be sent in a template message.' },
  132016: {
    title: 'Template is Disabled',
    details: 'Template has been paused too many times due to low quality and is now permanently disabled.',
  },
  132018: { title: 'There was an issue with the parameters in your template.', details: 'Template parameter validation failed.' },
  133010: { title: 'Phone number Not Registered', details: 'The phone number is not registered on the WhatsApp Business Platform.' },
  135000: { title: 'Generic user error', details: 'Message failed to send because of an unknown error with your request parameters.' },
};

/** Meta's current documentation link for error codes; `href` in async errors points here. */
export const ERROR_CODES_HREF = 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/';

/** A Graph error ready to be written: HTTP status plus the JSON envelope. */
export interface GraphErrorReply {
  status: number;
  code: number;
  body: { error: GraphErrorBody };
}

export interface GraphErrorBody {
  message: string;
  type: string;
  code: number;
  error_data?: { messaging_product: 'whatsapp'; details: string };
  error_subcode?: number;
  fbtrace_id: string;
}

/** A WhatsApp error (13xxxx etc.) in the Graph envelope. */
export function whatsappError(code: number, details?: string, mode: HttpStatusMode = 'observed'): GraphErrorReply {
  const info = META_ERRORS[code] ?? { title: 'Unknown error', details: 'Unknown error.' };
  const error: GraphErrorBody = {
    message: `(#${code}) ${info.title}`,
    type: 'OAuthException',
    code,
    error_data: { messaging_product: 'whatsapp', details: details ?? info.details },
    fbtrace_id: fbtraceId(),
  };
  if (info.subcode !== undefined) error.error_subcode = info.subcode;
  return { status: httpStatusFor(code, mode), code, body: { error } };
}

/** The token could not be parsed or is not the one we issued (190, no `(#190)` prefix). */
export function invalidTokenError(): GraphErrorReply {
  return plain(401, 190, 'OAuthException', 'Invalid OAuth access token - Cannot parse access token');
}

/** No token at all (104). */
export function missingTokenError(): GraphErrorReply {
  return plain(401, 104, 'OAuthException', 'An access token is required to request this resource.');
}

/** Unknown object id, or one the token cannot see (100/33). */
export function unknownObjectError(id: string, method: 'get' | 'post' | 'delete'): GraphErrorReply {
  const message =
    `Unsupported ${method} request. Object with ID '${id}' does not exist, cannot be loaded due to missing ` +
    'permissions, or does not support this operation. Please read the Graph API documentation at ' +
    'https://developers.facebook.com/docs/graph-api';
  const reply = plain(400, 100, 'GraphMethodException', message);
  reply.body.error.error_subcode = 33;
  return reply;
}

/** Graph's answer for a path that matches no node/edge. */
export function unknownPathError(path: string): GraphErrorReply {
  return plain(400, 2500, 'OAuthException', `Unknown path components: ${path}`);
}

/** Code 100 with the detail in the message itself, as Graph does for malformed bodies and fields. */
export function invalidParameterError(message: string): GraphErrorReply {
  return plain(400, 100, 'OAuthException', `(#100) ${message}`);
}

function plain(status: number, code: number, type: string, message: string): GraphErrorReply {
  return { status, code, body: { error: { message, type, code, fbtrace_id: fbtraceId() } } };
}

/** The async `errors[]` entry of a failed status (§2.2): `title` equals `message`. */
export interface AsyncError {
  code: number;
  title: string;
  message: string;
  error_data: { details: string };
  href: string;
}

export function asyncError(code: number, details?: string): AsyncError {
  const info = META_ERRORS[code] ?? { title: 'Unknown error', details: 'Unknown error.' };
  return { code, title: info.title, message: info.title, error_data: { details: details ?? info.details }, href: ERROR_CODES_HREF };
}

/**
 * Observed: nearly every WhatsApp error is a 400, auth is 401, permissions 403.
 * Documented: the older Meta table with 429 throttles, 404 for a missing template and 5xx.
 */
export function httpStatusFor(code: number, mode: HttpStatusMode): number {
  if (code === 0 || code === 190 || code === 104) return 401;
  if (code === 10 || (code >= 200 && code <= 299)) return 403;
  if (mode === 'observed') return 400;
  switch (code) {
    case 368:
    case 131005:
    case 131031:
      return 403;
    case 3:
    case 131000:
      return 500;
    case 2:
    case 131016:
      return 503;
    case 4:
    case 80007:
    case 130429:
    case 131048:
    case 131056:
      return 429;
    case 132001:
      return 404;
    default:
      return 400;
  }
}

/** Graph trace ids look like `Az8or2yhqkZfEZ-_4Qn_Bam`: 'A' + 22 base64url characters. */
export function fbtraceId(): string {
  return 'A' + randomBytes(17).toString('base64url').slice(0, 22);
}

/** `WWW-Authenticate` value Graph attaches to errors; ASCII only, quotes escaped. */
export function wwwAuthenticate(status: number, message: string): string {
  const kind = status === 401 ? 'invalid_token' : 'invalid_request';
  const msg = message.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, '\\$&');
  return `OAuth "Facebook Platform" "${kind}" "${msg}"`;
}

/**
 * A validation failure raised deep inside request checking. Deliberately not an `Error`: no
 * stack is captured, so rejecting thousands of bad requests per second stays cheap.
 */
export class Rejection {
  constructor(
    readonly code: number,
    readonly details?: string,
  ) {}
}
