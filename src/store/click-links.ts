/**
 * @module store/click-links
 * Click-tracked links: written with the message that carries them (an effect of its acceptance,
 * store/effects.ts), read on every tap.
 */

export interface ClickLink {
  code: string;
  accountId: string;
  messageId: string;
  msgId: string;
  url: string;
  createdAt: number;
}

export interface ClickLinkStore {
  get(code: string): Promise<ClickLink | undefined>;
}
