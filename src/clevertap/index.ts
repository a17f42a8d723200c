/**
 * @module clevertap
 * CleverTap's side of the wire. Inbound: parsing send requests, checking their credentials and
 * the response bodies that answer them. Shared: the DLR error codes.
 */
export { parseSendRequest, VALIDATION_NAMESPACE, UNPARSEABLE_REQUEST_MESSAGE } from './parse-send-request.js';
export type { ParseOptions, ParseOutcome } from './parse-send-request.js';
export type { RejectionCode } from './parse-fields.js';
export { MAX_TEXT_BODY_CHARS } from './parse-freeform.js';
export { normalizeLanguageCode } from './language.js';
export {
  checkClevertapAuth,
  credentialHeaders,
  callbackOverridesFromHeaders,
  DELIVERY_REPORT_CALLBACK_HEADER,
  INBOUND_MESSAGE_CALLBACK_HEADER,
} from './auth.js';
export type { RequestHeaders } from './auth.js';
export * from './responses.js';
export * from './dlr-codes.js';
export * from './callbacks.js';
export { redactCallbackUrl } from './callback-url.js';
export {
  templateImportPage,
  encodeTemplateImportCursor,
  decodeTemplateImportCursor,
  DEFAULT_IMPORT_LIMIT,
  MAX_IMPORT_LIMIT,
} from './template-import.js';
export type { TemplateImportInput, TemplateImportResponse } from './template-import.js';
