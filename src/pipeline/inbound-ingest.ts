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
import type { JobQueue } from '../queue/job-queue.js';
import type { CallbackOutbox } from '../store/callback-outbox.js';
import type { InboundLog } from '../store/inbound-log.js';
import type { MessageLifecycle, MessageStore, TransactionHandle } from '../store/message-store.js';
import { parseQuickReplyPayload } from '../whatsapp/translate.js';
import { CALLBACK_QUEUE } from './callback-dispatcher.js';
import { matchKeyword, type OptOutRegistry } from './opt-outs.js';
import type { OptOutStore } from '../store/opt-out-store.js';

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
  outbox: CallbackOutbox;
  queue: JobQueue;
  logger: Logger;
  optOuts: OptOutStore;
  optOutRegistry: OptOutRegistry;
  /** A URL CleverTap can fetch an inbound media file from (the gateway's signed media proxy). */
  mediaUrlFor?(accountId: string, mediaId: string): string;
  /** Wakes the callback dispatcher for a URL once its callback is committed. */
  onOwed(url: string): void;
}

export type InboundOutcome = 'forwarded' | 'duplicate' | 'no-callback-url' | 'not-forwardable';

export class InboundIngest {
  readonly #options: InboundIngestOptions;

  constructor(options: InboundIngestOptions) {
    this.#options = options;
  }

  async apply(account: InboundAccount, message: InboundMessage): Promise<InboundOutcome> {
    const { store, inboundLog, outbox, queue } = this.#options;
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
    let outcome = 'duplicate' as InboundOutcome;
    const keyword = matchKeyword(message.content, account.stopKeywords, account.startKeywords);
    const isNew = await inboundLog.record(
      { wamid: message.wamid, accountId: account.id, sender: message.from, receivedAt: message.at, ...(original ? { contextMsgId: original.msgId } : {}) },
      (tx) => {
        if (keyword) this.#recordKeyword(tx, account, message.from, keyword.kind, keyword.keyword, message.at);
        if (!url) return void (outcome = 'no-callback-url');
        if (!body) return void (outcome = 'not-forwardable');
        const id = outbox.addWithin(tx, { accountId: account.id, kind: 'imo', url, payload: body });
        queue.enqueueWithin(tx, { queue: CALLBACK_QUEUE, partitionKey: url, ref: String(id) });
        outcome = 'forwarded';
      },
    );
    if (isNew && keyword?.kind === 'stop') this.#options.optOutRegistry.add(account.id, message.from);
    if (isNew && keyword?.kind === 'start') this.#options.optOutRegistry.remove(account.id, message.from);
    if (isNew && keyword) this.#options.logger.info({ accountId: account.id, keyword: keyword.kind }, keyword.kind === 'stop' ? 'a user opted out' : 'a user opted back in');
    if (isNew && outcome === 'forwarded' && url) this.#options.onOwed(url);
    if (isNew && keyword?.kind === 'stop' && account.upload) this.#options.onOwed(account.upload.url);
    if (isNew && outcome === 'no-callback-url') this.#options.logger.warn({ accountId: account.id }, 'inbound message not forwarded: the account has no inboundMessageUrl');
    return outcome;
  }

  #recordKeyword(tx: TransactionHandle, account: InboundAccount, recipient: string, kind: 'stop' | 'start', keyword: string, at: number): void {
    const { optOuts, outbox, queue } = this.#options;
    if (kind === 'start') return optOuts.optInWithin(tx, account.id, recipient);
    optOuts.optOutWithin(tx, { accountId: account.id, recipient, keyword, optedOutAt: at });
    if (!account.upload) return;
    // CleverTap's own subscription flag, so its segments stop targeting the user too.
    const payload = JSON.stringify({ d: [{ identity: recipient, type: 'profile', profileData: { 'MSG-whatsapp': false } }] });
    const id = outbox.addWithin(tx, { accountId: account.id, kind: 'profile', url: account.upload.url, payload });
    queue.enqueueWithin(tx, { queue: CALLBACK_QUEUE, partitionKey: account.upload.url, ref: String(id) });
  }
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
