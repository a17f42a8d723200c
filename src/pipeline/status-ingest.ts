/**
 * @module pipeline/status-ingest
 * Applies Meta's status updates to messages. Statuses arrive out of order and more than once;
 * the store only ever moves a message forward, so replaying them is harmless. A status that
 * names our id in `biz_opaque_callback_data` for a message with no wamid yet is proof that an
 * uncertain send reached Meta: recording its wamid is enough, because the send dispatcher
 * drops any pending resend of a message that already has one.
 *
 * Finding the message and moving it are one store operation (`applyStatus`): one read and at
 * most one write per status, in the commit that also owes CleverTap its report. The read is
 * confined to the account the status came for, so a delivery signed with one account's app
 * secret can never move another account's message, whichever wamid or id it names.
 */
import type { Logger } from 'pino';
import type { MessageStore, StatusOutcome, StatusTarget } from '../store/message-store.js';
import type { OwedCallbacks } from './owe-callbacks.js';
import type { StatusUpdate } from '../whatsapp/webhook-statuses.js';

export type { StatusOutcome };

export interface StatusIngestOptions {
  store: MessageStore;
  logger: Logger;
  /** Owes CleverTap the delivery reports of every state change, in its commit. */
  callbacks?: OwedCallbacks;
}

export class StatusIngest {
  readonly #options: StatusIngestOptions;

  constructor(options: StatusIngestOptions) {
    this.#options = options;
  }

  /**
   * `accountId` is the account that owns `update.phoneNumberId` and whose app secret signed the
   * delivery: only its messages move, whichever wamid or id the status names.
   */
  apply(accountId: string, update: StatusUpdate): Promise<StatusOutcome> {
    const { store, callbacks } = this.#options;
    const target: StatusTarget = { accountId, wamid: update.wamid };
    if (update.bizOpaqueCallbackData) target.id = update.bizOpaqueCallbackData;
    if (!callbacks) return store.applyStatus(target, update.status, update.at, update.failure);
    return callbacks.commitReports((effectsOf) => store.applyStatus(target, update.status, update.at, update.failure, effectsOf));
  }
}
