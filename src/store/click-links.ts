/**
 * @module store/click-links
 * Click-tracked links: written with the message that carries them, read on every tap.
 */
import type { TransactionHandle } from './message-store.js';

export interface ClickLink {
  code: string;
  accountId: string;
  messageId: string;
  msgId: string;
  url: string;
  createdAt: number;
}

export interface ClickLinkStore {
  addWithin(tx: TransactionHandle, link: ClickLink): void;
  get(code: string): Promise<ClickLink | undefined>;
  /** Runs `write` in a transaction (to owe CleverTap the click in the same commit). */
  inTransaction<T>(write: (tx: TransactionHandle) => T): Promise<T>;
}
