/**
 * @module store/callback-outbox
 * The callbacks port: what is owed to CleverTap, stored in the commit that created the debt, so
 * a status or reply received is never lost between Meta's webhook and CleverTap's callback URL.
 * Callbacks are written as effects of the change that owes them (store/effects.ts); delivery
 * scheduling is the queue's job (queue `callbacks`, one partition per URL).
 */

/** Delivery report, inbound message, or a profile update through CleverTap's Upload API. */
export type CallbackKind = 'dlr' | 'imo' | 'profile';

export interface CallbackSpec {
  accountId: string;
  kind: CallbackKind;
  url: string;
  /** The CleverTap msgId a delivery report is about (orders reports per message). */
  msgId?: string;
  /** A DeliveryReport (dlr) or the finished IMO body (imo), as JSON. */
  payload: string;
  /** What it reports, for the operator's timeline: our message id (dlr), an inbound message's wamid (imo). */
  messageRef?: string;
}

/** How an attempt to deliver callbacks went, as the timeline shows it. */
export interface CallbackAttempt {
  /** CleverTap's answer; absent when none came (a timeout, a refused connection). */
  httpStatus?: number;
  latencyMs: number;
}

export interface StoredCallback extends CallbackSpec {
  /** A decimal string: a 64-bit id on every store. */
  id: string;
  createdAt: number;
  /**
   * When CleverTap accepted it, if it did. A delivery job can outlive its callback's delivery —
   * the POST succeeded, the acknowledgement to an external queue was lost (Redis restarting) —
   * and must then not post it again, or CleverTap would see a report twice, after later ones.
   */
  deliveredAt?: number;
}

export interface CallbackOutbox {
  /** Owes callbacks that no other change carries (a click), each with its delivery job, in one commit. */
  owe(callbacks: readonly CallbackSpec[]): Promise<void>;
  /** The stored callbacks among `ids` (job refs); missing ones are left out. */
  get(ids: readonly string[]): Promise<StoredCallback[]>;
  /** Remembers the outcome of the last delivery attempt, for operators. */
  markDelivered(ids: readonly string[], at: number, attempt?: CallbackAttempt): Promise<void>;
  /** With `attempt`, also an event of each message a failed delivery report is about (store/message-events.ts). */
  markFailed(ids: readonly string[], error: string, attempt?: CallbackAttempt & { at: number }): Promise<void>;
  /** Given up on (dead-lettered): kept for replay until retention forgets it. */
  markDead(ids: readonly string[], at: number): Promise<void>;
}
