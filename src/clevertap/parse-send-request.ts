/**
 * @module clevertap/parse-send-request
 * The single entry point for bodies POSTed to the messaging endpoint (spec §1): the provider-save
 * validation probe, template sends and freeform sends, in every spelling the documentation and
 * the field have shown (spec §7). Returns a value for every input and never throws, so the HTTP
 * layer can map the outcome straight onto a response.
 */
import type { OutboundRequest, PhoneDigits } from '../domain/message.js';
import { normalizePhone } from '../domain/phone.js';
import { parseCustomProps } from './parse-custom-props.js';
import {
  describeValue,
  field,
  invalid,
  isObject,
  SendRequestRejection,
  type JsonObject,
  type RejectionCode,
} from './parse-fields.js';
import { parseFreeform } from './parse-freeform.js';
import { parseTemplate } from './parse-template.js';

/** `template.namespace` of the payload CleverTap sends when a provider is saved. */
export const VALIDATION_NAMESPACE = 'whatsapp:hsm:technology:generic:verify';

export interface ParseOptions {
  /** Digits prepended to numbers written without a country code, e.g. `"91"`. */
  defaultCountryCode?: string;
  /** Per-tenant language spellings → Meta codes; see `normalizeLanguageCode`. */
  languageOverrides?: Record<string, string>;
}

export type ParseOutcome =
  /** The provider-save probe: answer success, send nothing. */
  | { kind: 'validation'; msgId?: string }
  | { kind: 'message'; request: OutboundRequest }
  | { kind: 'rejected'; code: RejectionCode; message: string };

/** Only reachable if the input defeats the parser itself (e.g. a getter that throws). */
export const UNPARSEABLE_REQUEST_MESSAGE = 'The request could not be parsed';

export function parseSendRequest(body: unknown, options?: ParseOptions): ParseOutcome {
  try {
    return parse(body, options ?? {});
  } catch (error) {
    if (error instanceof SendRequestRejection) return { kind: 'rejected', code: error.code, message: error.message };
    return { kind: 'rejected', code: 2004, message: UNPARSEABLE_REQUEST_MESSAGE };
  }
}

function parse(body: unknown, options: ParseOptions): ParseOutcome {
  const message = unwrapEnvelope(body);
  if (!isObject(message)) invalid(`the request body must be a JSON object, got ${describeValue(message)}`);

  // Checked before anything else: the probe's `to` is a placeholder and need not be valid.
  if (isValidationProbe(message)) {
    const msgId = optionalMsgId(message);
    return msgId === undefined ? { kind: 'validation' } : { kind: 'validation', msgId };
  }

  const msgId = readMsgId(message);
  const to = readPhone(message, 'to', 2002, options.defaultCountryCode);
  const wabaNumber = readPhone(message, 'wabaNumber', 2004, options.defaultCountryCode);
  const content = isTemplate(message)
    ? parseTemplate(message, options.languageOverrides)
    : parseFreeform(message);

  const request: OutboundRequest = { msgId, to, wabaNumber, content };
  const customProps = parseCustomProps(message);
  if (customProps) request.customProps = customProps;
  return { kind: 'message', request };
}

/** The current docs wrap the validation payload in `{"body": {...}}`; older ones do not. */
function unwrapEnvelope(body: unknown): unknown {
  if (!isObject(body)) return body;
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'body') return body;
  const inner = body['body'];
  if (!isObject(inner)) return body;
  const looksLikeMessage =
    field(inner, 'template') !== undefined ||
    field(inner, 'payloadVersion', 'paytloadVersion') !== undefined ||
    field(inner, 'isTemplate') !== undefined;
  return looksLikeMessage ? inner : body;
}

function isValidationProbe(message: JsonObject): boolean {
  const template = field(message, 'template');
  if (!isObject(template)) return false;
  const namespace = field(template, 'namespace');
  return typeof namespace === 'string' && namespace.trim() === VALIDATION_NAMESPACE;
}

/**
 * The longest msgId accepted. The docs say "upto 60 characters" and CleverTap's ids are short
 * (`4930004|1731583253|20241114|4930004`); 256 leaves room for variants never seen, while a
 * hostile 200 KB value stays out of the store and out of every callback that echoes it.
 */
export const MAX_MSG_ID_LENGTH = 256;

/**
 * `msgId`, `msg_id` or `msgid`, echoed verbatim in every callback, so it is not trimmed (longer
 * than the documented 60 characters is still echoed faithfully, up to {@link MAX_MSG_ID_LENGTH}).
 */
function readMsgId(message: JsonObject): string {
  const raw = field(message, 'msgId', 'msg_id', 'msgid');
  const msgId = msgIdText(raw);
  if (msgId !== undefined && msgId.length > MAX_MSG_ID_LENGTH) {
    // 2001 like a missing or mistyped msgId: this parser answers every malformed payload so.
    // Not 2004: CleverTap files 2004 with timeouts as a "generic miscellaneous error", which
    // points an operator at capacity rather than at the payload.
    invalid(`msgId is ${msgId.length} characters long; at most ${MAX_MSG_ID_LENGTH} are accepted`);
  }
  // A control character (NUL above all) is no part of a CleverTap id, and Postgres refuses to
  // store NUL in text: it would fail every request committed in the same batch.
  // eslint-disable-next-line no-control-regex
  if (msgId !== undefined && /[\u0000-\u001f\u007f]/.test(msgId)) invalid('msgId contains a control character');
  if (msgId !== undefined) return msgId;
  if (raw === undefined || (typeof raw === 'string' && raw.trim() === '')) invalid('msgId is required');
  return invalid(`msgId must be a string, got ${describeValue(raw)}`);
}

/** The probe's msgId when it has a usable one; the probe is answered with success regardless. */
function optionalMsgId(message: JsonObject): string | undefined {
  const msgId = msgIdText(field(message, 'msgId', 'msg_id', 'msgid'));
  return msgId !== undefined && msgId.length <= MAX_MSG_ID_LENGTH ? msgId : undefined;
}

function msgIdText(raw: unknown): string | undefined {
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  return typeof raw === 'string' && raw.trim() !== '' ? raw : undefined;
}

function readPhone(
  message: JsonObject,
  name: 'to' | 'wabaNumber',
  code: RejectionCode,
  defaultCountryCode: string | undefined,
): PhoneDigits {
  const raw = field(message, name);
  if (raw === undefined) throw new SendRequestRejection(code, `${name} is missing`);
  if (typeof raw !== 'string' && typeof raw !== 'number') {
    throw new SendRequestRejection(code, `${name} must be a phone number string, got ${describeValue(raw)}`);
  }
  const phone = normalizePhone(raw, defaultCountryCode);
  if (phone === undefined) {
    throw new SendRequestRejection(code, `${name} ${describeValue(raw)} is not a valid phone number`);
  }
  return phone;
}

/** `isTemplate` as a boolean or its string/number spellings; when absent, a `template` object decides. */
function isTemplate(message: JsonObject): boolean {
  const flag = field(message, 'isTemplate');
  if (typeof flag === 'boolean') return flag;
  if (typeof flag === 'number') return flag !== 0;
  if (typeof flag === 'string') {
    const text = flag.trim().toLowerCase();
    if (text === 'true' || text === 'yes' || text === '1') return true;
    if (text === 'false' || text === 'no' || text === '0') return false;
  }
  return field(message, 'template') !== undefined;
}
