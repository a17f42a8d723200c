/**
 * @module pipeline/inbound-ingest
 * A user's message to the business becomes an inbound-message callback for CleverTap's
 * Conversations inbox, once per wamid. `context.id` is the CleverTap msgId of the campaign message
 * the user replied to (found through the wamid Meta quotes), which is what CleverTap's "Replied"
 * statistic counts.
 */
import type { Logger } from 'pino';
import { inboundMessageBody } from '../clevertap/callbacks.js';
import type { InboundMessage } from '../domain/inbound.js';
import type { CallbackSpec } from '../store/callback-outbox.js';
import type { Effects } from '../store/effects.js';
import type { InboundLog } from '../store/inbound-log.js';
import type { MessageLifecycle, MessageStore } from '../store/message-store.js';
import { parseQuickReplyPayload } from '../whatsapp/translate.js';
import { matchKeyword, type KeywordMatch, type OptOutRegistry } from './opt-outs.js';
import { profileOptOutCallback } from './owe-callbacks.js';

export interface InboundAccount {
  id: string;
  wabaNumber: string;
  inboundMessageUrl?: string;
  stopKeywords: readonly string[];
  startKeywords: readonly string[];
  /** CleverTap's Upload API, to mark opted-out users `MSG-whatsapp: false`. */
  upload?: { url: string };
}

export interface InboundIngestOptions {
  store: MessageStore;
  inboundLog: InboundLog;
  logger: Logger;
  optOutRegistry: OptOutRegistry;
  /** A URL CleverTap can fetch an inbound media file from (the gateway's signed media proxy). */
  mediaUrlFor?(accountId: string, mediaId: string): string;
  /** Wakes the callback dispatcher for the URLs whose callbacks were committed. */
  onOwed(urls: readonly string[]): void;
  /** A user opted out or back in (committed): tell the other replicas. */
  onOptOutChanged?(accountId: string, recipient: string, optedOut: boolean): void;
}

export type InboundOutcome = 'forwarded' | 'duplicate' | 'no-callback-url' | 'not-forwardable';

export class InboundIngest {
  readonly #options: InboundIngestOptions;

  constructor(options: InboundIngestOptions) {
    this.#options = options;
  }

  async apply(account: InboundAccount, message: InboundMessage): Promise<InboundOutcome> {
    const { store, inboundLog } = this.#options;
    const repliedTo = message.contextWamid ? await store.getLifecycle({ wamid: message.contextWamid }) : undefined;
    const original = repliedTo?.accountId === account.id ? repliedTo : undefined;
    // The URL that came with the campaign message (Kaleyra-style headers) wins over the account's.
    const url = original?.callbacks?.inboundMessageUrl ?? account.inboundMessageUrl;
    const body = inboundMessageBody({
      message,
      wabaNumber: account.wabaNumber,
      ...(original ? { contextMsgId: original.msgId } : {}),
      ...buttonOverride(message, original),
      ...(this.#options.mediaUrlFor ? { mediaUrl: (mediaId: string) => this.#options.mediaUrlFor!(account.id, mediaId) } : {}),
    });
    const outcome: InboundOutcome = !url ? 'no-callback-url' : !body ? 'not-forwardable' : 'forwarded';
    const keyword = matchKeyword(message.content, account.stopKeywords, account.startKeywords);
    const effects: Effects = keywordEffects(account, message.from, keyword, message.at);
    const callbacks: CallbackSpec[] = [];
    if (url && body) callbacks.push({ accountId: account.id, kind: 'imo', url, payload: body, messageRef: message.wamid });
    if (keyword?.kind === 'stop' && account.upload) callbacks.push(profileOptOutCallback(account.id, account.upload.url, message.from));
    if (callbacks.length > 0) effects.callbacks = callbacks;
    const isNew = await inboundLog.record(
      {
        wamid: message.wamid,
        accountId: account.id,
        sender: message.from,
        receivedAt: message.at,
        ...(original ? { contextMsgId: original.msgId } : {}),
        ...shownAs(message, this.#options.mediaUrlFor && ((mediaId: string) => this.#options.mediaUrlFor!(account.id, mediaId))),
      },
      effects,
    );
    if (!isNew) return 'duplicate';
    if (keyword?.kind === 'stop') this.#options.optOutRegistry.add(account.id, message.from);
    if (keyword?.kind === 'start') this.#options.optOutRegistry.remove(account.id, message.from);
    if (keyword) this.#options.onOptOutChanged?.(account.id, message.from, keyword.kind === 'stop');
    if (keyword) this.#options.logger.info({ accountId: account.id, keyword: keyword.kind }, keyword.kind === 'stop' ? 'a user opted out' : 'a user opted back in');
    if (callbacks.length > 0) this.#options.onOwed(callbacks.map((callback) => callback.url));
    if (outcome === 'no-callback-url') this.#options.logger.warn({ accountId: account.id }, 'inbound message not forwarded: the account has no inboundMessageUrl');
    return outcome;
  }
}

/** A stop keyword opts the user out, a start keyword back in, in the commit of their message. */
function keywordEffects(account: InboundAccount, recipient: string, keyword: KeywordMatch | undefined, at: number): Effects {
  if (keyword?.kind === 'stop') return { optOut: { accountId: account.id, recipient, keyword: keyword.keyword, optedOutAt: at } };
  if (keyword?.kind === 'start') return { optIn: { accountId: account.id, recipient } };
  return {};
}

/**
 * A quick-reply payload we synthesised (`wb1:<id>:<n>`) means nothing to CleverTap, which sent
 * no payload of its own; it gets the button's label instead.
 */
function buttonOverride(message: InboundMessage, original: MessageLifecycle | undefined): { buttonPayloadOverride?: string } {
  if (message.content.kind !== 'quick_reply_button') return {};
  const ours = parseQuickReplyPayload(message.content.payload);
  if (!ours) return {};
  if (original && ours.messageId !== original.id) return {};
  return { buttonPayloadOverride: message.content.text };
}

/** What the console's Inbound page shows of a message: its type, its words, the media link CleverTap got. */
export function shownAs(message: InboundMessage, mediaUrl: ((mediaId: string) => string) | undefined): { kind: string; text?: string; mediaUrl?: string } {
  const content = message.content;
  const shown: { kind: string; text?: string; mediaUrl?: string } = { kind: content.kind };
  const text =
    'body' in content ? content.body
    : 'caption' in content ? content.caption
    : 'text' in content ? content.text
    : 'title' in content ? content.title
    : content.kind === 'reaction' ? content.emoji
    : undefined;
  if (text) shown.text = text.slice(0, 1000);
  if ('mediaId' in content && mediaUrl) shown.mediaUrl = mediaUrl(content.mediaId);
  return shown;
}
