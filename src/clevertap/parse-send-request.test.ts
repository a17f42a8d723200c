import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import type { OutboundRequest, TemplateContent } from '../domain/message.js';
import {
  parseSendRequest,
  UNPARSEABLE_REQUEST_MESSAGE,
  MAX_MSG_ID_LENGTH,
  VALIDATION_NAMESPACE,
  type ParseOptions,
  type ParseOutcome,
} from './parse-send-request.js';
import { CUSTOM_PROPS_LIMITS } from './parse-custom-props.js';
import { applyMutations, CLEVERTAP_FIXTURES, mutationArb } from '../../test/fuzz/generators.js';
import { fromValue, toBytes } from '../../test/fuzz/json-text.js';

const FIXTURES = new URL('../../test/fixtures/clevertap/requests/', import.meta.url);

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Record<string, unknown>;
}

function parsed(body: unknown, options?: ParseOptions): OutboundRequest {
  const outcome = parseSendRequest(body, options);
  if (outcome.kind !== 'message') throw new Error(`expected a message, got ${JSON.stringify(outcome)}`);
  return outcome.request;
}

function template(body: unknown, options?: ParseOptions): TemplateContent {
  const { content } = parsed(body, options);
  if (content.kind !== 'template') throw new Error(`expected a template, got ${content.kind}`);
  return content;
}

function rejection(body: unknown, options?: ParseOptions): { code: number; message: string } {
  const outcome = parseSendRequest(body, options);
  if (outcome.kind !== 'rejected') throw new Error(`expected a rejection, got ${JSON.stringify(outcome)}`);
  return outcome;
}

/** A minimal valid template send, for tests that vary one thing. */
function templateSend(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    payloadVersion: 0.1,
    to: '919999999999',
    wabaNumber: '919888888888',
    isTemplate: true,
    msgId: '1|2|3|4',
    template: { namespace: 'welcome', languageCode: 'en' },
    components: [{ type: 'body', body: { text: 'Hi Ana', parameters: [{ type: 'text', text: 'Ana' }] } }],
    ...overrides,
  };
}

describe('fixtures: every request in test/fixtures/clevertap/requests', () => {
  const tested = new Set<string>();
  const fixtureTest = (name: string, body: () => void) => {
    tested.add(name);
    it(name, body);
  };

  fixtureTest('validation-wrapped.json', () => {
    expect(parseSendRequest(fixture('validation-wrapped.json'))).toEqual({ kind: 'validation', msgId: '0|0|0|0' });
  });

  fixtureTest('validation-bare.json', () => {
    expect(parseSendRequest(fixture('validation-bare.json'))).toEqual({ kind: 'validation', msgId: '0|0|0|0' });
  });

  fixtureTest('template-body-footertext.json', () => {
    const request = parsed(fixture('template-body-footertext.json'));
    expect(request).toEqual({
      msgId: '25596363|1639561857|20220227|25596363',
      to: '919999999999',
      wabaNumber: '919888888888',
      content: { kind: 'template', name: 'order_ready', language: 'en_GB', bodyParams: ['Sample'], buttons: [] },
    });
  });

  fixtureTest('template-plus-numbers-en-UK.json', () => {
    const request = parsed(fixture('template-plus-numbers-en-UK.json'));
    expect(request.to).toBe('919999999998');
    expect(request.wabaNumber).toBe('919888888888');
    expect(request.msgId).toBe('1|2|3|4|5');
    expect(request.content).toMatchObject({ name: 'Sample_Template', language: 'en_GB', bodyParams: ['User'] });
  });

  fixtureTest('template-carousel.json', () => {
    const request = parsed(fixture('template-carousel.json'));
    expect(request.to).toBe('91999645754');
    expect(request.wabaNumber).toBe('919888888888');
    expect(request.msgId).toBe('13|902|20241114|13');
    expect(request.content).toEqual({
      kind: 'template',
      name: 'carousel_test_1',
      language: 'en',
      bodyParams: ['0'],
      buttons: [],
      carousel: [
        {
          header: { type: 'image', media: { link: 'https://media.example.com/card1.jpg' } },
          bodyParams: ['0', '1'],
          buttons: [
            { kind: 'url', index: 0, value: 'wa/5xu5auQ' },
            { kind: 'url', index: 1, value: '0' },
          ],
        },
        {
          header: { type: 'image', media: { link: 'https://media.example.com/card2.jpg' } },
          bodyParams: ['0', '1'],
          buttons: [
            { kind: 'static', index: 0, subType: 'staticUrl' },
            { kind: 'url', index: 1, value: '0' },
          ],
        },
      ],
    });
  });

  fixtureTest('template-custom-props.json', () => {
    const request = parsed(fixture('template-custom-props.json'));
    expect(request.customProps).toEqual({ Key1: 'Value1', key2: 'Value2' });
    expect(request.content).toEqual({
      kind: 'template',
      name: 'sample_template',
      language: 'en',
      header: { type: 'document', media: { link: 'https://media.example.com/OctoberCM2.pdf' }, filename: 'OctoberCM2' },
      bodyParams: ['User'],
      buttons: [
        { kind: 'copy_code', index: 0, couponCode: 'BLACKFRIDAY20' },
        { kind: 'quick_reply', index: 1 },
      ],
    });
  });

  fixtureTest('template-file-header-multi-button.json', () => {
    const request = parsed(fixture('template-file-header-multi-button.json'));
    expect(request.to).toBe('919857465600');
    expect(request.content).toEqual({
      kind: 'template',
      name: 'multi_button_offer',
      language: 'en',
      header: { type: 'document', media: { link: 'https://media.example.com/offer/new_offer.pdf' }, filename: 'New_offer' },
      bodyParams: ['0'],
      buttons: [
        { kind: 'copy_code', index: 0, couponCode: 'SAMPLECODE' },
        { kind: 'url', index: 1, value: 'https://shop.example.com/app/summer' },
        { kind: 'static', index: 2, subType: 'staticUrl' },
        { kind: 'quick_reply', index: 3 },
        { kind: 'quick_reply', index: 4 },
        { kind: 'quick_reply', index: 5 },
      ],
    });
    expect(request.customProps).toBeUndefined();
  });

  fixtureTest('template-image-dynamic-url.json', () => {
    expect(template(fixture('template-image-dynamic-url.json'))).toEqual({
      kind: 'template',
      name: 'promo_image',
      language: 'en',
      header: { type: 'image', media: { link: 'https://media.example.com/image.png' } },
      bodyParams: ['sample'],
      buttons: [{ kind: 'url', index: 0, value: 'cart' }],
    });
  });

  fixtureTest('template-limited-time-offer.json', () => {
    const content = template(fixture('template-limited-time-offer.json'));
    expect(content.limitedTimeOffer).toEqual({ expirationTimeMs: 1893456000000 });
    expect(content.header).toEqual({ type: 'image', media: { link: 'https://media.example.com/lto.jpg' } });
    expect(content.bodyParams).toEqual(['0']);
    expect(content.buttons).toEqual([
      { kind: 'copy_code', index: 0, couponCode: 'SAMPLECODE' },
      { kind: 'url', index: 1, value: '0' },
      { kind: 'static', index: 2, subType: 'callPhone' },
      { kind: 'quick_reply', index: 3 },
    ]);
  });

  fixtureTest('template-location-header.json', () => {
    const content = template(fixture('template-location-header.json'));
    expect(content.header).toEqual({
      type: 'location',
      latitude: 40.7829,
      longitude: -73.9654,
      name: 'Central Park',
      address: 'New York, NY 10024',
    });
    expect(content.bodyParams).toEqual(['Ana']);
  });

  fixtureTest('template-quick-reply-payload.json', () => {
    const content = template(fixture('template-quick-reply-payload.json'));
    expect(content.buttons).toEqual([{ kind: 'quick_reply', index: 0, payload: '25596363|click' }]);
    expect(content.name).toBe('confirm_visit');
  });

  fixtureTest('template-text-header.json', () => {
    const content = template(fixture('template-text-header.json'));
    expect(content.header).toEqual({ type: 'text', params: ['4411'] });
    expect(content.bodyParams).toEqual(['Ana', '4411']);
  });

  fixtureTest('template-video-header.json', () => {
    const content = template(fixture('template-video-header.json'));
    expect(content.header).toEqual({ type: 'video', media: { link: 'https://media.example.com/video.mp4' } });
    expect(content.language).toBe('en_US');
  });

  fixtureTest('freeform-text.json', () => {
    expect(parsed(fixture('freeform-text.json'))).toEqual({
      msgId: '21|0|20241114|21',
      to: '919999999999',
      wabaNumber: '919888888888',
      content: { kind: 'text', body: 'Hello from the support team' },
    });
  });

  fixtureTest('freeform-image-msg_id.json', () => {
    const request = parsed(fixture('freeform-image-msg_id.json'));
    expect(request.msgId).toBe('22|0|20241114|22');
    expect(request.content).toEqual({
      kind: 'image',
      media: { link: 'https://media.example.com/image.png' },
      caption: 'This is body',
    });
  });

  fixtureTest('freeform-video.json', () => {
    const request = parsed(fixture('freeform-video.json'));
    expect(request.msgId).toBe('23|0|20241114|23');
    expect(request.content).toEqual({
      kind: 'video',
      media: { link: 'https://media.example.com/video.mp4' },
      caption: 'This is body',
    });
  });

  fixtureTest('freeform-audio-msg_id.json', () => {
    const request = parsed(fixture('freeform-audio-msg_id.json'));
    expect(request.msgId).toBe('24|0|20241114|24');
    expect(request.content).toEqual({ kind: 'audio', media: { link: 'https://media.example.com/audio.mp3' } });
  });

  fixtureTest('freeform-file-msg_id.json', () => {
    const request = parsed(fixture('freeform-file-msg_id.json'));
    expect(request.msgId).toBe('25|0|20241114|25');
    expect(request.content).toEqual({
      kind: 'document',
      media: { link: 'https://media.example.com/document.pdf' },
      caption: 'This is body',
      filename: 'sample.pdf',
    });
  });

  it('covers every fixture file in the folder', () => {
    const files = readdirSync(FIXTURES).filter((name) => name.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((name) => !tested.has(name))).toEqual([]);
  });
});

describe('envelope (spec §7.1)', () => {
  it('unwraps {"body": {...}} for ordinary sends too', () => {
    expect(parsed({ body: templateSend() }).msgId).toBe('1|2|3|4');
  });

  it('does not unwrap when the top level has other keys or the inner object is not a message', () => {
    expect(rejection({ body: templateSend(), extra: 1 }).message).toBe('msgId is required');
    expect(rejection({ body: { hello: 'world' } }).message).toBe('msgId is required');
  });

  it('recognises the validation probe by namespace alone, even with a bad `to`, no msgId, or isTemplate false', () => {
    const probe = { template: { namespace: VALIDATION_NAMESPACE }, to: '$$To', wabaNumber: 'x', isTemplate: false };
    expect(parseSendRequest(probe)).toEqual({ kind: 'validation' });
    expect(parseSendRequest({ body: { ...probe, payloadVersion: '0.1', msgId: 7 } })).toEqual({
      kind: 'validation',
      msgId: '7',
    });
  });

  it('treats an unwrapped probe whose wabaNumber is an unquoted number as validation', () => {
    const old = fixture('validation-bare.json');
    expect(parseSendRequest({ ...old, wabaNumber: 919888888888 }).kind).toBe('validation');
  });

  it('rejects non-object bodies with 2001', () => {
    expect(rejection([templateSend()])).toEqual({
      kind: 'rejected',
      code: 2001,
      message: 'the request body must be a JSON object, got an array',
    });
    expect(rejection('hello').message).toBe('the request body must be a JSON object, got "hello"');
    expect(rejection(null).code).toBe(2001);
  });
});

describe('msgId (spec §7.3)', () => {
  it.each(['msgId', 'msg_id', 'msgid', 'MsgID'])('reads the %s key', (key) => {
    const body = templateSend({ msgId: undefined, [key]: 'a|b|c' });
    expect(parsed(body).msgId).toBe('a|b|c');
  });

  it('echoes the value exactly, including spaces and more than 60 characters', () => {
    const long = ' 4930004|1731583253|20241114|4930004|variant-with-a-long-name|x ';
    expect(long.length).toBeGreaterThan(60);
    expect(parsed(templateSend({ msgId: long })).msgId).toBe(long);
  });

  it('stringifies a numeric msgId', () => {
    expect(parsed(templateSend({ msgId: 12345 })).msgId).toBe('12345');
  });

  it.each([undefined, '', '   ', null])('rejects a missing or empty msgId (%j) with 2001', (msgId) => {
    expect(rejection(templateSend({ msgId }))).toEqual({ kind: 'rejected', code: 2001, message: 'msgId is required' });
  });

  it.each(['1|2\u00003', 'a\nb', '\u007f1|2'])('rejects a msgId with a control character (%j) with 2001', (msgId) => {
    expect(rejection(templateSend({ msgId }))).toEqual({ kind: 'rejected', code: 2001, message: 'msgId contains a control character' });
  });

  it('rejects a msgId of the wrong type', () => {
    expect(rejection(templateSend({ msgId: { id: 1 } }))).toMatchObject({
      code: 2001,
      message: 'msgId must be a string, got an object',
    });
  });

  it(`accepts a msgId of ${MAX_MSG_ID_LENGTH} characters and rejects a longer one with 2001`, () => {
    const longest = 'i|'.padEnd(MAX_MSG_ID_LENGTH, 'x');
    expect(parsed(templateSend({ msgId: longest })).msgId).toBe(longest);
    expect(rejection(templateSend({ msgId: `${longest}x` }))).toEqual({
      kind: 'rejected',
      code: 2001,
      message: `msgId is ${MAX_MSG_ID_LENGTH + 1} characters long; at most ${MAX_MSG_ID_LENGTH} are accepted`,
    });
  });

  it('rejects a 200 KB msgId (it would be stored and echoed in every callback)', () => {
    const outcome = rejection({ ...fixture('freeform-text.json'), msgId: 'x'.repeat(200_000) });
    expect(outcome.code).toBe(2001);
    expect(outcome.message.length).toBeLessThan(100);
  });

  it('answers the validation probe without echoing an over-long msgId', () => {
    const probe = { ...fixture('validation-bare.json'), msgId: 'x'.repeat(MAX_MSG_ID_LENGTH + 1) };
    expect(parseSendRequest(probe)).toEqual({ kind: 'validation' });
  });
});

describe('payloadVersion (spec §7.4)', () => {
  it.each([
    { payloadVersion: 0.1 },
    { payloadVersion: '0.1' },
    { payloadversion: '0.1' },
    { paytloadVersion: 0.1 },
    { payloadVersion: 'garbage' },
    {},
  ])('is accepted in any spelling and otherwise ignored: %j', (version) => {
    const body = templateSend({ payloadVersion: undefined, ...version });
    expect(parsed(body).content).toMatchObject({ kind: 'template', name: 'welcome' });
  });

  it('identifies a wrapped message by its paytloadVersion key alone', () => {
    const { template: _t, isTemplate: _i, payloadVersion: _p, ...rest } = templateSend();
    expect(parsed({ body: { ...rest, paytloadVersion: 0.1, type: 'text', text: { body: 'hi' } } }).content).toEqual({
      kind: 'text',
      body: 'hi',
    });
  });
});

describe('phones (spec §7.5)', () => {
  it('strips +, spaces and dashes', () => {
    const request = parsed(templateSend({ to: '+91 99999-99999', wabaNumber: '+919888888888' }));
    expect(request.to).toBe('919999999999');
    expect(request.wabaNumber).toBe('919888888888');
  });

  it('accepts wabaNumber as a JSON number', () => {
    expect(parsed(templateSend({ wabaNumber: 919407178156 })).wabaNumber).toBe('919407178156');
  });

  it('applies the tenant default country code to national numbers', () => {
    const request = parsed(templateSend({ to: '7658734869', wabaNumber: '9407178156' }), { defaultCountryCode: '91' });
    expect(request.to).toBe('917658734869');
    expect(request.wabaNumber).toBe('919407178156');
  });

  it('rejects a bad `to` with 2002 naming the value', () => {
    expect(rejection(templateSend({ to: '$$To' }))).toEqual({
      kind: 'rejected',
      code: 2002,
      message: 'to "$$To" is not a valid phone number',
    });
    expect(rejection(templateSend({ to: '12345' })).code).toBe(2002);
    expect(rejection(templateSend({ to: undefined }))).toMatchObject({ code: 2002, message: 'to is missing' });
    expect(rejection(templateSend({ to: ['919999999999'] }))).toMatchObject({
      code: 2002,
      message: 'to must be a phone number string, got an array',
    });
  });

  it('rejects a bad wabaNumber with 2004', () => {
    expect(rejection(templateSend({ wabaNumber: '91999999XXXX' }))).toEqual({
      kind: 'rejected',
      code: 2004,
      message: 'wabaNumber "91999999XXXX" is not a valid phone number',
    });
    expect(rejection(templateSend({ wabaNumber: undefined }))).toMatchObject({ code: 2004, message: 'wabaNumber is missing' });
  });
});

describe('isTemplate', () => {
  it.each([true, 'true', 'TRUE', ' True ', 1, '1'])('%j means template', (isTemplate) => {
    expect(parsed(templateSend({ isTemplate })).content.kind).toBe('template');
  });

  it.each([false, 'false', 'FALSE', 0])('%j means freeform', (isTemplate) => {
    const body = templateSend({ isTemplate, type: 'text', text: { body: 'hi' } });
    expect(parsed(body).content).toEqual({ kind: 'text', body: 'hi' });
  });

  it('is inferred from the presence of a template object when absent', () => {
    expect(parsed(templateSend({ isTemplate: undefined })).content.kind).toBe('template');
    const freeform = templateSend({ isTemplate: undefined, template: undefined, components: undefined, text: { body: 'x' } });
    expect(parsed(freeform).content).toEqual({ kind: 'text', body: 'x' });
  });

  it('rejects a template send without a template object', () => {
    expect(rejection(templateSend({ template: undefined }))).toMatchObject({ code: 2001, message: 'template is missing' });
  });
});

describe('customProps (spec §7.10)', () => {
  it('reads a top-level customProps and flattens it, stringifying non-string values', () => {
    const request = parsed(
      templateSend({ customProps: [{ campaign: 'diwali' }, { count: 3 }, { vip: true }, { tags: ['a'] }, { gone: null }] }),
    );
    expect(request.customProps).toEqual({ campaign: 'diwali', count: '3', vip: 'true', tags: '["a"]' });
  });

  it('merges top-level and component customProps, and skips malformed entries', () => {
    const components = [
      ...(templateSend().components as unknown[]),
      { customProps: [{ b: 'from-components' }, 'junk', null] },
    ];
    const request = parsed(templateSend({ customProps: [{ a: '1' }, { b: 'top' }], components }));
    expect(request.customProps).toEqual({ a: '1', b: 'from-components' });
  });

  it('keeps a __proto__ key as data', () => {
    const body = JSON.parse('{"customProps":[{"__proto__":"x"}]}') as Record<string, unknown>;
    const props = parsed(templateSend(body)).customProps;
    expect(props && Object.keys(props)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(props)).toBe(Object.prototype);
  });

  it('is also read for freeform sends', () => {
    const body = { ...fixture('freeform-text.json'), customProps: [{ k: 'v' }] };
    expect(parsed(body).customProps).toEqual({ k: 'v' });
  });

  it('skips over-long keys and values and keeps at most the first distinct keys up to the limit', () => {
    const { maxEntries, maxKeyLength, maxValueLength } = CUSTOM_PROPS_LIMITS;
    const many = Array.from({ length: maxEntries + 10 }, (_, i) => ({ [`k${i}`]: String(i) }));
    const customProps = [
      { ['K'.repeat(maxKeyLength + 1)]: 'long key' },
      { longValue: 'v'.repeat(maxValueLength + 1) },
      { longJson: ['v'.repeat(maxValueLength)] },
      { edgeKey: 'v'.repeat(maxValueLength) },
      { ['K'.repeat(maxKeyLength)]: 'edge' },
      ...many,
    ];
    const props = parsed(templateSend({ customProps })).customProps!;
    expect(Object.keys(props)).toHaveLength(maxEntries);
    expect(props).toMatchObject({ edgeKey: 'v'.repeat(maxValueLength), ['K'.repeat(maxKeyLength)]: 'edge', k0: '0' });
    expect(props).not.toHaveProperty('longValue');
    expect(props).not.toHaveProperty('longJson');
    expect(props).not.toHaveProperty(`k${maxEntries + 9}`);
  });
});

describe('never throws (fuzz)', () => {
  /** Deterministic PRNG so a failure is reproducible. */
  function mulberry32(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const KEYS = [
    'body', 'template', 'namespace', 'languageCode', 'components', 'type', 'header', 'text', 'parameters',
    'image', 'mediaURL', 'file', 'filename', 'location', 'latitude', 'longitude', 'subType', 'index',
    'payload', 'coupon_code', 'cards', 'customProps', 'limited_time_offer', 'expiration_time_ms', 'msgId',
    'to', 'wabaNumber', 'isTemplate', '__proto__', 'constructor', 'toString',
  ];

  function randomValue(random: () => number, depth: number): unknown {
    const pick = Math.floor(random() * (depth > 4 ? 8 : 11));
    switch (pick) {
      case 0: return null;
      case 1: return undefined;
      case 2: return random() < 0.5;
      case 3: return [0, -1, 1.5, NaN, Infinity, 1e300, 919999999999, -0][Math.floor(random() * 8)];
      case 4: return ['', ' ', 'text', 'image', 'file', 'dynamicUrl', 'quick_reply', 'copy_code', 'true', '9199', 'httpa://x', VALIDATION_NAMESPACE][Math.floor(random() * 12)];
      case 5: return 'x'.repeat(Math.floor(random() * 5000));
      case 6: return '\u0000\ud800"\\';
      case 7: return Symbol('s');
      case 8:
      case 9: {
        const object: Record<string, unknown> = {};
        const size = Math.floor(random() * 5);
        for (let i = 0; i < size; i++) object[KEYS[Math.floor(random() * KEYS.length)] ?? 'x'] = randomValue(random, depth + 1);
        return object;
      }
      default:
        return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
    }
  }

  /** Replaces one random node of a valid payload with garbage, keeping the rest realistic. */
  function mutate(value: unknown, random: () => number, depth = 0): unknown {
    if (random() < 0.15 || depth > 8) return randomValue(random, 0);
    if (Array.isArray(value)) return value.map((item) => (random() < 0.5 ? mutate(item, random, depth + 1) : item));
    if (value !== null && typeof value === 'object') {
      const copy: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        if (random() < 0.05) continue;
        copy[key] = random() < 0.5 ? mutate(item, random, depth + 1) : item;
      }
      return copy;
    }
    return value;
  }

  /** Plain checks first: thousands of `expect` calls would dominate the run time. */
  function expectWellFormed(outcome: ParseOutcome): void {
    const wellFormed =
      outcome.kind === 'validation' ||
      outcome.kind === 'message' ||
      (outcome.kind === 'rejected' &&
        [2001, 2002, 2004].includes(outcome.code) &&
        outcome.message.length > 0 &&
        // The catch-all is for inputs JSON cannot produce; reaching it here means a parser bug.
        outcome.message !== UNPARSEABLE_REQUEST_MESSAGE);
    if (!wellFormed) expect(outcome).toBe('a well-formed outcome');
  }

  it('survives random values', () => {
    const random = mulberry32(1);
    for (let i = 0; i < 3000; i++) {
      const value = randomValue(random, 0);
      expectWellFormed(parseSendRequest(value));
      expectWellFormed(parseSendRequest({ body: value }));
    }
  });

  it('survives mutated fixtures', () => {
    const random = mulberry32(2);
    const fixtures = readdirSync(FIXTURES)
      .filter((name) => name.endsWith('.json'))
      .map((name) => fixture(name));
    let kinds = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const source = fixtures[i % fixtures.length];
      const outcome = parseSendRequest(mutate(source, random), { defaultCountryCode: '91', languageOverrides: { x: 'y' } });
      expectWellFormed(outcome);
      kinds = kinds.add(outcome.kind);
    }
    expect([...kinds].sort()).toEqual(['message', 'rejected', 'validation']);
  });

  it('keeps what it echoes or stores bounded, whatever the mutation (fast-check, fixed seed)', () => {
    // The same mutations the HTTP fuzzer sends (test/fuzz/generators.ts), huge strings included.
    const bodies = fc
      .tuple(fc.constantFrom(...CLEVERTAP_FIXTURES.map(([, value]) => fromValue(value))), fc.array(mutationArb({ exclude: new Set(), scope: 'unit', maxBody: 256 * 1024 }), { maxLength: 4 }))
      .map(([base, mutations]) => JSON.parse(toBytes(applyMutations(base, mutations), [0xff]).toString('utf8')) as unknown);
    fc.assert(
      fc.property(bodies, (body) => {
        const outcome = parseSendRequest(body);
        if (outcome.kind === 'rejected') return outcome.message.length <= 1_000;
        if (outcome.kind === 'validation') return (outcome.msgId?.length ?? 0) <= MAX_MSG_ID_LENGTH;
        const { msgId, content, customProps } = outcome.request;
        return (
          msgId.length <= MAX_MSG_ID_LENGTH &&
          (content.kind !== 'template' || content.name.length <= 512) &&
          Object.keys(customProps ?? {}).length <= CUSTOM_PROPS_LIMITS.maxEntries &&
          Object.entries(customProps ?? {}).every(([key, value]) => key.length <= CUSTOM_PROPS_LIMITS.maxKeyLength && value.length <= CUSTOM_PROPS_LIMITS.maxValueLength)
        );
      }),
      { numRuns: 1_500, seed: 20261204 },
    );
  });

  it('survives inputs JSON cannot produce (throwing getters, odd options)', () => {
    const hostile = templateSend();
    Object.defineProperty(hostile, 'to', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(parseSendRequest(hostile)).toEqual({ kind: 'rejected', code: 2004, message: UNPARSEABLE_REQUEST_MESSAGE });
    expect(parseSendRequest(templateSend(), null as unknown as ParseOptions).kind).toBe('message');
    expect(parseSendRequest(Object.create(null)).kind).toBe('rejected');
    expect(parseSendRequest(new Date()).kind).toBe('rejected');
    expect(parseSendRequest(10n).kind).toBe('rejected');
  });

  it('survives deep nesting, and nesting too deep to serialise in customProps', () => {
    let deep: unknown = templateSend();
    for (let i = 0; i < 10000; i++) deep = { components: [deep], header: { text: deep } };
    expectWellFormed(parseSendRequest(deep));

    let tooDeep: unknown = 'leaf';
    for (let i = 0; i < 200000; i++) tooDeep = [tooDeep];
    const outcome = parseSendRequest(templateSend({ customProps: [{ fine: 'yes', deep: tooDeep }] }));
    expect(outcome.kind === 'message' && outcome.request.customProps).toEqual({ fine: 'yes' });
  });
});
