/**
 * @module pipeline/click-tracking
 * Provider click tracking (CleverTap's "Track Clicks"). The account's URL-button templates are
 * approved at Meta with the tracking domain as base, `https://<domain>/c/{{1}}`. When CleverTap
 * sends such a button's parameter as a whole destination URL, the gateway keeps the destination,
 * sends a short code as the suffix instead, and answers a tap on `/c/<code>` with a redirect
 * there, reporting `Clicked` to CleverTap. A parameter that is only a suffix is left alone: the
 * destination is then the template's own, and there is nothing to track.
 */
import { randomBytes } from 'node:crypto';
import type { CarouselCard, MessageContent, TemplateButton } from '../domain/message.js';

export interface TrackedLink {
  code: string;
  url: string;
}

const CODE_ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 10;

/** 10 characters of a 56-letter alphabet: about 58 bits, so codes cannot be guessed or walked. */
export function newClickCode(): string {
  const bytes = randomBytes(CODE_LENGTH);
  let code = '';
  for (const byte of bytes) code += CODE_ALPHABET[byte % CODE_ALPHABET.length];
  return code;
}

/**
 * Replaces every whole-URL dynamic button parameter with a fresh code; returns the new content
 * and the links to store. Content without such buttons comes back unchanged (same object).
 */
export function trackUrlButtons(content: MessageContent, newCode: () => string = newClickCode): { content: MessageContent; links: TrackedLink[] } {
  if (content.kind !== 'template') return { content, links: [] };
  const links: TrackedLink[] = [];
  const track = (buttons: TemplateButton[]) =>
    buttons.map((button) => {
      if (button.kind !== 'url' || !/^https?:\/\/[^\s/]+/i.test(button.value) || button.value.includes('{{')) return button;
      const code = newCode();
      links.push({ code, url: button.value });
      return { ...button, value: code };
    });
  const buttons = track(content.buttons);
  const carousel = content.carousel?.map((card): CarouselCard => ({ ...card, buttons: track(card.buttons) }));
  if (links.length === 0) return { content, links };
  return { content: { ...content, buttons, ...(carousel ? { carousel } : {}) }, links };
}
