/**
 * @module store/inbound-log
 * Inbound messages already received, so a webhook Meta repeats is forwarded to CleverTap once.
 */
import type { Effects } from './effects.js';

export interface InboundRecord {
  wamid: string;
  accountId: string;
  sender: string;
  contextMsgId?: string;
  receivedAt: number;
  /** What the Inbound page shows: Meta's message type, its text (or caption, or button label), the media link CleverTap got. */
  kind?: string;
  text?: string;
  mediaUrl?: string;
}

export interface InboundLog {
  /**
   * Records an inbound message unless its wamid was seen before; a first sighting commits
   * `effects` with it (the callback owed to CleverTap, an opt-out). Resolves to whether it was new.
   */
  record(entry: InboundRecord, effects?: Effects): Promise<boolean>;
  /** Epoch ms of the user's latest message to the account, if the gateway has seen one. */
  lastInboundAt(accountId: string, sender: string): Promise<number | undefined>;
}
