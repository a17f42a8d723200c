/**
 * @module domain/message
 * The canonical outbound message: what CleverTap asked us to send, in a shape that belongs to
 * neither wire protocol. `clevertap/` parses into it, `whatsapp/` translates out of it.
 */

/** A phone number as digits only, country code first, no `+` (Meta's `wa_id` form). */
export type PhoneDigits = string;

/** Media referenced by URL; Meta fetches it itself (`link`). */
export interface MediaRef {
  link: string;
}

export type TemplateHeader =
  | { type: 'text'; params: string[] }
  | { type: 'image'; media: MediaRef }
  | { type: 'video'; media: MediaRef }
  | { type: 'document'; media: MediaRef; filename?: string }
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string };

/**
 * A button parameter. `index` is zero-based, the position of the button in the template's
 * BUTTONS list (Meta's meaning), already normalised from whatever CleverTap sent.
 * Static URL and call-phone buttons take no parameters at Meta; they are kept as `static`
 * so nothing is silently lost, and translation leaves them out.
 */
export type TemplateButton =
  | { kind: 'url'; index: number; value: string }
  | { kind: 'quick_reply'; index: number; payload?: string }
  | { kind: 'copy_code'; index: number; couponCode: string }
  | { kind: 'static'; index: number; subType: string };

export interface CarouselCard {
  header?: TemplateHeader;
  bodyParams: string[];
  buttons: TemplateButton[];
}

export interface TemplateContent {
  kind: 'template';
  /** The template name as CleverTap sent it (its `namespace`). */
  name: string;
  /** Meta's language code (`en`, `en_US`, `en_GB`), normalised from CleverTap's spelling. */
  language: string;
  header?: TemplateHeader;
  bodyParams: string[];
  buttons: TemplateButton[];
  limitedTimeOffer?: { expirationTimeMs?: number };
  carousel?: CarouselCard[];
  /**
   * NAMED templates only: the names the body's values go under, in CleverTap's (positional)
   * order. Filled in from the synced template before the message is stored.
   */
  bodyParamNames?: string[];
  /** NAMED templates only: the name of the text header's value. */
  headerParamNames?: string[];
}

export type FreeformContent =
  | { kind: 'text'; body: string; previewUrl?: boolean }
  | { kind: 'image'; media: MediaRef; caption?: string }
  | { kind: 'video'; media: MediaRef; caption?: string }
  | { kind: 'audio'; media: MediaRef }
  | { kind: 'document'; media: MediaRef; caption?: string; filename?: string }
  | { kind: 'sticker'; media: MediaRef }
  | { kind: 'location'; latitude: number; longitude: number; name?: string; address?: string };

export type MessageContent = TemplateContent | FreeformContent;

/** Where this message's delivery reports and replies go, when it overrides the account's. */
export interface CallbackOverrides {
  deliveryReportUrl?: string;
  inboundMessageUrl?: string;
}

/** A send request after parsing and normalisation, before it has an id or a row. */
export interface OutboundRequest {
  /** CleverTap's msgId, echoed verbatim in every callback (up to 60 chars, contains `|`). */
  msgId: string;
  to: PhoneDigits;
  wabaNumber: PhoneDigits;
  content: MessageContent;
  customProps?: Record<string, string>;
}

/** An accepted message: the request plus the identity the gateway gave it. */
export interface OutboundMessage extends OutboundRequest {
  /** The gateway's own id; also sent to Meta as `biz_opaque_callback_data`. */
  id: string;
  accountId: string;
  callbacks?: CallbackOverrides;
  /** Epoch milliseconds. */
  acceptedAt: number;
}
