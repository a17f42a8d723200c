import { describe, expect, it } from 'vitest';
import { buildPayload, PAYLOAD_SHAPES, TEMPLATE_SHAPES } from './index.js';
import { shapePicker } from './payloads.js';
import { fixture, fixtureNames } from './test-support.js';

const sendFixtures = fixtureNames('requests').filter((n) => !n.startsWith('validation'));

describe('payload shapes', () => {
  it('has one shape per send fixture', () => {
    expect([...PAYLOAD_SHAPES].sort()).toEqual(sendFixtures);
  });

  it.each(sendFixtures)('%s is built exactly like the fixture', (name) => {
    const f = fixture('requests', name);
    const built = buildPayload(name, { to: f.to, wabaNumber: f.wabaNumber, msgId: f.msgId ?? f.msg_id });
    expect(built).toEqual(f);
  });

  it('writes + numbers for the shapes whose fixture does', () => {
    const built = buildPayload('template-plus-numbers-en-UK', { to: '919999999998', wabaNumber: '919888888888', msgId: '1|2|3|4' });
    expect(built).toMatchObject({ to: '+919999999998', wabaNumber: '+919888888888' });
  });

  it('picks shapes by weight, deterministically', () => {
    const pick = shapePicker({ 'template-carousel': 3, 'freeform-text': 1 });
    const picked = Array.from({ length: 8 }, (_, i) => pick(i));
    expect(picked.filter((s) => s === 'template-carousel')).toHaveLength(6);
    expect(picked.filter((s) => s === 'freeform-text')).toHaveLength(2);
    const byDefault = shapePicker(undefined);
    expect(new Set(Array.from({ length: TEMPLATE_SHAPES.length }, (_, i) => byDefault(i)))).toEqual(new Set(TEMPLATE_SHAPES));
  });

  it('refuses unknown shapes and empty mixes', () => {
    expect(() => shapePicker({ 'template-nope': 1 })).toThrow(/unknown payload shape "template-nope"/);
    expect(() => shapePicker({ 'freeform-text': 0 })).toThrow(/at least one positive weight/);
    expect(() => buildPayload('nope', { to: '1', wabaNumber: '2', msgId: '3' })).toThrow(RangeError);
  });
});
