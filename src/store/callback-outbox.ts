/**
 * @module store/callback-outbox
 * The callbacks port: what is owed to CleverTap, stored in the commit that created the debt, so
 * a status or reply received is never lost between Meta's webhook and CleverTap's callback URL.
 * Delivery scheduling is the queue's job (queue `callbacks`, one partition per URL).
 */
import type { TransactionHandle } from './message-store.js';

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
}

export interface StoredCallback extends CallbackSpec {
  id: number;
  createdAt: number;
}

export interface CallbackOutbox {
  /** Stores a callback inside the caller's open transaction and returns its id. */
  addWithin(tx: TransactionHandle, callback: CallbackSpec): number;
  get(ids: readonly number[]): Promise<StoredCallback[]>;
  /** Remembers the outcome of the last delivery attempt, for operators. */
  markDelivered(ids: readonly number[], at: number): Promise<void>;
  markFailed(ids: readonly number[], error: string): Promise<void>;
}
