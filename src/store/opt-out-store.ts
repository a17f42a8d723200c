/**
 * @module store/opt-out-store
 * Who opted out of which account. Read once at startup into memory (the send path checks it on
 * every template request, and opt-outs are few); written in the commit of the inbound message
 * that asked for it.
 */
import type { TransactionHandle } from './message-store.js';

export interface OptOut {
  accountId: string;
  recipient: string;
  keyword: string;
  optedOutAt: number;
}

export interface OptOutStore {
  all(): Promise<OptOut[]>;
  optOutWithin(tx: TransactionHandle, optOut: OptOut): void;
  optInWithin(tx: TransactionHandle, accountId: string, recipient: string): void;
}
