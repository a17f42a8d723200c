/**
 * @module sim/meta/validate-send
 * Validation of `POST /{phone-number-id}/messages` bodies, mirroring Meta's synchronous checks:
 * envelope (`messaging_product`, `to`, `type`), per-type required fields and the length/count
 * limits of §1.2. Pure: data in, a `ValidSend` out, a thrown `Rejection` on the first problem.
 */
import { Rejection } from './errors.js';
import type { StoredTemplate, TemplateStore } from './templates.js';
import { validateTemplateSend } from './validate-template.js';

type Obj = Record<string, unknown>;

export type ValidSend =
  | { kind: 'read'; messageId: string }
  | {
      kind: 'message';
      /** `to` exactly as sent (echoed as `contacts[0].input`). */
      to: string;
      /** Digits only (`contacts[0].wa_id`, webhook `recipient_id`). */
      waId: string;
      type: string;
      template?: StoredTemplate;
      bizOpaqueCallbackData?: string;
      /** Media referenced by id, which must exist when the message is "delivered". */
      mediaId?: string;
    };

export const MESSAGE_TYPES = new Set([
  'text',
  'image',
  'video',
  'audio',
  'document',
  'sticker',
  'location',
  'contacts',
  'reaction',
  'interactive',
  'template',
]);

const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'document', 'sticker']);
const CAPTIONED = new Set(['image', 'video', 'document']);
const PHONE_PUNCTUATION = /[\s+\-()]/g;
const DIGITS = /^\d{7,15}$/;
const MAX_OPAQUE = 512;

export function validateSend(body: unknown, templates: TemplateStore): ValidSend {
  if (!isObj(body)) throw new Rejection(100, 'The request body must be a JSON object.');
  const product = body.messaging_product;
  if (product === undefined) throw new Rejection(100, 'The parameter messaging_product is required.');
  if (product !== 'whatsapp') {
    throw new Rejection(100, `Param messaging_product must be one of {WHATSAPP} - got "${String(product)}".`);
  }

  if (body.status !== undefined) {
    if (body.status !== 'read') throw new Rejection(100, `Param status must be one of {READ} - got "${String(body.status)}".`);
    if (typeof body.message_id !== 'string' || body.message_id === '') {
      throw new Rejection(131008, 'The parameter message_id is required.');
    }
    return { kind: 'read', messageId: body.message_id };
  }

  if (body.recipient_type !== undefined && body.recipient_type !== 'individual') {
    throw new Rejection(100, `Param recipient_type must be one of {INDIVIDUAL} - got "${String(body.recipient_type)}".`);
  }
  const to = body.to;
  if (to === undefined || to === null || to === '') throw new Rejection(131008, 'The parameter to is required.');
  if (typeof to !== 'string') throw new Rejection(131009, "Param to must be a string.");
  const waId = to.replace(PHONE_PUNCTUATION, '');
  if (!DIGITS.test(waId) || waId.startsWith('0')) {
    throw new Rejection(131009, `Invalid WhatsApp phone number in param to: "${to}".`);
  }

  let bizOpaqueCallbackData: string | undefined;
  if (body.biz_opaque_callback_data !== undefined) {
    if (typeof body.biz_opaque_callback_data !== 'string') throw new Rejection(100, 'Param biz_opaque_callback_data must be a string.');
    if (body.biz_opaque_callback_data.length > MAX_OPAQUE) {
      throw new Rejection(100, `Param biz_opaque_callback_data must be at most ${MAX_OPAQUE} characters long.`);
    }
    bizOpaqueCallbackData = body.biz_opaque_callback_data;
  }
  if (body.context !== undefined) {
    if (!isObj(body.context) || typeof body.context.message_id !== 'string') {
      throw new Rejection(131008, "The parameter context['message_id'] is required.");
    }
  }

  // Graph defaults a missing type to text, like the Cloud API does.
  const type = body.type === undefined ? 'text' : body.type;
  if (typeof type !== 'string' || !MESSAGE_TYPES.has(type)) throw new Rejection(131051, `Message type "${String(type)}" is not currently supported.`);
  const payload = body[type];
  if (payload === undefined || payload === null) throw new Rejection(131008, `The parameter ${type} is required.`);

  const result: ValidSend = { kind: 'message', to, waId, type };
  if (bizOpaqueCallbackData !== undefined) result.bizOpaqueCallbackData = bizOpaqueCallbackData;

  if (type === 'template') {
    result.template = validateTemplateSend(payload, templates);
    return result;
  }
  if (MEDIA_TYPES.has(type)) {
    const mediaId = checkMedia(type, payload);
    if (mediaId !== undefined) result.mediaId = mediaId;
    return result;
  }
  switch (type) {
    case 'text':
      checkText(payload);
      break;
    case 'location':
      checkLocation(payload);
      break;
    case 'contacts':
      checkContacts(payload);
      break;
    case 'reaction':
      checkReaction(payload);
      break;
    case 'interactive':
      checkInteractive(payload);
      break;
  }
  return result;
}

function checkText(p: unknown): void {
  if (!isObj(p)) throw new Rejection(100, "Param text must be an object.");
  if (typeof p.body !== 'string' || p.body === '') throw new Rejection(131008, "The parameter text['body'] is required.");
  maxLen(p.body, 4096, "text['body']");
  if (p.preview_url !== undefined && typeof p.preview_url !== 'boolean') throw new Rejection(100, "Param text['preview_url'] must be a boolean.");
}

function checkMedia(type: string, p: unknown): string | undefined {
  if (!isObj(p)) throw new Rejection(100, `Param ${type} must be an object.`);
  const hasId = typeof p.id === 'string' && p.id !== '';
  const hasLink = typeof p.link === 'string' && p.link !== '';
  if (!hasId && !hasLink) throw new Rejection(131008, `The parameter ${type}['link'] or ${type}['id'] is required.`);
  if (hasId && hasLink) throw new Rejection(100, `Param ${type} must contain either 'id' or 'link', not both.`);
  if (hasLink && !/^https?:\/\/[^\s/]+/i.test(p.link as string)) {
    throw new Rejection(131009, `Param ${type}['link'] is not a valid URI.`);
  }
  if (p.caption !== undefined) {
    if (!CAPTIONED.has(type)) throw new Rejection(100, `Param ${type}['caption'] is not supported for ${type} messages.`);
    if (typeof p.caption !== 'string') throw new Rejection(100, `Param ${type}['caption'] must be a string.`);
    maxLen(p.caption, 1024, `${type}['caption']`);
  }
  if (p.filename !== undefined && (type !== 'document' || typeof p.filename !== 'string')) {
    throw new Rejection(100, `Param ${type}['filename'] is only supported as a string on document messages.`);
  }
  return hasId ? (p.id as string) : undefined;
}

function checkLocation(p: unknown): void {
  if (!isObj(p)) throw new Rejection(100, 'Param location must be an object.');
  for (const k of ['latitude', 'longitude'] as const) {
    const v = p[k];
    if (v === undefined) throw new Rejection(131008, `The parameter location['${k}'] is required.`);
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    const bound = k === 'latitude' ? 90 : 180;
    if (!Number.isFinite(n) || Math.abs(n) > bound) throw new Rejection(131009, `Param location['${k}'] is not a valid coordinate.`);
  }
}

function checkContacts(p: unknown): void {
  if (!Array.isArray(p) || p.length === 0) throw new Rejection(131008, 'The parameter contacts must be a non-empty array.');
  p.forEach((c, i) => {
    const name = isObj(c) ? c.name : undefined;
    if (!isObj(name) || typeof name.formatted_name !== 'string' || name.formatted_name === '') {
      throw new Rejection(131008, `The parameter contacts[${i}]['name']['formatted_name'] is required.`);
    }
  });
}

function checkReaction(p: unknown): void {
  if (!isObj(p)) throw new Rejection(100, 'Param reaction must be an object.');
  if (typeof p.message_id !== 'string' || p.message_id === '') throw new Rejection(131008, "The parameter reaction['message_id'] is required.");
  if (p.emoji !== undefined && typeof p.emoji !== 'string') throw new Rejection(131009, "Param reaction['emoji'] must be a string.");
}

const INTERACTIVE_TYPES = new Set([
  'button',
  'list',
  'cta_url',
  'flow',
  'product',
  'product_list',
  'catalog_message',
  'location_request_message',
  'address_message',
]);

function checkInteractive(p: unknown): void {
  if (!isObj(p)) throw new Rejection(100, 'Param interactive must be an object.');
  const t = p.type;
  if (t === undefined) throw new Rejection(131008, "The parameter interactive['type'] is required.");
  if (typeof t !== 'string' || !INTERACTIVE_TYPES.has(t)) throw new Rejection(131009, `Param interactive['type'] is not valid: "${String(t)}".`);
  const action = p.action;
  if (!isObj(action)) throw new Rejection(131008, "The parameter interactive['action'] is required.");
  if (p.footer !== undefined) maxLen(textOf(p.footer, "interactive['footer']['text']"), 60, "interactive['footer']['text']");
  if (t === 'button' || t === 'list' || t === 'cta_url') {
    const body = textOf(p.body, "interactive['body']['text']");
    maxLen(body, t === 'list' ? 4096 : 1024, "interactive['body']['text']");
  }
  if (t === 'button') checkReplyButtons(action);
  else if (t === 'list') checkList(p, action);
  else if (t === 'cta_url') checkCtaUrl(action);
}

function checkReplyButtons(action: Obj): void {
  const buttons = action.buttons;
  if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) {
    throw new Rejection(131009, 'Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: 3');
  }
  const ids = new Set<string>();
  const titles = new Set<string>();
  buttons.forEach((b, i) => {
    const reply = isObj(b) ? b.reply : undefined;
    if (!isObj(b) || b.type !== 'reply' || !isObj(reply)) throw new Rejection(131009, `Param interactive['action']['buttons'][${i}] must be a reply button.`);
    if (typeof reply.id !== 'string' || reply.id === '') throw new Rejection(131008, `The parameter interactive['action']['buttons'][${i}]['reply']['id'] is required.`);
    if (typeof reply.title !== 'string' || reply.title === '') throw new Rejection(131008, `The parameter interactive['action']['buttons'][${i}]['reply']['title'] is required.`);
    maxLen(reply.id, 256, `interactive['action']['buttons'][${i}]['reply']['id']`);
    maxLen(reply.title, 20, `interactive['action']['buttons'][${i}]['reply']['title']`);
    if (ids.has(reply.id) || titles.has(reply.title)) throw new Rejection(131009, 'Button title and id must be unique.');
    ids.add(reply.id);
    titles.add(reply.title);
  });
}

function checkList(p: Obj, action: Obj): void {
  if (p.header !== undefined && (!isObj(p.header) || p.header.type !== 'text')) {
    throw new Rejection(131009, 'Param interactive[\'header\'][\'type\'] must be text for list messages.');
  }
  if (isObj(p.header) && typeof p.header.text === 'string') maxLen(p.header.text, 60, "interactive['header']['text']");
  if (typeof action.button !== 'string' || action.button === '') throw new Rejection(131008, "The parameter interactive['action']['button'] is required.");
  maxLen(action.button, 20, "interactive['action']['button']");
  const sections = action.sections;
  if (!Array.isArray(sections) || sections.length < 1 || sections.length > 10) {
    throw new Rejection(131009, 'Invalid sections count. Min allowed sections: 1, Max allowed sections: 10');
  }
  let rows = 0;
  sections.forEach((s, i) => {
    if (!isObj(s) || !Array.isArray(s.rows)) throw new Rejection(131008, `The parameter interactive['action']['sections'][${i}]['rows'] is required.`);
    if (sections.length > 1 && (typeof s.title !== 'string' || s.title === '')) {
      throw new Rejection(131008, `The parameter interactive['action']['sections'][${i}]['title'] is required.`);
    }
    if (typeof s.title === 'string') maxLen(s.title, 24, `interactive['action']['sections'][${i}]['title']`);
    s.rows.forEach((r, j) => {
      const at = `interactive['action']['sections'][${i}]['rows'][${j}]`;
      if (!isObj(r) || typeof r.id !== 'string' || typeof r.title !== 'string') throw new Rejection(131008, `The parameter ${at}['id'] and ['title'] are required.`);
      maxLen(r.id, 200, `${at}['id']`);
      maxLen(r.title, 24, `${at}['title']`);
      if (r.description !== undefined) maxLen(String(r.description), 72, `${at}['description']`);
    });
    rows += s.rows.length;
  });
  if (rows < 1 || rows > 10) throw new Rejection(131009, 'Invalid rows count. Min allowed rows: 1, Max allowed rows: 10');
}

function checkCtaUrl(action: Obj): void {
  if (action.name !== 'cta_url') throw new Rejection(131009, "Param interactive['action']['name'] must be cta_url.");
  const params = action.parameters;
  if (!isObj(params)) throw new Rejection(131008, "The parameter interactive['action']['parameters'] is required.");
  if (typeof params.display_text !== 'string' || params.display_text === '') {
    throw new Rejection(131008, "The parameter interactive['action']['parameters']['display_text'] is required.");
  }
  maxLen(params.display_text, 20, "interactive['action']['parameters']['display_text']");
  if (typeof params.url !== 'string' || !/^https?:\/\//i.test(params.url)) {
    throw new Rejection(131008, "The parameter interactive['action']['parameters']['url'] is required.");
  }
}

function textOf(v: unknown, path: string): string {
  if (!isObj(v) || typeof v.text !== 'string' || v.text === '') throw new Rejection(131008, `The parameter ${path} is required.`);
  return v.text;
}

function maxLen(s: string, max: number, path: string): void {
  if (s.length > max) throw new Rejection(131009, `Param ${path} must be at most ${max} characters long.`);
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
