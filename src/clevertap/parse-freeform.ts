/**
 * @module clevertap/parse-freeform
 * CleverTap freeform sends (spec §1.4: agent replies from Conversations, provider "Send Test")
 * → the canonical {@link FreeformContent}. CleverTap documents text, image, video, audio, file
 * and location; contacts, lists and interactive messages are declared unsupported and rejected.
 */
import type { FreeformContent } from '../domain/message.js';
import {
  coordinates,
  describeValue,
  field,
  invalid,
  isObject,
  mediaObject,
  optionalText,
  scalarToString,
  type JsonObject,
} from './parse-fields.js';

/** WhatsApp's limit on a text message body. */
export const MAX_TEXT_BODY_CHARS = 4096;

/** Content keys in the order used to infer a missing `type`. */
const CONTENT_KEYS = ['text', 'image', 'video', 'audio', 'voice', 'file', 'document', 'sticker', 'location'] as const;
const SUPPORTED = 'text, image, video, audio, file, document, sticker or location';

export function parseFreeform(message: JsonObject): FreeformContent {
  const declared = field(message, 'type');
  if (declared !== undefined && typeof declared !== 'string') {
    invalid(`type must be a string, got ${describeValue(declared)}`);
  }
  const type =
    declared !== undefined ? declared.trim().toLowerCase() : CONTENT_KEYS.find((key) => field(message, key) !== undefined);
  if (type === undefined) invalid(`type is missing and no ${SUPPORTED} object is present`);

  switch (type) {
    case 'text':
      return { kind: 'text', body: textBody(message) };
    case 'image':
    case 'video': {
      const { media, details } = mediaObject(message, '', type);
      const caption = optionalText(details, 'caption');
      return caption === undefined ? { kind: type, media } : { kind: type, media, caption };
    }
    case 'audio':
    case 'voice':
      // The IMO spec calls audio `voice`; accept it on the way in as well.
      return { kind: 'audio', media: mediaObject(message, '', type, type === 'voice' ? 'audio' : 'voice').media };
    case 'sticker':
      return { kind: 'sticker', media: mediaObject(message, '', 'sticker').media };
    case 'file':
    case 'document': {
      const { media, details } = mediaObject(message, '', type, type === 'file' ? 'document' : 'file');
      const content: FreeformContent = { kind: 'document', media };
      const caption = optionalText(details, 'caption');
      const filename = optionalText(details, 'filename');
      if (caption !== undefined) content.caption = caption;
      if (filename !== undefined) content.filename = filename;
      return content;
    }
    case 'location': {
      const location = field(message, 'location');
      if (location === undefined) invalid('location is missing');
      if (!isObject(location)) invalid(`location must be an object, got ${describeValue(location)}`);
      const content: FreeformContent = { kind: 'location', ...coordinates(location, 'location') };
      const name = optionalText(location, 'name');
      const address = optionalText(location, 'address');
      if (name !== undefined) content.name = name;
      if (address !== undefined) content.address = address;
      return content;
    }
    default:
      return invalid(`type ${describeValue(declared)} is not supported for freeform messages; expected ${SUPPORTED}`);
  }
}

function textBody(message: JsonObject): string {
  const text = field(message, 'text');
  if (text === undefined) invalid('text.body is missing');
  // `"text": "hello"` is not documented, but its meaning is unambiguous.
  const raw = isObject(text) ? field(text, 'body') : text;
  if (raw === undefined) invalid('text.body is missing');
  const body = scalarToString(raw);
  if (body === undefined) invalid(`text.body must be a string, got ${describeValue(raw)}`);
  if (body.trim() === '') invalid('text.body is empty');
  // Counted in characters (code points), as WhatsApp counts; `length` is only a cheap upper bound.
  if (body.length > MAX_TEXT_BODY_CHARS) {
    const chars = [...body].length;
    if (chars > MAX_TEXT_BODY_CHARS) {
      invalid(`text.body is ${chars} characters long; WhatsApp allows at most ${MAX_TEXT_BODY_CHARS}`);
    }
  }
  return body;
}
