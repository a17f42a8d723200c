/**
 * The request body every load tool sends: a realistic ~1 KB CleverTap template send — the
 * fixture test/fixtures/clevertap/requests/template-file-header-multi-button.json (document
 * header, body parameter, footer, copy-code, URL and quick-reply buttons). Its template,
 * `multi_button_offer`, is one the sandbox's Meta simulator knows, so the sends the gateway
 * dispatches after answering succeed instead of failing on an unknown template.
 *
 * The gateway de-duplicates repeated (msgId, to) pairs, so a repeated body would measure a cache
 * hit, not real work. Every request therefore gets its own msgId and its own recipient: the
 * template below carries two markers that each load tool replaces per request. Keeping one
 * template file (written under .bench/ and read by wrk's Lua script too) guarantees wrk and
 * the Node tools send byte-for-byte the same shape.
 */
import { readFileSync } from 'node:fs';

export const MSG_ID_MARKER = '__MSG_ID__';
export const TO_MARKER = '__TO__';

const FIXTURE = new URL('../../test/fixtures/clevertap/requests/template-file-header-multi-button.json', import.meta.url);

export function bodyTemplate(): { template: string; wabaNumber: string } {
  const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>;
  const template = JSON.stringify({ ...fixture, to: TO_MARKER, msgId: MSG_ID_MARKER });
  return { template, wabaNumber: String(fixture.wabaNumber) };
}

/**
 * Recipients are Indian mobile numbers (91 + 10 digits starting with 7). Each load invocation
 * gets its own block of ten million numbers, so recipients never repeat within a bench run.
 */
export function recipientBlockStart(invocationIndex: number): number {
  return 7_000_000_000 + invocationIndex * 10_000_000;
}

/** Body for the n-th request of an invocation (used by the Node-based load tools). */
export function makeBodyBuilder(template: string, msgIdPrefix: string, firstRecipient: number): (n: number) => string {
  const [beforeTo, afterTo] = splitOnce(template, `"${TO_MARKER}"`);
  const [betweenToAndMsgId, afterMsgId] = splitOnce(afterTo, `"${MSG_ID_MARKER}"`);
  return (n) => `${beforeTo}"91${firstRecipient + n}"${betweenToAndMsgId}"${msgIdPrefix}|${n}"${afterMsgId}`;
}

function splitOnce(text: string, marker: string): [string, string] {
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`body template lacks ${marker}`);
  return [text.slice(0, at), text.slice(at + marker.length)];
}
