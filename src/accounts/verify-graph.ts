/**
 * @module accounts/verify-graph
 * The live check of an account's Graph credentials before it is saved: `GET /{phone-number-id}`
 * with its access token, through its Graph base URL, the call WhatsApp Manager itself makes to
 * show a number. Meta's answer is read by its error code (never by HTTP status alone, which Meta
 * uses loosely) and pinned on the field an operator must fix:
 * - the token is refused (190 expired/invalid, 102/104 no session or token, 10/200–299 no
 *   permission on this number) → `whatsapp.accessToken`;
 * - the phone number id names nothing the token can see (100, 803, HTTP 404) → `whatsapp.phoneNumberId`;
 * - the number's `display_phone_number` is not the account's `wabaNumber` → `wabaNumber`.
 * Meta not answering (network, timeout, 5xx, throttling) proves nothing about the credentials:
 * it is its own outcome, so the caller can say so and let the operator save without the check.
 */
import { normalizePhone } from '../domain/phone.js';
import { GraphClient } from '../whatsapp/graph-client.js';
import type { FieldError } from './validate-account.js';

export interface GraphTarget {
  graphBaseUrl: string;
  accessToken: string;
  phoneNumberId: string;
  /** The account's number as saved (digits). */
  wabaNumber: string;
}

export type GraphVerification =
  | { kind: 'verified'; displayPhoneNumber: string; verifiedName?: string }
  | { kind: 'invalid'; errors: FieldError[] }
  | { kind: 'unreachable'; reason: string };

export interface VerifyOptions {
  /** How long Meta has to answer; default 10 s (a form is waiting). */
  timeoutMs?: number;
}

interface PhoneNumberNode {
  id?: string;
  display_phone_number?: string;
  verified_name?: string;
}

const TOKEN_CODES = new Set([102, 104, 190, 10]);
const UNKNOWN_OBJECT_CODES = new Set([100, 803]);
/** Meta's "try again later" codes: the credentials were not judged. */
const TRANSIENT_CODES = new Set([1, 2, 4, 17, 32, 613, 80007, 130429]);
const DEFAULT_TIMEOUT_MS = 10_000;

export async function verifyGraphCredentials(target: GraphTarget, options: VerifyOptions = {}): Promise<GraphVerification> {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let client: GraphClient;
  try {
    client = new GraphClient({ graphBaseUrl: target.graphBaseUrl, accessToken: target.accessToken, connections: 1, headersTimeoutMs: timeout, bodyTimeoutMs: timeout, connectTimeoutMs: timeout });
  } catch (error) {
    return invalid('whatsapp.graphBaseUrl', (error as Error).message);
  }
  try {
    const answer = await client.getJson<PhoneNumberNode>(`${encodeURIComponent(target.phoneNumberId)}?fields=display_phone_number,verified_name,quality_rating`);
    if (answer.kind === 'ok') return compareNumber(answer.body, target.wabaNumber);
    if (answer.kind === 'transport') {
      // GraphClient reports a 4xx without Meta's envelope as a transport failure; its status still tells.
      const status = Number(/^HTTP (\d{3}) /.exec(answer.error)?.[1]);
      if (status === 401 || status === 403) return invalid('whatsapp.accessToken', `the Graph API refused the access token (HTTP ${status})`);
      if (status === 404) return invalid('whatsapp.phoneNumberId', `the Graph API knows no phone number ${target.phoneNumberId} (HTTP 404)`);
      return { kind: 'unreachable', reason: answer.error };
    }
    const said = `Meta answered (#${answer.code}${answer.subcode !== undefined ? `/${answer.subcode}` : ''}) ${answer.title}`;
    if (TRANSIENT_CODES.has(answer.code) || answer.httpStatus >= 500) return { kind: 'unreachable', reason: said };
    if (TOKEN_CODES.has(answer.code) || (answer.code >= 200 && answer.code <= 299)) {
      return invalid('whatsapp.accessToken', `the access token was refused: ${said}`);
    }
    if (UNKNOWN_OBJECT_CODES.has(answer.code) || answer.httpStatus === 404) {
      return invalid('whatsapp.phoneNumberId', `no phone number ${target.phoneNumberId} is visible with this access token: ${said}`);
    }
    if (answer.code === 2500) return invalid('whatsapp.graphBaseUrl', `the Graph API does not know this path: ${said}`);
    return invalid('whatsapp.phoneNumberId', `Meta refused to show phone number ${target.phoneNumberId}: ${said}`);
  } finally {
    await client.close();
  }
}

function compareNumber(node: PhoneNumberNode, wabaNumber: string): GraphVerification {
  const shown = node.display_phone_number;
  const digits = normalizePhone(shown);
  if (digits === undefined) return { kind: 'unreachable', reason: `Meta's answer has no usable display_phone_number (${JSON.stringify(shown)})` };
  if (digits !== wabaNumber) {
    return invalid('wabaNumber', `the phone number id belongs to ${digits} (${shown}), not ${wabaNumber}`);
  }
  return { kind: 'verified', displayPhoneNumber: shown!, ...(node.verified_name ? { verifiedName: node.verified_name } : {}) };
}

function invalid(field: string, message: string): GraphVerification {
  return { kind: 'invalid', errors: [{ field, message }] };
}
