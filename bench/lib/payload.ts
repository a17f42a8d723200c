/**
 * The request body every load tool sends: a realistic ~1 KB CleverTap template send (image
 * header, body with parameters, footer, URL and quick-reply buttons — the shape of
 * test/fixtures/clevertap/requests/template-image-dynamic-url.json and
 * template-file-header-multi-button.json).
 *
 * The gateway de-duplicates repeated (msgId, to) pairs, so a repeated body would measure a cache
 * hit, not real work. Every request therefore gets its own msgId and its own recipient: the
 * template below carries two markers that each load tool replaces per request. Keeping one
 * template file (written under .bench/ and read by wrk's Lua script too) guarantees wrk and
 * autocannon send byte-for-byte the same shape.
 */
export const MSG_ID_MARKER = '__MSG_ID__';
export const TO_MARKER = '__TO__';

export const WABA_NUMBER = '919888888888';

export function bodyTemplate(): string {
  const body = {
    payloadVersion: 0.1,
    wabaNumber: WABA_NUMBER,
    to: TO_MARKER,
    isTemplate: true,
    msgId: MSG_ID_MARKER,
    template: { namespace: 'promo_image_multi_button', languageCode: 'en' },
    components: [
      { type: 'header', header: { type: 'image', image: { mediaURL: 'https://media.example.com/campaigns/2026/winter/hero-banner-1080x1080.png' } } },
      {
        type: 'body',
        body: {
          text: 'Hi Priya, new winter arrivals are in! Use code WINTER25 before 30 Nov to get 25% off your next order at Example Store.',
          parameters: [
            { type: 'text', text: 'Priya' },
            { type: 'text', text: 'WINTER25' },
            { type: 'text', text: '30 Nov' },
          ],
        },
      },
      { type: 'footer', footer: 'Reply "stop" to opt out' },
      { type: 'button', index: 0, subType: 'dynamicUrl', buttonText: 'Shop now', parameters: [{ type: 'text', text: 'cart/winter-2026?utm_source=clevertap&utm_medium=whatsapp' }] },
      { type: 'button', index: 1, subType: 'staticUrl', buttonText: 'Store locator', parameters: [{ type: 'text', text: 'https://shop.example.com/stores' }] },
      { type: 'button', index: 2, subType: 'quickReply', buttonText: 'Remind me later' },
      { type: 'button', index: 3, subType: 'quickReply', buttonText: 'Not interested' },
    ],
  };
  return JSON.stringify(body);
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
