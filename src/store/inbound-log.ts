/**
 * @module store/inbound-log
 * Inbound messages already received, so a webhook Meta repeats is forwarded to CleverTap once.
 */
import type { TransactionHandle } from './message-store.js';

export interface InboundRecord {
  wamid: string;
  accountId: string;
  sender: string;
  contextMsgId?: string;
  receivedAt: number;
}

export interface InboundLog {
  /**
   * Records an inbound message unless its wamid was seen before; `onNew` runs in the same commit
   * for a first sighting (to owe CleverTap the message). Resolves to whether it was new.
   */
  record(entry: InboundRecord, onNew: (tx: TransactionHandle) => void): Promise<boolean>;
  /** Epoch ms of the user's latest message to the account, if the gateway has seen one. */
  lastInboundAt(accountId: string, sender: string): Promise<number | undefined>;
}
