/**
 * @module domain/inbound
 * The canonical inbound message: something a WhatsApp user sent to the business, in a shape
 * that belongs to neither wire protocol. `whatsapp/` parses Meta's webhooks into it;
 * `clevertap/` renders it as an inbound-message (IMO) callback. Meta ids (wamids, media ids)
 * stay opaque strings here; the pipeline maps them onto CleverTap msgIds and media URLs.
 */
import type { PhoneDigits } from './message.js';

/** Fields every media kind shares. `mediaId` is only downloadable for a few days (Meta: 7). */
export interface InboundMedia {
  mediaId: string;
  mimeType?: string;
  /** As the sender's platform reported it (Meta: base64 in webhooks). */
  sha256?: string;
  caption?: string;
  filename?: string;
}

export interface InboundContact {
  name: string;
  /** As the user's address book had them (often formatted, e.g. `+1 555-0100`). */
  phones: string[];
}

export interface InboundOrderItem {
  productRetailerId: string;
  quantity: number;
  itemPrice?: number;
  currency?: string;
}

export type InboundContent =
  | { kind: 'text'; body: string }
  | ({ kind: 'image' } & InboundMedia)
  | ({ kind: 'video' } & InboundMedia)
  | ({ kind: 'audio'; /** Recorded in the app (push-to-talk) rather than an attached file. */ voice: boolean } & InboundMedia)
  | ({ kind: 'document' } & InboundMedia)
  | ({ kind: 'sticker'; animated?: boolean } & InboundMedia)
  | { kind: 'location'; latitude: number; longitude: number; name?: string; address?: string; url?: string }
  /** A tap on a template's quick-reply button; `payload` is what was attached at send time. */
  | { kind: 'quick_reply_button'; payload: string; text: string }
  /** A tap on an interactive (session) message's reply button. */
  | { kind: 'button_reply'; id: string; title: string }
  | { kind: 'list_reply'; id: string; title: string; description?: string }
  /** A submitted WhatsApp Flow; `responseJson` is the raw JSON string the flow returned. */
  | { kind: 'flow_reply'; name?: string; body: string; responseJson: string }
  /** `removed` when the user took a reaction back (emoji is then empty). */
  | { kind: 'reaction'; emoji: string; messageWamid: string; removed: boolean }
  | { kind: 'contacts'; contacts: InboundContact[] }
  | { kind: 'order'; catalogId: string; text?: string; items: InboundOrderItem[] }
  /** A platform notice about the user, e.g. `user_changed_number`. */
  | { kind: 'system'; body: string; type: string; newWaId?: string }
  /** Anything the platform could not or we do not represent; `type` is the sender-side type when known. */
  | { kind: 'unsupported'; type?: string; errorCode?: number; errorTitle?: string };

export type InboundKind = InboundContent['kind'];

export interface InboundMessage {
  /** Meta's phone-number id of the business number that received it: selects the account. */
  accountPhoneNumberId: string;
  /** The business number as displayed (digits), when the webhook carried it. */
  accountDisplayNumber?: PhoneDigits;
  from: PhoneDigits;
  /** The platform's id of this inbound message (used to dedupe redelivered webhooks). */
  wamid: string;
  /** Epoch milliseconds. */
  at: number;
  /**
   * The wamid of the business message this one refers to: the quoted message of a reply, or
   * the message reacted to. The pipeline maps it onto CleverTap's msgId (`context.id`).
   */
  contextWamid?: string;
  /** The user's WhatsApp profile name. */
  contactName?: string;
  content: InboundContent;
}
