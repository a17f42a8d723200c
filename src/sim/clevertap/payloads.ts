/**
 * @module sim/clevertap/payloads
 * The catalogue of request shapes the campaign driver can send, named after the fixture each one
 * copies: the template kinds of `payloads-template.ts` plus CleverTap's freeform kinds (spec §1.4),
 * including the `msg_id` spelling the current docs use for some of them.
 */
import type { Json, PayloadFields } from './payload-parts.js';
import { TEMPLATE_BUILDERS } from './payloads-template.js';

export type { PayloadFields } from './payload-parts.js';

function freeform(f: PayloadFields, msgIdKey: 'msgId' | 'msg_id', type: string, content: Json): Json {
  return { payloadVersion: 0.1, to: f.to, wabaNumber: f.wabaNumber, isTemplate: false, [msgIdKey]: f.msgId, type, [type]: content };
}

const FREEFORM_BUILDERS = {
  'freeform-text': (f: PayloadFields) => freeform(f, 'msgId', 'text', { body: 'Hello from the support team' }),
  'freeform-image-msg_id': (f: PayloadFields) =>
    freeform(f, 'msg_id', 'image', { mediaURL: 'https://media.example.com/image.png', caption: 'This is body' }),
  'freeform-video': (f: PayloadFields) => freeform(f, 'msgId', 'video', { mediaURL: 'https://media.example.com/video.mp4', caption: 'This is body' }),
  'freeform-audio-msg_id': (f: PayloadFields) => freeform(f, 'msg_id', 'audio', { mediaURL: 'https://media.example.com/audio.mp3' }),
  'freeform-file-msg_id': (f: PayloadFields) =>
    freeform(f, 'msg_id', 'file', { mediaURL: 'https://media.example.com/document.pdf', caption: 'This is body', filename: 'sample.pdf' }),
} as const satisfies Record<string, (f: PayloadFields) => Json>;

const BUILDERS: Record<string, (f: PayloadFields) => Json> = { ...TEMPLATE_BUILDERS, ...FREEFORM_BUILDERS };

export type PayloadShape = keyof typeof TEMPLATE_BUILDERS | keyof typeof FREEFORM_BUILDERS;
export const TEMPLATE_SHAPES = Object.keys(TEMPLATE_BUILDERS) as (keyof typeof TEMPLATE_BUILDERS)[];
export const FREEFORM_SHAPES = Object.keys(FREEFORM_BUILDERS) as (keyof typeof FREEFORM_BUILDERS)[];
export const PAYLOAD_SHAPES: PayloadShape[] = [...TEMPLATE_SHAPES, ...FREEFORM_SHAPES];

export function buildPayload(shape: string, fields: PayloadFields): Json {
  const build = BUILDERS[shape];
  if (!build) throw new RangeError(`unknown payload shape "${shape}"; known: ${PAYLOAD_SHAPES.join(', ')}`);
  return build(fields);
}

/**
 * Picks shapes by weight deterministically: message `i` takes slot `i mod total` of the
 * cumulative weights, so a mix of {a: 3, b: 1} sends exactly 3 a's per 4 messages and a test can
 * predict the counts. Campaigns are template sends, so the default mix is every template once.
 */
export function shapePicker(mix: Partial<Record<string, number>> | undefined): (i: number) => string {
  const entries = Object.entries(mix ?? Object.fromEntries(TEMPLATE_SHAPES.map((s) => [s, 1])));
  const slots: string[] = [];
  for (const [shape, weight] of entries) {
    if (!(shape in BUILDERS)) throw new RangeError(`unknown payload shape "${shape}"; known: ${PAYLOAD_SHAPES.join(', ')}`);
    const w = weight ?? 0;
    if (!Number.isInteger(w) || w < 0) throw new RangeError(`payloadMix["${shape}"] must be a non-negative integer weight, got ${String(weight)}`);
    for (let k = 0; k < w; k++) slots.push(shape);
  }
  if (slots.length === 0) throw new RangeError('payloadMix needs at least one positive weight');
  return (i) => slots[i % slots.length]!;
}
