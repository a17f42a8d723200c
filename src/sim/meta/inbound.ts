/**
 * @module sim/meta/inbound
 * Builds the `messages[]` item and `contacts[]` of an inbound webhook (§3.5) from a small
 * input, for every type a user can send. Every type-specific field has a default, so
 * `{ from, type: 'location' }` alone is a valid injection; tests override only what they assert.
 * Media is registered in the simulator's media store so the gateway can fetch it like real
 * inbound media (`GET /{media-id}` then the download URL).
 */
import { createHash } from 'node:crypto';

export const INBOUND_TYPES = [
  'text',
  'image',
  'video',
  'audio',
  'document',
  'sticker',
  'location',
  'contacts',
  'button',
  'interactive',
  'reaction',
  'order',
  'system',
  'unsupported',
] as const;

export type InboundType = (typeof INBOUND_TYPES)[number];

export interface InboundMediaInput {
  /** An existing media id (e.g. from `addInboundMedia`); otherwise the bytes below are stored. */
  id?: string;
  bytes?: Uint8Array;
  /** Same as `bytes`, for JSON callers (`POST /_sim/inbound`). */
  base64?: string;
  /** Default per type: image/jpeg, video/mp4, audio/ogg; codecs=opus, application/pdf, image/webp. */
  mimeType?: string;
  /** Documents only. Default `document.pdf`. */
  filename?: string;
  /** Audio only: a voice note. Default true. */
  voice?: boolean;
  /** Stickers only. Default false. */
  animated?: boolean;
}

export interface InboundInput {
  /** Receiving business number. Default: the simulator's first phone number. */
  phoneNumberId?: string;
  /** The user's number; `+`, spaces and dashes are stripped. */
  from: string;
  type: InboundType;
  /** `contacts[].profile.name`. Default `Sim User`. */
  name?: string;
  /**
   * The human text of the message: text body, media caption (image/video/document), quick-reply
   * button label, order note, system message body.
   */
  text?: string;
  media?: InboundMediaInput;
  location?: { latitude: number; longitude: number; name?: string; address?: string; url?: string };
  /** Meta-shaped contact cards. Default: one card. */
  contacts?: Record<string, unknown>[];
  /** Template quick-reply button: the payload set at send time. Default `QUICK_REPLY_PAYLOAD`. */
  buttonPayload?: string;
  interactive?:
    | { type: 'button_reply'; id?: string; title?: string }
    | { type: 'list_reply'; id?: string; title?: string; description?: string }
    | { type: 'nfm_reply'; name?: string; body?: string; responseJson?: string | Record<string, unknown> };
  /** `reaction.message_id` defaults to `contextWamid`; an empty `emoji` means the reaction was removed. */
  reaction?: { messageId?: string; emoji?: string };
  order?: {
    catalogId?: string;
    productItems?: { product_retailer_id: string; quantity: number; item_price: number; currency: string }[];
  };
  /** System notice; default `user_changed_number` to `newWaId` (default: `from` with the last digit bumped). */
  system?: { type?: 'user_changed_number' | 'customer_identity_changed'; newWaId?: string; identity?: string };
  /** `unsupported.type`, e.g. `edit` or `poll`. Default `unknown`. */
  unsupportedType?: string;
  /** Reply to this wamid (`context.from` is the business number). Required by Meta for `button`; defaulted here. */
  contextWamid?: string;
  /** Forwarded message; `'frequently'` for more than five forwards. */
  forwarded?: boolean | 'frequently';
  /** Click-to-WhatsApp ad referral, passed through as given. */
  referral?: Record<string, unknown>;
  /** Fields merged last into the message object, for shapes this builder does not cover. */
  overrides?: Record<string, unknown>;
}

export interface InboundBuildContext {
  displayPhoneNumber: string;
  wamid: string;
  nowMs: number;
  /** Stores media and returns its id (the simulator's media store). */
  addMedia(bytes: Buffer, mimeType: string, filename: string | undefined): { id: string };
  /** Looks up stored media for its MIME type and hash. */
  getMedia(id: string): { mimeType: string; sha256: string; filename: string | undefined } | undefined;
}

export interface BuiltInbound {
  waId: string;
  contacts: Record<string, unknown>[];
  message: Record<string, unknown>;
  mediaId?: string;
}

const MEDIA_DEFAULTS: Readonly<Record<string, string>> = {
  image: 'image/jpeg',
  video: 'video/mp4',
  audio: 'audio/ogg; codecs=opus',
  document: 'application/pdf',
  sticker: 'image/webp',
};

/** Thrown for input the builder cannot turn into a message; the control API answers 400. */
export class InboundInputError extends Error {}

export function digitsOf(phone: string): string {
  return phone.replace(/[\s+()-]/g, '');
}

export function buildInbound(input: InboundInput, ctx: InboundBuildContext): BuiltInbound {
  if (!INBOUND_TYPES.includes(input.type)) throw new InboundInputError(`type must be one of ${INBOUND_TYPES.join(', ')}`);
  const waId = digitsOf(String(input.from ?? ''));
  if (!/^\d{7,15}$/.test(waId)) throw new InboundInputError('from must be a phone number of 7-15 digits');

  const message: Record<string, unknown> = {
    from: waId,
    id: ctx.wamid,
    timestamp: String(Math.floor(ctx.nowMs / 1000)),
    type: input.type,
  };
  const context = contextOf(input, ctx.displayPhoneNumber);
  if (context) message.context = context;
  if (input.referral) message.referral = input.referral;

  let mediaId: string | undefined;
  if (input.type in MEDIA_DEFAULTS) {
    const media = mediaPayload(input, ctx);
    mediaId = media.id as string;
    message[input.type] = media;
  } else {
    Object.assign(message, payloadFor(input, waId));
  }
  if (input.overrides) Object.assign(message, input.overrides);

  const built: BuiltInbound = { waId, contacts: [{ profile: { name: input.name ?? 'Sim User' }, wa_id: waId }], message };
  if (mediaId !== undefined) built.mediaId = mediaId;
  return built;
}

function contextOf(input: InboundInput, businessNumber: string): Record<string, unknown> | undefined {
  if (input.forwarded === 'frequently') return { forwarded: true, frequently_forwarded: true };
  if (input.forwarded) return { forwarded: true };
  // A quick-reply tap always replies to the template it came from.
  const id = input.contextWamid ?? (input.type === 'button' ? placeholderWamid(input.from) : undefined);
  return id === undefined ? undefined : { from: businessNumber, id };
}

function mediaPayload(input: InboundInput, ctx: InboundBuildContext): Record<string, unknown> {
  const type = input.type;
  const m = input.media ?? {};
  let id = m.id;
  if (id === undefined) {
    const bytes = m.bytes ? Buffer.from(m.bytes) : m.base64 !== undefined ? Buffer.from(m.base64, 'base64') : defaultBytes(type);
    const filename = type === 'document' ? (m.filename ?? 'document.pdf') : undefined;
    id = ctx.addMedia(bytes, m.mimeType ?? (MEDIA_DEFAULTS[type] as string), filename).id;
  }
  const stored = ctx.getMedia(id);
  if (!stored) throw new InboundInputError(`media ${id} does not exist`);
  // Webhooks carry the hash in base64, while `GET /{media-id}` reports hex.
  const payload: Record<string, unknown> = {
    mime_type: m.mimeType ?? stored.mimeType,
    sha256: Buffer.from(stored.sha256, 'hex').toString('base64'),
    id,
  };
  if ((type === 'image' || type === 'video' || type === 'document') && input.text !== undefined) payload.caption = input.text;
  if (type === 'document') payload.filename = m.filename ?? stored.filename ?? 'document.pdf';
  if (type === 'audio') payload.voice = m.voice ?? true;
  if (type === 'sticker') payload.animated = m.animated ?? false;
  return payload;
}

/** The type-specific part of a non-media message (and `errors` for unsupported ones). */
function payloadFor(input: InboundInput, waId: string): Record<string, unknown> {
  switch (input.type) {
    case 'text':
      return { text: { body: input.text ?? 'Hello' } };
    case 'location': {
      const l = input.location ?? { latitude: 37.4851, longitude: -122.1483, name: 'Meta HQ', address: '1 Hacker Way, Menlo Park, CA' };
      return { location: { ...l } };
    }
    case 'contacts':
      return { contacts: input.contacts ?? [DEFAULT_CONTACT_CARD] };
    case 'button':
      return { button: { payload: input.buttonPayload ?? 'QUICK_REPLY_PAYLOAD', text: input.text ?? 'Yes' } };
    case 'interactive':
      return { interactive: interactivePayload(input.interactive ?? { type: 'button_reply' }) };
    case 'reaction': {
      const r = input.reaction ?? {};
      const reaction: Record<string, unknown> = { message_id: r.messageId ?? input.contextWamid ?? placeholderWamid(waId) };
      // Meta leaves `emoji` out when the user removes a reaction.
      const emoji = r.emoji ?? '\u{1F44D}';
      if (emoji !== '') reaction.emoji = emoji;
      return { reaction };
    }
    case 'order': {
      const o = input.order ?? {};
      return {
        order: {
          catalog_id: o.catalogId ?? '1537374663656913',
          text: input.text ?? '',
          product_items: o.productItems ?? [{ product_retailer_id: 'SKU-1', quantity: 1, item_price: 9.99, currency: 'USD' }],
        },
      };
    }
    case 'system':
      return { system: systemPayload(input, waId) };
    case 'unsupported':
      return {
        unsupported: { type: input.unsupportedType ?? 'unknown' },
        errors: [
          {
            code: 131051,
            title: 'Message type unknown',
            message: 'Message type unknown',
            error_data: { details: 'Message type is currently not supported.' },
          },
        ],
      };
    default:
      throw new InboundInputError(`no payload builder for type ${input.type}`);
  }
}

function interactivePayload(i: NonNullable<InboundInput['interactive']>): Record<string, unknown> {
  switch (i.type) {
    case 'button_reply':
      return { type: 'button_reply', button_reply: { id: i.id ?? 'btn_1', title: i.title ?? 'Yes' } };
    case 'list_reply': {
      const reply: Record<string, unknown> = { id: i.id ?? 'row_1', title: i.title ?? 'Option 1' };
      if (i.description !== undefined) reply.description = i.description;
      return { type: 'list_reply', list_reply: reply };
    }
    case 'nfm_reply': {
      const response = i.responseJson ?? { flow_token: 'sim-flow-token' };
      return {
        type: 'nfm_reply',
        nfm_reply: {
          name: i.name ?? 'flow',
          body: i.body ?? 'Sent',
          // Meta sends the flow's answers as a JSON string, not an object.
          response_json: typeof response === 'string' ? response : JSON.stringify(response),
        },
      };
    }
    default:
      throw new InboundInputError('interactive.type must be button_reply, list_reply or nfm_reply');
  }
}

function systemPayload(input: InboundInput, waId: string): Record<string, unknown> {
  const s = input.system ?? {};
  if (s.type === 'customer_identity_changed') {
    return {
      body: input.text ?? 'User identity changed',
      identity: s.identity ?? createHash('sha256').update(waId).digest('base64').slice(0, 12),
      type: 'customer_identity_changed',
    };
  }
  const newWaId = s.newWaId ?? waId.slice(0, -1) + String((Number(waId.slice(-1)) + 1) % 10);
  return {
    body: input.text ?? `User ${waId} changed from ${waId} to ${newWaId}`,
    wa_id: newWaId,
    type: 'user_changed_number',
  };
}

const DEFAULT_CONTACT_CARD = {
  name: { formatted_name: 'John Doe', first_name: 'John', last_name: 'Doe' },
  phones: [{ phone: '+1 650 555 1234', wa_id: '16505551234', type: 'CELL' }],
};

/** Marker bytes, not a real encoding: enough for fetch-and-store paths that do not decode. */
function defaultBytes(type: string): Buffer {
  return Buffer.from(`wabridge simulator ${type} media`);
}

/** A wamid-looking id for a message the simulator never sent (only used when none is given). */
function placeholderWamid(from: string): string {
  return 'wamid.' + Buffer.from('sim-context:' + digitsOf(String(from))).toString('base64');
}
