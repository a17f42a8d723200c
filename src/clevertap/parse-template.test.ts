import { describe, it, expect } from 'vitest';
import type { TemplateContent } from '../domain/message.js';
import { parseSendRequest, type ParseOptions } from './parse-send-request.js';
import { MAX_LANGUAGE_LENGTH, MAX_TEMPLATE_NAME_LENGTH } from './parse-template.js';

function send(components: unknown[], template: unknown = { namespace: 'welcome', languageCode: 'en' }) {
  return { to: '919999999999', wabaNumber: '919888888888', isTemplate: true, msgId: 'm|1', template, components };
}

function template(components: unknown[], templateField?: unknown, options?: ParseOptions): TemplateContent {
  const outcome = parseSendRequest(send(components, templateField), options);
  if (outcome.kind !== 'message' || outcome.request.content.kind !== 'template') {
    throw new Error(`expected a template, got ${JSON.stringify(outcome)}`);
  }
  return outcome.request.content;
}

function rejection(components: unknown[], templateField?: unknown) {
  const outcome = parseSendRequest(send(components, templateField));
  if (outcome.kind !== 'rejected') throw new Error(`expected a rejection, got ${JSON.stringify(outcome)}`);
  return { code: outcome.code, message: outcome.message };
}

const body = (...params: unknown[]) => ({ type: 'body', body: { text: 'rendered', parameters: params.map((text) => ({ type: 'text', text })) } });
const button = (subType: string, extra: Record<string, unknown> = {}) => ({ type: 'button', index: 0, buttonText: 'B', subType, ...extra });

describe('template identity', () => {
  it('requires template.namespace', () => {
    expect(rejection([], { languageCode: 'en' })).toEqual({ code: 2001, message: 'template.namespace is missing' });
    expect(rejection([], { namespace: '  ', languageCode: 'en' })).toEqual({
      code: 2001,
      message: 'template.namespace must be a non-empty string, got "  "',
    });
    expect(rejection([], 'welcome')).toEqual({ code: 2001, message: 'template must be an object, got "welcome"' });
  });

  it('refuses a namespace longer than any Meta template name, without quoting it back', () => {
    const longest = 'n'.repeat(MAX_TEMPLATE_NAME_LENGTH);
    expect(template([], { namespace: ` ${longest} `, languageCode: 'en' }).name).toBe(longest);
    const refused = rejection([], { namespace: 'a'.repeat(100_000), languageCode: 'en' });
    expect(refused).toEqual({ code: 2001, message: `template.namespace is 100000 characters long; Meta's template names have at most ${MAX_TEMPLATE_NAME_LENGTH}` });
  });

  it('refuses a language code longer than any spelling of a language, quoting only its start', () => {
    expect(template([], { namespace: 'welcome', languageCode: 'x'.repeat(MAX_LANGUAGE_LENGTH) }).language).toBe('x'.repeat(MAX_LANGUAGE_LENGTH));
    const refused = rejection([], { namespace: 'welcome', languageCode: 'x'.repeat(50_000) });
    expect(refused.code).toBe(2001);
    expect(refused.message.length).toBeLessThan(200);
  });

  it('keeps the namespace as the template name, trimmed', () => {
    expect(template([], { namespace: ' Namespace:sample ', languageCode: 'en' }).name).toBe('Namespace:sample');
  });

  it('requires and normalises languageCode (spec §7.6)', () => {
    expect(rejection([], { namespace: 'n' })).toEqual({ code: 2001, message: 'template.languageCode is missing' });
    expect(template([], { namespace: 'n', languageCode: 'en(uk)' }).language).toBe('en_GB');
    expect(template([], { namespace: 'n', languageCode: 'pt(BR)' }).language).toBe('pt_BR');
    expect(template([], { namespace: 'n', languageCode: 'en-us' }).language).toBe('en_US');
    expect(template([], { namespace: 'n', languageCode: 'bg' }).language).toBe('bg');
  });

  it('applies the tenant language overrides', () => {
    const content = template([], { namespace: 'n', languageCode: 'en(uk)' }, { languageOverrides: { 'en(UK)': 'en' } });
    expect(content.language).toBe('en');
  });

  it('accepts a template without components (no variables)', () => {
    expect(template([]).bodyParams).toEqual([]);
    const outcome = parseSendRequest({ ...send([]), components: undefined });
    expect(outcome).toMatchObject({ kind: 'message', request: { content: { bodyParams: [], buttons: [] } } });
  });

  it('rejects components that are not an array', () => {
    const outcome = parseSendRequest({ ...send([]), components: { type: 'body' } });
    expect(outcome).toEqual({ kind: 'rejected', code: 2001, message: 'components must be an array, got an object' });
  });
});

describe('headers (spec §1.3, §7.11)', () => {
  it('reads text header parameters', () => {
    const header = { type: 'header', header: { type: 'text', text: { text: 'Hi 7', parameters: [{ type: 'text', text: 7 }] } } };
    expect(template([header]).header).toEqual({ type: 'text', params: ['7'] });
  });

  it('accepts a static text header', () => {
    expect(template([{ type: 'header', header: { type: 'text', text: 'Welcome' } }]).header).toEqual({ type: 'text', params: [] });
  });

  it.each(['file', 'document'])('turns a %s header into a document with its filename', (key) => {
    const header = { type: 'header', header: { type: key, [key]: { mediaURL: 'https://x.example/a.pdf', filename: 'New_offer' } } };
    expect(template([header]).header).toEqual({ type: 'document', media: { link: 'https://x.example/a.pdf' }, filename: 'New_offer' });
  });

  it('tolerates type file with a document object', () => {
    const header = { type: 'header', header: { type: 'file', document: { mediaURL: 'https://x.example/a.pdf' } } };
    expect(template([header]).header).toEqual({ type: 'document', media: { link: 'https://x.example/a.pdf' } });
  });

  it('infers the header type from its content key, and the component type from its header key', () => {
    expect(template([{ header: { video: { mediaURL: 'https://x.example/v.mp4' } } }]).header).toEqual({
      type: 'video',
      media: { link: 'https://x.example/v.mp4' },
    });
  });

  it('accepts mediaUrl / url / link spellings', () => {
    for (const key of ['mediaUrl', 'media_url', 'url', 'link']) {
      const header = { type: 'header', header: { type: 'image', image: { [key]: 'https://x.example/i.png' } } };
      expect(template([header]).header).toEqual({ type: 'image', media: { link: 'https://x.example/i.png' } });
    }
  });

  it('prepends https:// to scheme-less media URLs', () => {
    const header = { type: 'header', header: { type: 'image', image: { mediaURL: ' example.com/image.png ' } } };
    expect(template([header]).header).toEqual({ type: 'image', media: { link: 'https://example.com/image.png' } });
    const protocolRelative = { type: 'header', header: { type: 'image', image: { mediaURL: '//cdn.example.com/i.png' } } };
    expect(template([protocolRelative]).header).toEqual({ type: 'image', media: { link: 'https://cdn.example.com/i.png' } });
  });

  it('keeps http:// media URLs as given', () => {
    const header = { type: 'header', header: { type: 'video', video: { mediaURL: 'http://example.com/video.mp4' } } };
    expect(template([header]).header).toEqual({ type: 'video', media: { link: 'http://example.com/video.mp4' } });
  });

  it.each([
    ['httpa://hatrabbits.com/random.jpg', 'components[0].header.image.mediaURL "httpa://hatrabbits.com/random.jpg" has unsupported scheme "httpa"; use http or https'],
    ['ftp://x.example/i.png', 'components[0].header.image.mediaURL "ftp://x.example/i.png" has unsupported scheme "ftp"; use http or https'],
    ['', 'components[0].header.image.mediaURL is empty'],
    ['https://', 'components[0].header.image.mediaURL "https://" is not a valid URL'],
  ])('rejects media URL %j with 2001', (url, message) => {
    const header = { type: 'header', header: { type: 'image', image: { mediaURL: url } } };
    expect(rejection([header])).toEqual({ code: 2001, message });
  });

  it('names the missing media field', () => {
    expect(rejection([{ type: 'header', header: { type: 'image', image: {} } }])).toEqual({
      code: 2001,
      message: 'components[0].header.image.mediaURL is missing',
    });
    expect(rejection([body(), { type: 'header', header: { type: 'video' } }])).toEqual({
      code: 2001,
      message: 'components[1].header.video is missing',
    });
  });

  it('reads a location header from numbers or strings; name and address optional', () => {
    const numbers = { type: 'header', header: { type: 'location', location: { latitude: 40.7128, longitude: -74.006 } } };
    expect(template([numbers]).header).toEqual({ type: 'location', latitude: 40.7128, longitude: -74.006 });
    const variants = { type: 'header', header: { type: 'location', location: { lattitude: '12.5', Longitude: ' 77.1 ', address: 'MG Road' } } };
    expect(template([variants]).header).toEqual({ type: 'location', latitude: 12.5, longitude: 77.1, address: 'MG Road' });
  });

  it('rejects unusable coordinates', () => {
    const bad = { type: 'header', header: { type: 'location', location: { latitude: '$$latitude', longitude: '74' } } };
    expect(rejection([bad])).toEqual({
      code: 2001,
      message: 'components[0].header.location.latitude "$$latitude" is not a valid latitude',
    });
    const outOfRange = { type: 'header', header: { type: 'location', location: { latitude: 10, longitude: 181 } } };
    expect(rejection([outOfRange]).message).toBe('components[0].header.location.longitude 181 is not a valid longitude');
    const missing = { type: 'header', header: { type: 'location', location: { latitude: 10 } } };
    expect(rejection([missing]).message).toBe('components[0].header.location.longitude is missing');
  });

  it('rejects audio headers, unknown header types and a second header', () => {
    expect(rejection([{ type: 'header', header: { type: 'audio', audio: { mediaURL: 'https://x.example/a.mp3' } } }])).toEqual({
      code: 2001,
      message: 'components[0].header: audio headers are not supported by WhatsApp',
    });
    expect(rejection([{ type: 'header', header: { type: 'gif' } }]).message).toBe(
      'components[0].header.type "gif" is not supported; expected text, image, video, file, document or location',
    );
    const image = { type: 'header', header: { type: 'image', image: { mediaURL: 'https://x.example/i.png' } } };
    expect(rejection([image, body(), image]).message).toBe(
      'components[2] is a second header component (the first is components[0]); a template has at most one',
    );
  });
});

describe('body (spec §7.12)', () => {
  it('keeps parameters in order and stringifies numbers', () => {
    expect(template([body('Ana', 42, '0')]).bodyParams).toEqual(['Ana', '42', '0']);
  });

  it('accepts Meta-style parameters on the component and a rendered-only body', () => {
    expect(template([{ type: 'body', parameters: [{ type: 'text', text: 'x' }] }]).bodyParams).toEqual(['x']);
    expect(template([{ type: 'body', body: 'Hello there' }]).bodyParams).toEqual([]);
  });

  it('matches component types case-insensitively', () => {
    expect(template([{ type: 'BODY', body: { parameters: [{ type: 'text', text: 'y' }] } }]).bodyParams).toEqual(['y']);
  });

  it('names the broken parameter', () => {
    expect(rejection([{ type: 'body', body: { parameters: [{ type: 'text', text: 'a' }, { type: 'text' }] } }])).toEqual({
      code: 2001,
      message: 'components[0].body.parameters[1].text is missing',
    });
    expect(rejection([{ type: 'body', body: { parameters: [{ type: 'text', text: { a: 1 } }] } }]).message).toBe(
      'components[0].body.parameters[0].text must be a string, got an object',
    );
    expect(rejection([{ type: 'body', body: { parameters: 'Ana' } }]).message).toBe(
      'components[0].body.parameters must be an array, got "Ana"',
    );
  });
});

describe('footer and unknown components (spec §7.7, §7.10)', () => {
  it('drops footers in both spellings and ignores unknown components', () => {
    const content = template([
      body('a'),
      { type: 'footer', footer: 'Please reply "stop" to optout' },
      { type: 'footer', footertext: 'this is footer' },
      { type: 'sticker_pack', whatever: true },
      null,
      'junk',
    ]);
    expect(content).toEqual({ kind: 'template', name: 'welcome', language: 'en', bodyParams: ['a'], buttons: [] });
  });
});

describe('buttons (spec §7.8)', () => {
  it.each(['dynamicUrl', 'dynamic_url', 'DYNAMICURL', 'Dynamic-Url'])('reads %s as a URL button', (subType) => {
    const content = template([button(subType, { parameters: [{ type: 'text', text: 'cart' }] })]);
    expect(content.buttons).toEqual([{ kind: 'url', index: 0, value: 'cart' }]);
  });

  it('keeps the dynamic value as given (full URL, unrendered placeholder, number)', () => {
    const content = template([
      button('dynamicUrl', { parameters: [{ type: 'text', text: 'https://www.clevertap.com/{{1}}' }] }),
      button('dynamicUrl', { parameters: [{ type: 'text', text: 0 }] }),
    ]);
    expect(content.buttons).toEqual([
      { kind: 'url', index: 0, value: 'https://www.clevertap.com/{{1}}' },
      { kind: 'url', index: 1, value: '0' },
    ]);
  });

  it('requires a dynamic URL value', () => {
    expect(rejection([button('dynamicUrl')])).toEqual({ code: 2001, message: 'components[0].parameters[0].text is missing' });
    expect(rejection([button('dynamicUrl', { parameters: [{ type: 'text', text: ' ' }] })]).message).toBe(
      'components[0].parameters[0].text is empty',
    );
  });

  it.each([
    ['staticUrl', 'staticUrl'],
    ['static_url', 'staticUrl'],
    ['callPhone', 'callPhone'],
    ['call_phone', 'callPhone'],
  ])('keeps %s as a static button', (subType, canonical) => {
    const content = template([button(subType, { parameters: [{ type: 'text', text: 'https://x.example' }] })]);
    expect(content.buttons).toEqual([{ kind: 'static', index: 0, subType: canonical }]);
  });

  it.each(['quickReply', 'Quickreply', 'quick_reply', 'QUICK_REPLY'])('reads %s as a quick reply without payload', (subType) => {
    expect(template([button(subType)]).buttons).toEqual([{ kind: 'quick_reply', index: 0 }]);
  });

  it('prefers an explicit payload parameter', () => {
    const content = template([
      button('quickReply', { parameters: [{ type: 'text', text: 'Yes' }, { type: 'payload', payload: '25596363|click' }] }),
    ]);
    expect(content.buttons).toEqual([{ kind: 'quick_reply', index: 0, payload: '25596363|click' }]);
  });

  it.each([
    [{ type: 'coupon_code', coupon_code: 'SAVE10' }, 'SAVE10'],
    [{ type: 'text', text: 'SAVE20' }, 'SAVE20'],
    [{ type: 'coupon_code', couponCode: 'SAVE30' }, 'SAVE30'],
  ])('reads a copy code from %j', (parameter, code) => {
    for (const subType of ['copy_code', 'copyCode']) {
      expect(template([button(subType, { parameters: [parameter] })]).buttons).toEqual([
        { kind: 'copy_code', index: 0, couponCode: code },
      ]);
    }
  });

  it('rejects a copy-code button without a code, naming the field', () => {
    expect(rejection([body('a'), button('click'), button('copy_code')]).message).toBe(
      'components[1].subType "click" is not a supported button type; expected dynamicUrl, staticUrl, callPhone, quickReply or copy_code',
    );
    expect(rejection([body('a'), button('quickReply'), button('copy_code', { parameters: [{ type: 'coupon_code' }] })])).toEqual({
      code: 2001,
      message: 'components[2].parameters[0].coupon_code is missing',
    });
  });

  it('rejects a button without subType', () => {
    expect(rejection([{ type: 'button', index: 0 }])).toEqual({ code: 2001, message: 'components[0].subType is missing' });
  });

  it('indexes buttons zero-based by order of appearance, whatever index CleverTap sent', () => {
    const content = template([
      body('a'),
      button('quickReply', { index: 1 }),
      { type: 'footer', footer: 'f' },
      button('quickReply', { index: '1' }),
      button('staticUrl', { index: 'three' }),
      button('dynamicUrl', { index: 7, parameters: [{ type: 'text', text: 's' }] }),
    ]);
    expect(content.buttons.map((b) => [b.kind, b.index])).toEqual([
      ['quick_reply', 0],
      ['quick_reply', 1],
      ['static', 2],
      ['url', 3],
    ]);
  });
});

describe('limited-time offer', () => {
  const offer = (expiration: unknown) => ({
    type: 'limited_time_offer',
    text: 'Buy 1 Get 1 Free',
    parameters: [{ type: 'limited_time_offer', limited_time_offer: { expiration_time_ms: expiration } }],
  });

  it('reads the expiry as a number or numeric string', () => {
    expect(template([offer(1712081380237)]).limitedTimeOffer).toEqual({ expirationTimeMs: 1712081380237 });
    expect(template([offer('1712081380237')]).limitedTimeOffer).toEqual({ expirationTimeMs: 1712081380237 });
  });

  it('accepts an offer without expiry', () => {
    expect(template([offer(undefined)]).limitedTimeOffer).toEqual({});
    expect(template([{ type: 'limited_time_offer', text: 'Sale' }]).limitedTimeOffer).toEqual({});
  });

  it('rejects an unusable expiry', () => {
    expect(rejection([offer('tomorrow')]).message).toBe(
      'components[0].parameters[0].limited_time_offer.expiration_time_ms "tomorrow" is not an epoch time in milliseconds',
    );
  });
});

describe('carousel', () => {
  const card = (...components: unknown[]) => ({ components });

  it('parses each card and restarts button indexes per card', () => {
    const content = template([
      body('main'),
      {
        type: 'carousel',
        cards: [
          card(
            { type: 'header', header: { type: 'video', video: { mediaURL: 'cdn.example.com/1.mp4' } } },
            body('c1'),
            button('quickReply'),
            button('dynamicUrl', { parameters: [{ type: 'text', text: 'a' }] }),
          ),
          card(body('c2'), button('quick_reply', { parameters: [{ type: 'payload', payload: 'p2' }] })),
        ],
      },
    ]);
    expect(content.bodyParams).toEqual(['main']);
    expect(content.carousel).toEqual([
      {
        header: { type: 'video', media: { link: 'https://cdn.example.com/1.mp4' } },
        bodyParams: ['c1'],
        buttons: [
          { kind: 'quick_reply', index: 0 },
          { kind: 'url', index: 1, value: 'a' },
        ],
      },
      { bodyParams: ['c2'], buttons: [{ kind: 'quick_reply', index: 0, payload: 'p2' }] },
    ]);
  });

  it('names the card and component in errors', () => {
    const broken = { type: 'carousel', cards: [card(body('ok')), card(body('ok'), button('copy_code'))] };
    expect(rejection([broken]).message).toBe('components[0].cards[1].components[1].parameters[0].coupon_code is missing');
  });

  it('requires cards', () => {
    expect(rejection([{ type: 'carousel' }]).message).toBe('components[0].cards is missing');
    expect(rejection([{ type: 'carousel', cards: [] }]).message).toBe('components[0].cards is empty');
    expect(rejection([{ type: 'carousel', cards: ['x'] }]).message).toBe('components[0].cards[0] must be an object, got "x"');
  });
});
