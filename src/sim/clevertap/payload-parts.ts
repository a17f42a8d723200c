/**
 * @module sim/clevertap/payload-parts
 * Builders for the pieces of CleverTap's send payloads (spec §1.3), so the shapes in
 * `payloads-template.ts` read like the fixtures they copy.
 */

export type Json = Record<string, unknown>;

/** The per-message fields the campaign driver varies; everything else is fixed by the shape. */
export interface PayloadFields {
  to: string;
  wabaNumber: string;
  msgId: string;
}

export const textParams = (...values: string[]): Json[] => values.map((text) => ({ type: 'text', text }));

export const body = (text: string, ...params: string[]): Json => ({ type: 'body', body: { text, parameters: textParams(...params) } });

export const mediaHeader = (type: 'image' | 'video', mediaURL: string): Json => ({ type: 'header', header: { type, [type]: { mediaURL } } });

export const fileHeader = (mediaURL: string, filename: string): Json => ({ type: 'header', header: { type: 'file', file: { mediaURL, filename } } });

export const footer = (text: string): Json => ({ type: 'footer', footer: text });

export const urlButton = (index: number, buttonText: string, subType: 'dynamicUrl' | 'staticUrl', value: string): Json => ({
  type: 'button',
  index,
  buttonText,
  subType,
  parameters: textParams(value),
});

export const copyCodeButton = (index: number, code: string): Json => ({
  type: 'button',
  index,
  buttonText: 'Copy offer code',
  subType: 'copy_code',
  parameters: [{ type: 'coupon_code', coupon_code: code }],
});

export const quickReply = (index: number, buttonText: string): Json => ({ type: 'button', index, buttonText, subType: 'quickReply' });

/** The common head of a template payload; `plus` writes numbers with a leading `+` as some fixtures do. */
export function templateHead(f: PayloadFields, namespace: string, languageCode: string, plus = false): Json {
  return {
    payloadVersion: 0.1,
    to: plus ? withPlus(f.to) : f.to,
    wabaNumber: plus ? withPlus(f.wabaNumber) : f.wabaNumber,
    isTemplate: true,
    msgId: f.msgId,
    template: { namespace, languageCode },
  };
}

export function withPlus(phone: string): string {
  return phone.startsWith('+') ? phone : `+${phone}`;
}
