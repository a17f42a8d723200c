/**
 * @module whatsapp/webhook-messages
 * Reads the inbound messages out of a Cloud API webhook (`entry[].changes[].value.messages[]`,
 * meta-cloud-api.md §3.5) into canonical {@link InboundMessage}s. Like the status parser it
 * never throws: an item that cannot be attributed (no sender, no id) is skipped and reported,
 * and an item of a known type whose payload is broken still arrives as `unsupported`, because
 * a user who wrote to the business should never vanish without trace. A skipped item comes back
 * whole in `skipped`, for the intake to keep for inspection.
 */
import { isMediaId } from './media-id.js';
import type {
  InboundContact,
  InboundContent,
  InboundMedia,
  InboundMessage,
  InboundOrderItem,
} from '../domain/inbound.js';
import { asFiniteNumber, asString, describeValue, isRecord, type JsonObject, type SkippedItem } from './json-values.js';

export interface ParsedMessages {
  messages: InboundMessage[];
  /** Why items were skipped or degraded to `unsupported` (for the log). */
  problems: string[];
  /** The items skipped (not those degraded to `unsupported`, which are passed on). */
  skipped: SkippedItem[];
}

export interface ParseMessagesOptions {
  /**
   * Epoch ms used when an item has no usable `timestamp`; defaults to the time of the call.
   * Passed in by tests so the parser stays deterministic.
   */
  receivedAt?: number;
}

/** Content, or why the payload of a known type could not be read. */
type ContentOutcome = InboundContent | { problem: string };

export function parseWebhookMessages(body: unknown, options: ParseMessagesOptions = {}): ParsedMessages {
  const messages: InboundMessage[] = [];
  const problems: string[] = [];
  const skipped: SkippedItem[] = [];
  const receivedAt = options.receivedAt ?? Date.now();
  const entries = isRecord(body) && Array.isArray(body['entry']) ? body['entry'] : [];
  if (entries.length === 0) problems.push('no entry[] in the webhook body');
  entries.forEach((entry, e) => {
    const changes = isRecord(entry) && Array.isArray(entry['changes']) ? entry['changes'] : [];
    changes.forEach((change, c) => {
      const value = isRecord(change) ? change['value'] : undefined;
      if (!isRecord(value) || !Array.isArray(value['messages'])) return;
      const where = `entry[${e}].changes[${c}]`;
      const metadata = isRecord(value['metadata']) ? value['metadata'] : {};
      const phoneNumberId = asString(metadata['phone_number_id']);
      if (!phoneNumberId) {
        problems.push(`${where}: no metadata.phone_number_id`);
        skipped.push({ where, reason: 'no metadata.phone_number_id', item: value });
        return;
      }
      const displayNumber = asDigits(metadata['display_phone_number']);
      const names = profileNames(value['contacts']);
      value['messages'].forEach((item: unknown, m: number) => {
        const at = `${where}.messages[${m}]`;
        let parsed: ReturnType<typeof parseMessage>;
        try {
          parsed = parseMessage(item, receivedAt);
        } catch (error) {
          // Nothing in parseMessage should throw; if something does, it costs this item only.
          parsed = `unreadable (${error instanceof Error ? error.name : 'error'})`;
        }
        if (typeof parsed === 'string') {
          problems.push(`${at}: ${parsed}`);
          skipped.push({ where: at, reason: parsed, item, phoneNumberId });
          return;
        }
        if (parsed.problem) problems.push(`${at}: ${parsed.problem}; passed on as unsupported`);
        const message: InboundMessage = { accountPhoneNumberId: phoneNumberId, ...parsed.message };
        if (displayNumber) message.accountDisplayNumber = displayNumber;
        // Meta sends one contact per sender; match by wa_id, else trust a lone contact.
        const name = names.get(message.from) ?? (names.size === 1 ? [...names.values()][0] : undefined);
        if (name) message.contactName = name;
        messages.push(message);
      });
    });
  });
  return { messages, problems, skipped };
}

/** `contacts[].wa_id` → `profile.name` (a contact without wa_id is kept under ''). */
function profileNames(contacts: unknown): Map<string, string> {
  const names = new Map<string, string>();
  if (!Array.isArray(contacts)) return names;
  for (const contact of contacts) {
    if (!isRecord(contact)) continue;
    const name = isRecord(contact['profile']) ? asString(contact['profile']['name']) : undefined;
    if (!name) continue;
    names.set(asDigits(contact['wa_id']) ?? '', name);
  }
  return names;
}

function parseMessage(
  item: unknown,
  receivedAt: number,
): string | { message: Omit<InboundMessage, 'accountPhoneNumberId'>; problem?: string } {
  if (!isRecord(item)) return 'not an object';
  const wamid = asString(item['id']);
  if (!wamid) return 'no id';
  const from = asDigits(item['from']);
  if (!from) return `no usable from (${describeValue(item['from'] ?? null)})`;
  const seconds = asFiniteNumber(item['timestamp']);
  const at = seconds !== undefined && seconds > 0 ? seconds * 1000 : receivedAt;

  const type = asString(item['type']) ?? 'unknown';
  const outcome = contentOf(type, item);
  const content: InboundContent = 'problem' in outcome ? { kind: 'unsupported', type } : outcome;
  const message: Omit<InboundMessage, 'accountPhoneNumberId'> = { from, wamid, at, content };

  const context = isRecord(item['context']) ? item['context'] : undefined;
  const contextWamid = context ? asString(context['id']) : undefined;
  // A reaction carries no context, yet it answers the message it names; treating that message
  // as the context lets the pipeline correlate replies and reactions the same way.
  if (contextWamid) message.contextWamid = contextWamid;
  else if (content.kind === 'reaction') message.contextWamid = content.messageWamid;

  return 'problem' in outcome ? { message, problem: outcome.problem } : { message };
}

function contentOf(type: string, item: JsonObject): ContentOutcome {
  const payload = item[type];
  switch (type) {
    case 'text':
      return textContent(payload);
    case 'image':
    case 'video':
    case 'document':
      return withMedia(payload, (media) => ({ kind: type, ...media }));
    case 'audio':
      return withMedia(payload, (media, raw) => ({ kind: 'audio', ...media, voice: raw['voice'] === true }));
    case 'sticker':
      return withMedia(payload, (media, raw) =>
        typeof raw['animated'] === 'boolean' ? { kind: 'sticker', ...media, animated: raw['animated'] } : { kind: 'sticker', ...media },
      );
    case 'location':
      return locationContent(payload);
    case 'button':
      return quickReplyContent(payload);
    case 'interactive':
      return interactiveContent(payload);
    case 'reaction':
      return reactionContent(payload);
    case 'contacts':
      return contactsContent(payload);
    case 'order':
      return orderContent(payload);
    case 'system':
      return systemContent(payload);
    default:
      return unsupportedContent(type, item);
  }
}

function textContent(payload: unknown): ContentOutcome {
  const body = isRecord(payload) && typeof payload['body'] === 'string' ? payload['body'] : undefined;
  return body === undefined ? { problem: 'text without text.body' } : { kind: 'text', body };
}

function withMedia(payload: unknown, build: (media: InboundMedia, raw: JsonObject) => InboundContent): ContentOutcome {
  if (!isRecord(payload)) return { problem: 'media message without its media object' };
  const mediaId = asString(payload['id']);
  if (!mediaId) return { problem: 'media without id' };
  if (!isMediaId(mediaId)) return { problem: 'media with an id that is not a media id' };
  const media: InboundMedia = { mediaId };
  const mimeType = asString(payload['mime_type']);
  if (mimeType) media.mimeType = mimeType;
  const sha256 = asString(payload['sha256']);
  if (sha256) media.sha256 = sha256;
  const caption = asString(payload['caption']);
  if (caption) media.caption = caption;
  const filename = asString(payload['filename']);
  if (filename) media.filename = filename;
  return build(media, payload);
}

function locationContent(payload: unknown): ContentOutcome {
  if (!isRecord(payload)) return { problem: 'location without location object' };
  const latitude = asFiniteNumber(payload['latitude']);
  const longitude = asFiniteNumber(payload['longitude']);
  if (latitude === undefined || longitude === undefined) return { problem: 'location without numeric latitude/longitude' };
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return { problem: 'location outside the globe (latitude ±90, longitude ±180)' };
  const content: InboundContent & { kind: 'location' } = { kind: 'location', latitude, longitude };
  const name = asString(payload['name']);
  if (name) content.name = name;
  const address = asString(payload['address']);
  if (address) content.address = address;
  const url = asString(payload['url']);
  if (url) content.url = url;
  return content;
}

function quickReplyContent(payload: unknown): ContentOutcome {
  if (!isRecord(payload)) return { problem: 'button without button object' };
  const text = asString(payload['text']);
  const buttonPayload = asString(payload['payload']);
  if (text === undefined && buttonPayload === undefined) return { problem: 'button without payload or text' };
  // Meta echoes the label as the payload when none was set; keep both so neither side guesses.
  return { kind: 'quick_reply_button', payload: buttonPayload ?? text ?? '', text: text ?? buttonPayload ?? '' };
}

function interactiveContent(payload: unknown): ContentOutcome {
  if (!isRecord(payload)) return { problem: 'interactive without interactive object' };
  const subtype = asString(payload['type']);
  const reply = subtype ? payload[subtype] : undefined;
  if (!isRecord(reply)) return { problem: `interactive ${describeValue(subtype ?? null)} without its reply object` };
  switch (subtype) {
    case 'button_reply': {
      const id = asString(reply['id']);
      const title = asString(reply['title']);
      if (!id || !title) return { problem: 'button_reply without id/title' };
      return { kind: 'button_reply', id, title };
    }
    case 'list_reply': {
      const id = asString(reply['id']);
      const title = asString(reply['title']);
      if (!id || !title) return { problem: 'list_reply without id/title' };
      const description = asString(reply['description']);
      return description ? { kind: 'list_reply', id, title, description } : { kind: 'list_reply', id, title };
    }
    case 'nfm_reply': {
      const responseJson = typeof reply['response_json'] === 'string' ? reply['response_json'] : jsonOf(reply['response_json'] ?? {});
      if (responseJson === undefined) return { problem: 'nfm_reply whose response_json cannot be written as JSON' };
      const content: InboundContent & { kind: 'flow_reply' } = { kind: 'flow_reply', body: asString(reply['body']) ?? '', responseJson };
      const name = asString(reply['name']);
      if (name) content.name = name;
      return content;
    }
    default:
      return { problem: `unknown interactive type ${describeValue(subtype)}` };
  }
}

function reactionContent(payload: unknown): ContentOutcome {
  if (!isRecord(payload)) return { problem: 'reaction without reaction object' };
  const messageWamid = asString(payload['message_id']);
  if (!messageWamid) return { problem: 'reaction without message_id' };
  const emoji = typeof payload['emoji'] === 'string' ? payload['emoji'] : '';
  return { kind: 'reaction', emoji, messageWamid, removed: emoji === '' };
}

function contactsContent(payload: unknown): ContentOutcome {
  if (!Array.isArray(payload) || payload.length === 0) return { problem: 'contacts without a contact list' };
  const contacts: InboundContact[] = payload.filter(isRecord).map((card) => {
    const name = isRecord(card['name']) ? card['name'] : {};
    const fullName =
      asString(name['formatted_name']) ??
      [asString(name['first_name']), asString(name['last_name'])].filter(Boolean).join(' ');
    const phones = Array.isArray(card['phones'])
      ? card['phones'].filter(isRecord).flatMap((p) => asString(p['phone']) ?? asString(p['wa_id']) ?? [])
      : [];
    return { name: fullName, phones };
  });
  return { kind: 'contacts', contacts };
}

function orderContent(payload: unknown): ContentOutcome {
  if (!isRecord(payload)) return { problem: 'order without order object' };
  const catalogId = asString(payload['catalog_id']);
  if (!catalogId) return { problem: 'order without catalog_id' };
  const rawItems = Array.isArray(payload['product_items']) ? payload['product_items'] : [];
  const items: InboundOrderItem[] = rawItems.filter(isRecord).flatMap((raw) => {
    const productRetailerId = asString(raw['product_retailer_id']);
    if (!productRetailerId) return [];
    const item: InboundOrderItem = { productRetailerId, quantity: asFiniteNumber(raw['quantity']) ?? 1 };
    const itemPrice = asFiniteNumber(raw['item_price']);
    if (itemPrice !== undefined) item.itemPrice = itemPrice;
    const currency = asString(raw['currency']);
    if (currency) item.currency = currency;
    return [item];
  });
  const text = asString(payload['text']);
  return text ? { kind: 'order', catalogId, text, items } : { kind: 'order', catalogId, items };
}

function systemContent(payload: unknown): ContentOutcome {
  if (!isRecord(payload)) return { problem: 'system without system object' };
  const body = asString(payload['body']);
  if (!body) return { problem: 'system without body' };
  const content: InboundContent & { kind: 'system' } = { kind: 'system', body, type: asString(payload['type']) ?? 'unknown' };
  const newWaId = asDigits(payload['wa_id']);
  if (newWaId) content.newWaId = newWaId;
  return content;
}

/** `unsupported`, `unknown`, and any type this parser does not know yet. */
function unsupportedContent(type: string, item: JsonObject): InboundContent {
  const content: InboundContent & { kind: 'unsupported' } = { kind: 'unsupported' };
  const declared = isRecord(item['unsupported']) ? asString(item['unsupported']['type']) : undefined;
  const senderType = declared ?? (type === 'unsupported' || type === 'unknown' ? undefined : type);
  if (senderType) content.type = senderType;
  const error = Array.isArray(item['errors']) && isRecord(item['errors'][0]) ? item['errors'][0] : undefined;
  if (error) {
    const code = asFiniteNumber(error['code']);
    if (code !== undefined) content.errorCode = code;
    const title = asString(error['title']) ?? asString(error['message']);
    if (title) content.errorTitle = title;
  }
  return content;
}


/** Passed on whole (CleverTap gets the flow's answer), so not bounded; too deep to write is undefined. */
function jsonOf(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** Meta sends digits already; a `+` or spaces from a hand-written test payload are tolerated. */
function asDigits(value: unknown): string | undefined {
  const text = asString(value)?.replace(/^\+/, '').replace(/[\s-]/g, '');
  return text && /^\d+$/.test(text) ? text : undefined;
}
