/**
 * @module whatsapp/translate
 * Canonical outbound message → the JSON body of Meta's `POST /{PHONE_NUMBER_ID}/messages`
 * (meta-cloud-api.md §1.1–§1.3). Pure: no I/O, no clock, no randomness, so the same message
 * always produces the same body and the whole mapping is checked by fixtures.
 */
import type {
  CarouselCard,
  FreeformContent,
  OutboundMessage,
  TemplateButton,
  TemplateContent,
  TemplateHeader,
} from '../domain/message.js';
import type {
  GraphBodyComponent,
  GraphButtonComponent,
  GraphCardComponent,
  GraphCarouselComponent,
  GraphHeaderComponent,
  GraphHeaderParameter,
  GraphLimitedTimeOfferComponent,
  GraphSendBody,
  GraphSendEnvelope,
  GraphSendPayload,
  GraphTemplateComponent,
  GraphTextParameter,
} from './graph-types.js';

export interface TranslateOptions {
  /** base URLs of the template's dynamic URL buttons by zero-based button index, when known (from a synced template) */
  urlButtonBases?: Record<number, string>;
}

/**
 * The request body Meta needs to send `message`.
 *
 * The gateway's message id travels as `biz_opaque_callback_data`, so every status webhook
 * names the message directly, even one that arrives before the send response was stored.
 *
 * @example
 * const body = toGraphSendBody(message, { urlButtonBases: { 1: 'https://shop.example.com/{{1}}' } });
 * await graphClient.sendMessage(phoneNumberId, body);
 */
export function toGraphSendBody(message: OutboundMessage, options: TranslateOptions = {}): GraphSendBody {
  const envelope: GraphSendEnvelope = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    // With a leading `+` Meta takes the number as international; without one it would prepend
    // the business number's country code (meta-cloud-api.md §1.1).
    to: `+${message.to}`,
    biz_opaque_callback_data: message.id,
  };
  const content = message.content;
  const payload =
    content.kind === 'template' ? templatePayload(content, message.id, options) : freeformPayload(content);
  return { ...envelope, ...payload };
}

// ---------------------------------------------------------------- quick-reply correlation

const QUICK_REPLY_PREFIX = 'wb1:';
/** Meta's limit on a quick-reply button payload. */
export const MAX_QUICK_REPLY_PAYLOAD_LENGTH = 128;

/**
 * The payload given to a quick-reply button that CleverTap sent without one. Meta returns it
 * as `button.payload` when the user taps the button, which lets an inbound reply be tied to
 * the message and button even without `context.id`.
 *
 * @throws RangeError when the result would exceed Meta's 128-character limit, which only a
 *   foreign (non-gateway) id can cause.
 */
export function quickReplyPayload(messageId: string, buttonIndex: number): string {
  const payload = `${QUICK_REPLY_PREFIX}${messageId}:${buttonIndex}`;
  if (payload.length > MAX_QUICK_REPLY_PAYLOAD_LENGTH) {
    throw new RangeError(`quick-reply payload exceeds ${MAX_QUICK_REPLY_PAYLOAD_LENGTH} chars for message id of length ${messageId.length}`);
  }
  return payload;
}

/** Inverse of {@link quickReplyPayload}; `undefined` for any payload the gateway did not synthesise. */
export function parseQuickReplyPayload(payload: string): { messageId: string; buttonIndex: number } | undefined {
  if (!payload.startsWith(QUICK_REPLY_PREFIX) || payload.length > MAX_QUICK_REPLY_PAYLOAD_LENGTH) return undefined;
  const rest = payload.slice(QUICK_REPLY_PREFIX.length);
  const separator = rest.lastIndexOf(':');
  if (separator <= 0) return undefined;
  const indexText = rest.slice(separator + 1);
  if (!/^(0|[1-9]\d{0,5})$/.test(indexText)) return undefined;
  return { messageId: rest.slice(0, separator), buttonIndex: Number(indexText) };
}

// ---------------------------------------------------------------- templates

function templatePayload(content: TemplateContent, messageId: string, options: TranslateOptions): GraphSendPayload {
  const components: GraphTemplateComponent[] = [];
  const header = content.header && headerComponent(content.header, content.headerParamNames);
  if (header) components.push(header);
  const body = bodyComponent(content.bodyParams, content.bodyParamNames);
  if (body) components.push(body);
  const offer = limitedTimeOfferComponent(content.limitedTimeOffer);
  if (offer) components.push(offer);
  if (content.carousel && content.carousel.length > 0) components.push(carouselComponent(content.carousel, messageId));
  components.push(...buttonComponents(content.buttons, messageId, options.urlButtonBases ?? {}));

  return {
    type: 'template',
    template: {
      name: content.name,
      language: { code: content.language },
      ...(components.length > 0 ? { components } : {}),
    },
  };
}

/** A text header without variables is static at Meta and must not be sent a parameter list. */
function headerComponent(header: TemplateHeader, names?: readonly string[]): GraphHeaderComponent | undefined {
  const parameters = headerParameters(header, names);
  return parameters.length > 0 ? { type: 'header', parameters } : undefined;
}

function headerParameters(header: TemplateHeader, names?: readonly string[]): GraphHeaderParameter[] {
  switch (header.type) {
    case 'text':
      return textParameters(header.params, names);
    case 'image':
      return [{ type: 'image', image: { link: header.media.link } }];
    case 'video':
      return [{ type: 'video', video: { link: header.media.link } }];
    case 'document':
      return [
        {
          type: 'document',
          document: { link: header.media.link, ...(header.filename !== undefined ? { filename: header.filename } : {}) },
        },
      ];
    case 'location':
      return [
        {
          type: 'location',
          location: {
            latitude: header.latitude,
            longitude: header.longitude,
            ...(header.name !== undefined ? { name: header.name } : {}),
            ...(header.address !== undefined ? { address: header.address } : {}),
          },
        },
      ];
  }
}

function bodyComponent(params: readonly string[], names?: readonly string[]): GraphBodyComponent | undefined {
  if (params.length === 0) return undefined;
  return { type: 'body', parameters: textParameters(params, names) };
}

/** NAMED templates take each value under its name; CleverTap lists them in the template's order. */
function textParameters(values: readonly string[], names: readonly string[] | undefined): GraphTextParameter[] {
  if (!names) return values.map((text) => ({ type: 'text', text }));
  return values.map((text, i) => (names[i] === undefined ? { type: 'text', text } : { type: 'text', text, parameter_name: names[i] }));
}

/** An offer template without an expiry (`has_expiration: false`) takes no parameter at send time. */
function limitedTimeOfferComponent(
  offer: TemplateContent['limitedTimeOffer'],
): GraphLimitedTimeOfferComponent | undefined {
  if (offer?.expirationTimeMs === undefined) return undefined;
  return {
    type: 'limited_time_offer',
    parameters: [{ type: 'limited_time_offer', limited_time_offer: { expiration_time_ms: offer.expirationTimeMs } }],
  };
}

/**
 * Card buttons get no known URL bases: a synced template's bases are per top-level button, and
 * card buttons restart their index per card, so reusing them would strip the wrong prefix.
 */
function carouselComponent(cards: readonly CarouselCard[], messageId: string): GraphCarouselComponent {
  return {
    type: 'carousel',
    cards: cards.map((card, cardIndex) => {
      const components: GraphCardComponent[] = [];
      const header = card.header && headerComponent(card.header);
      if (header) components.push(header);
      const body = bodyComponent(card.bodyParams);
      if (body) components.push(body);
      components.push(...buttonComponents(card.buttons, messageId, {}));
      return { card_index: cardIndex, components };
    }),
  };
}

function buttonComponents(
  buttons: readonly TemplateButton[],
  messageId: string,
  urlBases: Record<number, string>,
): GraphButtonComponent[] {
  const components: GraphButtonComponent[] = [];
  for (const button of buttons) {
    const index = String(button.index);
    switch (button.kind) {
      case 'url':
        components.push({
          type: 'button',
          sub_type: 'url',
          index,
          parameters: [{ type: 'text', text: urlButtonSuffix(button.value, urlBases[button.index]) }],
        });
        break;
      case 'quick_reply':
        components.push({
          type: 'button',
          sub_type: 'quick_reply',
          index,
          parameters: [{ type: 'payload', payload: button.payload || quickReplyPayload(messageId, button.index) }],
        });
        break;
      case 'copy_code':
        components.push({
          type: 'button',
          sub_type: 'copy_code',
          index,
          parameters: [{ type: 'coupon_code', coupon_code: button.couponCode }],
        });
        break;
      case 'static':
        // Static URL and call-phone buttons are fixed in the approved template; Meta rejects parameters for them.
        break;
    }
  }
  return components;
}

const URL_WITH_SCHEME = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*\/?/i;
const PLACEHOLDER_AND_AFTER = /\{\{[^}]*\}\}.*$/s;

/**
 * What Meta appends to a dynamic URL button's base URL. CleverTap sends either that suffix
 * (`cart`) or a whole URL (`https://shop.example.com/app/summer`).
 *
 * A whole URL has the template's known base removed, compared without its `{{1}}` placeholder.
 * Without a known base (template not synced, or the URL does not start with it) we fall back to
 * a heuristic: drop the scheme, host and the one leading slash and keep path, query and
 * fragment. That is right for the common `https://host/{{1}}` base and wrong for bases with a
 * fixed path (`https://host/app/{{1}}` would yield `app/summer`); syncing templates fixes those.
 * A value without a scheme is always taken as the suffix itself.
 */
export function urlButtonSuffix(value: string, knownBase?: string): string {
  if (!URL_WITH_SCHEME.test(value)) return value;
  const base = knownBase?.replace(PLACEHOLDER_AND_AFTER, '');
  if (base && value.startsWith(base)) return value.slice(base.length);
  return value.replace(URL_WITH_SCHEME, '');
}

// ---------------------------------------------------------------- freeform

function freeformPayload(content: FreeformContent): GraphSendPayload {
  switch (content.kind) {
    case 'text':
      return {
        type: 'text',
        text: { body: content.body, ...(content.previewUrl !== undefined ? { preview_url: content.previewUrl } : {}) },
      };
    case 'image':
      return { type: 'image', image: { link: content.media.link, ...caption(content.caption) } };
    case 'video':
      return { type: 'video', video: { link: content.media.link, ...caption(content.caption) } };
    case 'audio':
      return { type: 'audio', audio: { link: content.media.link } };
    case 'document':
      return {
        type: 'document',
        document: {
          link: content.media.link,
          ...caption(content.caption),
          ...(content.filename !== undefined ? { filename: content.filename } : {}),
        },
      };
    case 'sticker':
      return { type: 'sticker', sticker: { link: content.media.link } };
    case 'location':
      return {
        type: 'location',
        location: {
          latitude: content.latitude,
          longitude: content.longitude,
          ...(content.name !== undefined ? { name: content.name } : {}),
          ...(content.address !== undefined ? { address: content.address } : {}),
        },
      };
  }
}

function caption(text: string | undefined): { caption?: string } {
  return text !== undefined ? { caption: text } : {};
}
