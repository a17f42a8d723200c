/**
 * @module whatsapp/graph-types
 * The wire shapes of Meta's Cloud API that the gateway produces and consumes on the send path
 * (meta-cloud-api.md §1–§2). Types only: they document the contract and let the compiler check
 * the translation, but they validate nothing at run time.
 */

/** Media is either uploaded (`id`) or fetched by Meta from a URL (`link`). */
export type GraphMediaRef = { link: string } | { id: string };

export interface GraphLocation {
  latitude: number;
  longitude: number;
  name?: string;
  address?: string;
}

// ---------------------------------------------------------------- template components (§1.3)

export type GraphHeaderParameter =
  | GraphTextParameter
  | { type: 'image'; image: GraphMediaRef }
  | { type: 'video'; video: GraphMediaRef }
  | { type: 'document'; document: GraphMediaRef & { filename?: string } }
  | { type: 'location'; location: GraphLocation };

/** Positional templates take `text` params in order; NAMED templates add `parameter_name`. */
export interface GraphTextParameter {
  type: 'text';
  text: string;
  parameter_name?: string;
}

export interface GraphHeaderComponent {
  type: 'header';
  parameters: GraphHeaderParameter[];
}

export interface GraphBodyComponent {
  type: 'body';
  parameters: GraphTextParameter[];
}

/**
 * Meta documents `index` both as `"0"` and `0`; the gateway always emits the string form.
 * It is the button's zero-based position in the template's BUTTONS list.
 */
export type GraphButtonComponent =
  | { type: 'button'; sub_type: 'url'; index: string; parameters: [{ type: 'text'; text: string }] }
  | { type: 'button'; sub_type: 'quick_reply'; index: string; parameters: [{ type: 'payload'; payload: string }] }
  | { type: 'button'; sub_type: 'copy_code'; index: string; parameters: [{ type: 'coupon_code'; coupon_code: string }] };

export interface GraphLimitedTimeOfferComponent {
  type: 'limited_time_offer';
  /** `expiration_time_ms` is Unix epoch **milliseconds**. */
  parameters: [{ type: 'limited_time_offer'; limited_time_offer: { expiration_time_ms: number } }];
}

export type GraphCardComponent = GraphHeaderComponent | GraphBodyComponent | GraphButtonComponent;

export interface GraphCarouselCard {
  card_index: number;
  components: GraphCardComponent[];
}

export interface GraphCarouselComponent {
  type: 'carousel';
  cards: GraphCarouselCard[];
}

export type GraphTemplateComponent =
  | GraphHeaderComponent
  | GraphBodyComponent
  | GraphButtonComponent
  | GraphLimitedTimeOfferComponent
  | GraphCarouselComponent;

export interface GraphTemplate {
  name: string;
  language: { code: string };
  /** Omitted when the template has no variables. */
  components?: GraphTemplateComponent[];
}

// ---------------------------------------------------------------- send request (§1.1–§1.2)

export interface GraphSendEnvelope {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  to: string;
  /** Echoed verbatim in every status webhook of this message (max 512 chars). */
  biz_opaque_callback_data?: string;
  context?: { message_id: string };
}

export type GraphSendPayload =
  | { type: 'template'; template: GraphTemplate }
  | { type: 'text'; text: { body: string; preview_url?: boolean } }
  | { type: 'image'; image: GraphMediaRef & { caption?: string } }
  | { type: 'video'; video: GraphMediaRef & { caption?: string } }
  | { type: 'audio'; audio: GraphMediaRef }
  | { type: 'document'; document: GraphMediaRef & { caption?: string; filename?: string } }
  | { type: 'sticker'; sticker: GraphMediaRef }
  | { type: 'location'; location: GraphLocation };

/** The JSON body of `POST /{PHONE_NUMBER_ID}/messages`. */
export type GraphSendBody = GraphSendEnvelope & GraphSendPayload;

// ---------------------------------------------------------------- responses (§1.4, §2.1)

/** HTTP 200 from the send endpoint: accepted, not delivered. */
export interface GraphSendResponse {
  messaging_product?: 'whatsapp';
  contacts?: { input?: string; wa_id?: string; user_id?: string }[];
  messages?: { id?: string; message_status?: string; group_id?: string }[];
}

/** Graph's error envelope. Fields beyond `code` are optional in practice (auth errors lack `error_data`). */
export interface GraphErrorEnvelope {
  error: {
    message?: string;
    type?: string;
    code: number;
    error_subcode?: number;
    error_data?: { messaging_product?: string; details?: string };
    fbtrace_id?: string;
    is_transient?: boolean;
    error_user_title?: string;
    error_user_msg?: string;
  };
}
