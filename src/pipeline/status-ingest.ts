/**
 * @module pipeline/status-ingest
 * Applies Meta's status updates to messages. Statuses arrive out of order and more than once;
 * the store only ever moves a message forward, so replaying them is harmless. A status that
 * names our id in `biz_opaque_callback_data` for a message with no wamid yet is proof that an
 * uncertain send reached Meta: recording its wamid is enough, because the send dispatcher
 * drops any pending resend of a message that already has one.
 */
import type { Logger } from 'pino';
import type { MessageLifecycle, MessageStore, StateChangeHook } from '../store/message-store.js';
import type { StatusUpdate } from '../whatsapp/webhook-statuses.js';

export type StatusOutcome = 'applied' | 'stale' | 'unknown-message';

export interface StatusIngestOptions {
  store: MessageStore;
  logger: Logger;
  /** Runs in the commit of every state change (owes CleverTap its delivery reports). */
  onStateChange?: StateChangeHook;
  /** Which account sends from a phone number id. */
  accountForPhoneNumberId(phoneNumberId: string): string | undefined;
}

export class StatusIngest {
  readonly #options: StatusIngestOptions;

  constructor(options: StatusIngestOptions) {
    this.#options = options;
  }

  async apply(update: StatusUpdate): Promise<StatusOutcome> {
    const { store } = this.#options;
    const message = await this.#find(update);
    if (!message) return 'unknown-message';
    const details: { wamid: string; failure?: typeof update.failure } = { wamid: update.wamid };
    if (update.failure) details.failure = update.failure;
    const moved = await store.advanceState(message.id, update.status, update.at, details, this.#options.onStateChange);
    return moved ? 'applied' : 'stale';
  }

  async #find(update: StatusUpdate): Promise<MessageLifecycle | undefined> {
    const { store } = this.#options;
    if (update.bizOpaqueCallbackData) {
      const byOwnId = await store.getLifecycle({ id: update.bizOpaqueCallbackData });
      // Another app on the same WABA may use biz_opaque_callback_data too: trust it only
      // when the sending number matches.
      if (byOwnId && this.#options.accountForPhoneNumberId(update.phoneNumberId) === byOwnId.accountId) return byOwnId;
    }
    return store.getLifecycle({ wamid: update.wamid });
  }
}
