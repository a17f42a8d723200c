/**
 * @module clevertap/callbacks
 * The bodies the gateway POSTs to CleverTap: delivery reports (spec §3) and inbound messages
 * (IMO, spec §4). Pure builders from canonical domain types to JSON strings; the callback
 * dispatcher owns URLs, batching and retries. How each inbound kind is represented, and why,
 * is the table in `docs/inbound-mapping.md` — keep it in step with {@link IMO_TYPE_BY_KIND}.
 */
import type { DeliveryReport } from '../domain/delivery-report.js';
import type { DeliveryFailure } from '../domain/failure.js';
import type { InboundContent, InboundKind, InboundMedia, InboundMessage } from '../domain/inbound.js';
import { clevertapDlrCode } from './dlr-codes.js';

/** Every spec sample uses the string "0.1"; a tenant's provider page may show another value. */
export const DEFAULT_PAYLOAD_VERSION = '0.1';

// ---------------------------------------------------------------- delivery reports (§3)

/** The `error` object of a failed status. */
export interface DlrError {
  code: number;
  title: string;
}

/**
 * `{"payloadVersion":"0.1","statuses":[…]}` for a batch of reports, in the given order
 * (CleverTap accepts several statuses per request; order within a message is the caller's job).
 */
export function deliveryReportBody(reports: readonly DeliveryReport[], payloadVersion: string = DEFAULT_PAYLOAD_VERSION): string {
  return JSON.stringify({ payloadVersion, statuses: reports.filter(isReportable).map(statusEntry) });
}

/**
 * A click without its URLs cannot be expressed (CleverTap requires `url` and `shortUrl`), and
 * since CleverTap accepts a callback only when the whole body matches its format, one such entry
 * would cost every other status in the batch: it is left out instead.
 */
export function isReportable(report: DeliveryReport): boolean {
  return report.status !== 'clicked' || (!!report.click?.url && !!report.click.shortUrl);
}

function statusEntry(report: DeliveryReport): Record<string, unknown> {
  if (report.status === 'clicked') {
    // The click sample differs from every other status: capital C, numeric `ts`, no `timestamp`.
    return {
      msgId: report.msgId,
      status: 'Clicked',
      ts: epochSeconds(report.at),
      url: report.click?.url,
      shortUrl: report.click?.shortUrl,
      // A redirect reached without a User-Agent header still has to send the key.
      userAgent: report.click?.userAgent ?? '',
    };
  }
  const entry: Record<string, unknown> = { msgId: report.msgId, status: report.status, timestamp: String(epochSeconds(report.at)) };
  if (report.status === 'failed') entry['error'] = dlrError(report.failure);
  return entry;
}

/**
 * The code comes from the canonical reason, so CleverTap's stats classify by meaning. The title
 * is the failure's own (Meta's title for a Meta failure, e.g. "Re-engagement message", or the
 * gateway's wording for its own): CleverTap only displays it, and Meta's exact title is what an
 * operator can look up in Meta's error reference. CleverTap's generic title is the fallback.
 * A `failed` report without a failure is reported as 1009 (other) rather than dropped.
 */
export function dlrError(failure: DeliveryFailure | undefined): DlrError {
  const dlr = clevertapDlrCode(failure?.reason ?? 'other');
  const title = failure?.title.trim();
  return { code: dlr.code, title: title || dlr.title };
}

// ---------------------------------------------------------------- inbound messages (§4)

/** The `type` values of an IMO body we emit. */
export type ImoType = 'text' | 'image' | 'video' | 'audio' | 'file' | 'location' | 'button';

/**
 * The IMO `type` each canonical kind is sent as (media kinds fall back to `text` when no media
 * URL can be given). Reasons per row: docs/inbound-mapping.md.
 */
export const IMO_TYPE_BY_KIND: Readonly<Record<InboundKind, ImoType>> = {
  text: 'text',
  image: 'image',
  video: 'video',
  audio: 'audio',
  document: 'file',
  sticker: 'image',
  location: 'location',
  quick_reply_button: 'button',
  button_reply: 'button',
  list_reply: 'button',
  flow_reply: 'text',
  reaction: 'text',
  contacts: 'text',
  order: 'text',
  system: 'text',
  unsupported: 'text',
};

/** Stickers are WebP by definition; used when Meta left the MIME type out. */
export const STICKER_MIME_TYPE = 'image/webp';
/** CleverTap requires `mimeType` on media; Meta always sends one, this covers the odd item without. */
export const UNKNOWN_MIME_TYPE = 'application/octet-stream';

export interface InboundMessageBodyInput {
  message: InboundMessage;
  /** The business number as CleverTap knows it (the provider's `wabaNumber`). */
  wabaNumber: string;
  /** CleverTap's msgId of the message this one answers; sent as `context.id` only when given. */
  contextMsgId?: string;
  /** A URL CleverTap can fetch the media from (the gateway's media proxy). Without it, media arrives as text. */
  mediaUrl?: (mediaId: string) => string;
  /**
   * Replaces `button.payload` when non-empty. The pipeline uses it when the tapped button carried the gateway's
   * own synthesised payload (whatsapp/translate `quickReplyPayload`), which means nothing to
   * CleverTap: clevertap/ cannot import whatsapp/, so only the pipeline can recognise it and
   * decide what CleverTap should see instead (e.g. the button's label).
   */
  buttonPayloadOverride?: string;
  /**
   * Documents are sent with both a `file` and a `document` object holding the same data
   * (default `true`): CleverTap's own sample uses `document`, its skeleton and field table use
   * `file` (spec §4, §7.14), and which one it parses is untested. An extra key costs nothing;
   * a missing one loses the attachment. `false` sends `file` only.
   */
  mirrorFileAsDocument?: boolean;
}

/**
 * The IMO body for one inbound message, or `undefined` when there is nothing CleverTap should
 * record (a reaction being taken back: CleverTap has no way to retract the earlier report).
 */
export function inboundMessageBody(input: InboundMessageBodyInput, payloadVersion: string = DEFAULT_PAYLOAD_VERSION): string | undefined {
  const rendered = renderContent(input);
  if (!rendered) return undefined;
  const body: Record<string, unknown> = {
    payloadVersion,
    from: input.message.from,
    wabaNumber: input.wabaNumber,
    timestamp: String(epochSeconds(input.message.at)),
    type: rendered.type,
  };
  if (input.contextMsgId) body['context'] = { id: input.contextMsgId };
  return JSON.stringify({ ...body, ...rendered.objects });
}

interface Rendered {
  type: ImoType;
  /** The content object(s), keyed as CleverTap expects (`text`, `image`, `file`, …). */
  objects: Record<string, unknown>;
}

function renderContent(input: InboundMessageBodyInput): Rendered | undefined {
  const content = input.message.content;
  switch (content.kind) {
    case 'text':
      return asText(content.body);
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker':
      return renderMedia(content, input);
    case 'location':
      return { type: 'location', objects: { location: locationObject(content) } };
    case 'quick_reply_button':
      return asButton(input.buttonPayloadOverride || content.payload, content.text);
    case 'button_reply':
    case 'list_reply':
      // A tapped option is what CleverTap's `button` type describes; the option id is the
      // payload, the visible title the text (a list row's description is not shown back).
      return asButton(input.buttonPayloadOverride || content.id, content.title);
    case 'flow_reply':
      return asText(flowReplyText(content.body, content.responseJson));
    case 'reaction':
      return content.removed ? undefined : asText(`Reacted ${content.emoji} to a message`);
    case 'contacts':
      return asText(contactsText(content.contacts));
    case 'order':
      return asText(orderText(content));
    case 'system':
      return asText(`[system] ${content.body}`);
    case 'unsupported':
      return asText(content.type ? `[unsupported message: ${content.type}]` : '[unsupported message]');
  }
}

/** CleverTap rejects an empty body; a blank message still happened. */
export const EMPTY_TEXT_PLACEHOLDER = '[empty message]';

function asText(body: string): Rendered {
  return { type: 'text', objects: { text: { body: body.trim() === '' ? EMPTY_TEXT_PLACEHOLDER : body } } };
}

function asButton(payload: string, text: string): Rendered {
  return { type: 'button', objects: { button: { payload, text } } };
}

type MediaContent = Extract<InboundContent, { kind: 'image' | 'video' | 'audio' | 'document' | 'sticker' }>;

const MEDIA_LABEL: Readonly<Record<MediaContent['kind'], string>> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  document: 'document',
  sticker: 'sticker',
};

function renderMedia(content: MediaContent, input: InboundMessageBodyInput): Rendered {
  if (!input.mediaUrl) {
    // CleverTap's media objects need a URL; without one the agent at least sees what arrived.
    const label = content.kind === 'audio' && content.voice ? 'voice message' : MEDIA_LABEL[content.kind];
    const note = content.caption ?? content.filename;
    return asText(note ? `[${label}] ${note}` : `[${label}]`);
  }
  const fallbackMimeType = content.kind === 'sticker' ? STICKER_MIME_TYPE : UNKNOWN_MIME_TYPE;
  const media = mediaObject(content, input.mediaUrl(content.mediaId), fallbackMimeType);
  switch (content.kind) {
    case 'image':
    case 'video':
      return { type: content.kind, objects: { [content.kind]: media } };
    case 'audio':
      // Voice notes go out as plain `audio`: the current spec table and samples only know
      // `audio`; `voice` appears solely as a type value in the oldest skeleton.
      return { type: 'audio', objects: { audio: media } };
    case 'sticker':
      // CleverTap has no sticker type; a sticker is a (WebP) image, which Conversations can show.
      return { type: 'image', objects: { image: media } };
    case 'document':
      return {
        type: 'file',
        objects: input.mirrorFileAsDocument === false ? { file: media } : { file: media, document: { ...media } },
      };
  }
}

function mediaObject(media: InboundMedia, mediaURL: string, fallbackMimeType: string): Record<string, string> {
  const object: Record<string, string> = { mediaURL, mimeType: media.mimeType || fallbackMimeType };
  if (media.caption) object['caption'] = media.caption;
  // CleverTap's own file objects (freeform sends, template headers) carry `filename`.
  if (media.filename) object['filename'] = media.filename;
  return object;
}

function locationObject(content: Extract<InboundContent, { kind: 'location' }>): Record<string, string> {
  // The spec sample sends coordinates as strings.
  const object: Record<string, string> = { latitude: decimalString(content.latitude), longitude: decimalString(content.longitude) };
  if (content.name) object['name'] = content.name;
  if (content.address) object['address'] = content.address;
  if (content.url) object['url'] = content.url;
  return object;
}

/** Flow answers are a JSON object; an agent reads `field: value` lines better (the token is noise). */
function flowReplyText(body: string, responseJson: string): string {
  const heading = body ? `[form reply] ${body}` : '[form reply]';
  let answers: unknown;
  try {
    answers = JSON.parse(responseJson);
  } catch {
    return responseJson ? `${heading}\n${responseJson}` : heading;
  }
  if (typeof answers !== 'object' || answers === null || Array.isArray(answers)) return heading;
  const lines = Object.entries(answers)
    .filter(([key]) => key !== 'flow_token')
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [heading, ...lines].join('\n');
}

function contactsText(contacts: readonly { name: string; phones: string[] }[]): string {
  const cards = contacts.map((c) => [c.name, c.phones.join(', ')].filter(Boolean).join(' ')).filter(Boolean);
  return cards.length > 0 ? `[contact card] ${cards.join('; ')}` : '[contact card]';
}

function orderText(order: Extract<InboundContent, { kind: 'order' }>): string {
  const count = order.items.length;
  const lines = order.items.map((item) => {
    const price = item.itemPrice === undefined ? '' : ` @ ${item.itemPrice}${item.currency ? ` ${item.currency}` : ''}`;
    return `${item.quantity} × ${item.productRetailerId}${price}`;
  });
  const heading = `[order] ${count} ${count === 1 ? 'item' : 'items'}`;
  return [heading, ...lines, ...(order.text ? [order.text] : [])].join('\n');
}

// ---------------------------------------------------------------- shared

/** CleverTap timestamps are whole epoch seconds; a nonsensical time becomes 0 rather than "NaN". */
function epochSeconds(epochMs: number): number {
  return Number.isFinite(epochMs) && epochMs > 0 ? Math.floor(epochMs / 1000) : 0;
}

/** `String(1e-7)` is "1e-7"; coordinates must stay plain decimals. */
function decimalString(value: number): string {
  const text = String(value);
  return /e/i.test(text) ? value.toFixed(12).replace(/\.?0+$/, '') : text;
}
