/**
 * @module pipeline/click-tracking
 * Provider click tracking (CleverTap's "Track Clicks"). The account's URL-button templates are
 * approved at Meta with the tracking domain as base, `https://<domain>/c/{{1}}`. When CleverTap
 * sends such a button's parameter as a whole destination URL, the gateway keeps the destination,
 * sends a short code as the suffix instead, and answers a tap on `/c/<code>` with a redirect
 * there, reporting `Clicked` to CleverTap. A parameter that is only a suffix is left alone: the
 * destination is then the template's own, and there is nothing to track.
 *
 * Only a destination that is a valid http(s) URL is tracked: one with a control character
 * (CR/LF would make the redirect's Location header invalid) or that does not parse is left as
 * it came, for pre-flight or Meta to refuse. The redirect checks again (`redirectTarget`), so a
 * link stored before this rule answers a clear 4xx, never a 500.
 */
import { randomBytes } from 'node:crypto';
import type { CarouselCard, MessageContent, TemplateButton } from '../domain/message.js';

export interface TrackedLink {
  code: string;
  url: string;
}

/** Longer destinations are not tracked (browsers and Meta's buttons stop well before). */
export const MAX_TRACKED_URL_LENGTH = 2048;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Where a tap on a link to `url` may be sent: the URL in its canonical form (non-ASCII
 * percent-encoded, so it fits a Location header), or undefined when `url` is not a valid http(s)
 * URL. The URL parser would silently drop tabs and newlines; they are refused instead.
 */
export function redirectTarget(url: string): string | undefined {
  if (url.length > MAX_TRACKED_URL_LENGTH || CONTROL_CHARACTERS.test(url) || !/^https?:\/\/[^\s/]+/i.test(url)) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname === '') return undefined;
  return parsed.href;
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
      if (button.kind !== 'url' || button.value.includes('{{') || redirectTarget(button.value) === undefined) return button;
      const code = newCode();
      links.push({ code, url: button.value });
      return { ...button, value: code };
    });
  const buttons = track(content.buttons);
  const carousel = content.carousel?.map((card): CarouselCard => ({ ...card, buttons: track(card.buttons) }));
  if (links.length === 0) return { content, links };
  return { content: { ...content, buttons, ...(carousel ? { carousel } : {}) }, links };
}
