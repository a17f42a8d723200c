import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSendRequest } from '../clevertap/parse-send-request.js';
import type { TemplateContent } from '../domain/message.js';
import type { TemplateDefinition } from '../domain/template.js';
import { DEFAULT_TEMPLATES } from '../sim/meta/default-templates.js';
import { projectTemplate, TemplateStore } from '../sim/meta/templates.js';
import { parseTemplateDefinition } from '../whatsapp/template-definitions.js';
import {
  preflightTemplate,
  resolveTemplateLanguage,
  TemplateIndex,
  type PreflightResult,
} from './template-preflight.js';

const FIXTURES = new URL('../../test/fixtures/clevertap/requests/', import.meta.url);

function definitionsFrom(seeds: ConstructorParameters<typeof TemplateStore>[0]): TemplateDefinition[] {
  return new TemplateStore(seeds).all().map((t) => {
    const parsed = parseTemplateDefinition(projectTemplate(t, undefined));
    if ('error' in parsed) throw new Error(parsed.error);
    return parsed;
  });
}

const DEFINITIONS = definitionsFrom(DEFAULT_TEMPLATES);
const index = new TemplateIndex(DEFINITIONS);

function fixture(name: string): TemplateContent {
  const outcome = parseSendRequest(JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')));
  if (outcome.kind !== 'message' || outcome.request.content.kind !== 'template') {
    throw new Error(`${name} is not a template send: ${JSON.stringify(outcome)}`);
  }
  return outcome.request.content;
}

function ok(result: PreflightResult): Extract<PreflightResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected ok, got: ${result.message}`);
  return result;
}

function failure(content: TemplateContent, options?: { clickTracking?: boolean }): string {
  const result = preflightTemplate(content, index, options);
  if (result.ok) throw new Error(`expected a failure for ${JSON.stringify(content)}`);
  return result.message;
}

describe('resolveTemplateLanguage', () => {
  it.each<[string, string[], string | undefined]>([
    ['en', ['en'], 'en'],
    ['en_US', ['en', 'en_US'], 'en_US'],
    ['en(UK)', ['en_GB', 'en_US'], 'en_GB'],
    ['en(uk)', ['en_GB'], 'en_GB'],
    ['en-gb', ['en_GB'], 'en_GB'],
    ['pt(BR)', ['pt_PT', 'pt_BR'], 'pt_BR'],
    ['EN', ['en'], 'en'],
    ['en_US', ['en', 'en_GB'], 'en'],
    ['en(us)', ['en'], 'en'],
    ['en', ['en_US'], 'en_US'],
    ['en', ['en_US', 'fr'], 'en_US'],
    ['en', ['en_US', 'en_GB'], undefined],
    ['en_US', ['en_GB'], undefined],
    ['fr', ['en', 'en_US'], undefined],
    ['uk', ['en_GB'], undefined],
    ['es(419)', ['es', 'es_419'], 'es_419'],
    ['en', [], undefined],
  ])('%j among %j → %j', (requested, available, expected) => {
    expect(resolveTemplateLanguage(requested, available)).toBe(expected);
  });
});

describe('TemplateIndex', () => {
  it('finds by exact name, then case-insensitively', () => {
    expect(index.find('Sample_Template', 'en_GB')).toMatchObject({ definition: { id: '1387372356726609' } });
    expect(index.find('ORDER_READY', 'en_GB')).toMatchObject({ definition: { name: 'order_ready' } });
  });

  it('resolves the language and says which exist when none fits', () => {
    expect(index.find('hello_world', 'en')).toMatchObject({ definition: { language: 'en_US' } });
    expect(index.find('order_ready', 'fr')).toEqual({ missing: 'language', available: ['en_GB'] });
    expect(index.find('nope', 'en')).toEqual({ missing: 'name' });
  });

  it('prefers the APPROVED copy of a duplicated name and language', () => {
    const [paused, approved] = definitionsFrom([
      { id: '1', name: 'dup', language: 'en', status: 'PAUSED', components: [] },
      { id: '2', name: 'dup2', language: 'en', components: [] },
    ]);
    const twin = { ...(approved as TemplateDefinition), name: 'dup' };
    expect(new TemplateIndex([paused as TemplateDefinition, twin]).find('dup', 'en')).toMatchObject({ definition: { id: '2' } });
  });
});

describe('preflightTemplate: every template fixture against the default templates', () => {
  const names = readdirSync(FIXTURES).filter((f) => f.startsWith('template-'));

  it('has the expected fixtures', () => {
    expect(names.length).toBeGreaterThanOrEqual(11);
  });

  it.each(names)('%s is accepted', (name) => {
    const result = ok(preflightTemplate(fixture(name), index));
    expect(result.unvalidated).toBeUndefined();
    expect(result.definition?.status).toBe('APPROVED');
  });

  it('multi-button: the whole dynamic URL is reduced to the suffix; static and quick replies untouched', () => {
    const content = fixture('template-file-header-multi-button.json');
    const result = ok(preflightTemplate(content, index));
    expect(result.urlButtonBases).toEqual({ 1: 'https://shop.example.com/' });
    expect(result.content.buttons).toEqual([
      { kind: 'copy_code', index: 0, couponCode: 'SAMPLECODE' },
      { kind: 'url', index: 1, value: 'app/summer' },
      { kind: 'static', index: 2, subType: 'staticUrl' },
      { kind: 'quick_reply', index: 3 },
      { kind: 'quick_reply', index: 4 },
      { kind: 'quick_reply', index: 5 },
    ]);
    // The input is not mutated.
    expect(content.buttons[1]).toEqual({ kind: 'url', index: 1, value: 'https://shop.example.com/app/summer' });
  });

  it('content that needs no rewrite comes back as the same object', () => {
    const content = fixture('template-image-dynamic-url.json');
    const result = ok(preflightTemplate(content, index));
    expect(result.content).toBe(content);
    expect(result.urlButtonBases).toEqual({ 0: 'https://shop.example.com/' });
  });

  it('en(UK) reaches the en_GB template; the name is sent as synced', () => {
    const result = ok(preflightTemplate(fixture('template-plus-numbers-en-UK.json'), index));
    expect(result.content).toMatchObject({ name: 'Sample_Template', language: 'en_GB' });
    const lowered = ok(preflightTemplate({ ...fixture('template-body-footertext.json'), name: 'Order_Ready', language: 'en' }, index));
    expect(lowered.content).toMatchObject({ name: 'order_ready', language: 'en_GB' });
  });

  it('a bare language resolves to the only regional variant', () => {
    const result = ok(preflightTemplate({ ...fixture('template-video-header.json'), language: 'en' }, index));
    expect(result.content.language).toBe('en_US');
  });

  it('without an index nothing is checked', () => {
    const content = fixture('template-carousel.json');
    expect(preflightTemplate(content, undefined)).toEqual({ ok: true, content, urlButtonBases: {}, unvalidated: true });
  });
});

describe('preflightTemplate: each mismatch has its own message', () => {
  const multi = () => fixture('template-file-header-multi-button.json');

  it('unknown template', () => {
    expect(failure({ ...multi(), name: 'no_such' })).toBe('template "no_such" (en) does not exist');
  });

  it('unknown language, naming the ones that exist', () => {
    expect(failure({ ...multi(), language: 'fr' })).toBe('template "multi_button_offer" (fr) does not exist; it exists in: en');
  });

  it.each([
    ['paused_promo', 'PAUSED'],
    ['disabled_promo', 'DISABLED'],
    ['pending_welcome', 'PENDING'],
  ])('%s is %s', (name, status) => {
    const content: TemplateContent = { kind: 'template', name, language: 'en', bodyParams: ['Ana'], buttons: [] };
    expect(failure(content)).toBe(`template "${name}" (en) is ${status}`);
  });

  it('wrong body count', () => {
    expect(failure({ ...fixture('template-text-header.json'), bodyParams: ['Ana'] })).toBe(
      'body of template "order_shipped" (en) takes 2 parameters, got 1',
    );
    expect(failure({ ...multi(), bodyParams: [] })).toBe('body of template "multi_button_offer" (en) takes 1 parameter, got 0');
  });

  it('wrong header count', () => {
    expect(failure({ ...fixture('template-text-header.json'), header: { type: 'text', params: ['1', '2'] } })).toBe(
      'header of template "order_shipped" (en) takes 1 parameter, got 2',
    );
    const { header: _header, ...noHeader } = fixture('template-text-header.json');
    expect(failure(noHeader)).toBe('header of template "order_shipped" (en) takes 1 parameter, got 0');
  });

  it('missing or wrong media header', () => {
    const { header: _header, ...noHeader } = multi();
    expect(failure(noHeader)).toBe('template "multi_button_offer" (en) requires a document header, got none');
    expect(failure({ ...multi(), header: { type: 'image', media: { link: 'https://x/y.png' } } })).toBe(
      'header of template "multi_button_offer" (en) must be a document, got an image',
    );
    expect(failure({ ...fixture('template-quick-reply-payload.json'), header: { type: 'video', media: { link: 'https://x/v.mp4' } } })).toBe(
      'template "confirm_visit" (en) has no header, got a video header',
    );
  });

  it('a whole URL that does not start with the base names both', () => {
    const content = multi();
    content.buttons[1] = { kind: 'url', index: 1, value: 'https://evil.example.com/app/summer' };
    expect(failure(content)).toBe(
      'the URL "https://evil.example.com/app/summer" for button 2 ("Visit App") of template "multi_button_offer" (en) does not start with the template\'s base URL "https://shop.example.com/"',
    );
  });

  it('a foreign whole URL is kept whole when the account tracks clicks', () => {
    const content = multi();
    content.buttons[1] = { kind: 'url', index: 1, value: 'https://dest.example.org/sale' };
    const result = ok(preflightTemplate(content, index, { clickTracking: true }));
    expect(result.content.buttons[1]).toEqual({ kind: 'url', index: 1, value: 'https://dest.example.org/sale' });
  });

  it('a URL parameter with a line break or other control character is refused, tracked or not', () => {
    for (const value of ['summer\r\nSet-Cookie: a=b', 'https://dest.example.org/x\ny', 'https://shop.example.com/a\u0000b']) {
      const content = multi();
      content.buttons[1] = { kind: 'url', index: 1, value };
      for (const clickTracking of [false, true]) {
        const result = preflightTemplate(content, index, { clickTracking });
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.message).toBe('the URL parameter for button 2 ("Visit App") of template "multi_button_offer" (en) contains a control character (e.g. a line break)');
      }
    }
  });

  it('a URL that is only the base has no suffix to send', () => {
    const content = multi();
    content.buttons[1] = { kind: 'url', index: 1, value: 'https://shop.example.com/' };
    expect(failure(content)).toBe(
      'the URL for button 2 ("Visit App") of template "multi_button_offer" (en) is only its base "https://shop.example.com/", with no suffix',
    );
  });

  it('coupon code too long', () => {
    const content = multi();
    content.buttons[0] = { kind: 'copy_code', index: 0, couponCode: 'SIXTEEN-CHARS-XX' };
    expect(failure(content)).toBe(
      'the coupon code of button 1 ("Copy offer code") of template "multi_button_offer" (en) has 16 characters, at most 15 are allowed',
    );
  });

  it('a required button parameter missing, a wrong button kind, and a button the template does not have', () => {
    const missing = multi();
    missing.buttons = missing.buttons.filter((b) => b.index !== 1);
    expect(failure(missing)).toBe('button 2 ("Visit App") of template "multi_button_offer" (en) takes 1 parameter, got none');

    const wrongKind = multi();
    wrongKind.buttons[3] = { kind: 'static', index: 3, subType: 'staticUrl' };
    expect(failure(wrongKind)).toBe('button 4 ("Show more") of template "multi_button_offer" (en) is a quick-reply button, got a static URL');

    const extra = multi();
    extra.buttons.push({ kind: 'quick_reply', index: 6 });
    expect(failure(extra)).toBe('template "multi_button_offer" (en) has 6 buttons, got a quick reply button at position 7');
  });

  it('static URL and phone buttons need no parameter; the template URL sent as dynamic is dropped', () => {
    const content = multi();
    content.buttons[2] = { kind: 'url', index: 2, value: 'https://shop.example.com/' };
    expect(ok(preflightTemplate(content, index)).content.buttons[2]).toEqual({ kind: 'static', index: 2, subType: 'staticUrl' });
    content.buttons[2] = { kind: 'url', index: 2, value: 'https://elsewhere.example.com' };
    expect(failure(content)).toBe(
      'button 3 ("Check Out Now") of template "multi_button_offer" (en) is a static URL (https://shop.example.com) and takes no parameter, got "https://elsewhere.example.com"',
    );
    const lto = fixture('template-limited-time-offer.json');
    lto.buttons = lto.buttons.filter((b) => b.index !== 2 && b.index !== 3);
    expect(preflightTemplate(lto, index).ok).toBe(true);
  });

  it('an offer with expiration requires expirationTimeMs; one without drops it', () => {
    expect(failure({ ...fixture('template-limited-time-offer.json'), limitedTimeOffer: {} })).toBe(
      'the limited-time offer of template "lto_diwali" (en) has an expiration and needs expirationTimeMs, got none',
    );
    const noExpiry = new TemplateIndex(
      definitionsFrom([
        {
          name: 'lto_plain',
          language: 'en',
          components: [{ type: 'LIMITED_TIME_OFFER', limited_time_offer: { text: 'Sale', has_expiration: false } }, { type: 'BODY', text: 'Hi' }],
        },
      ]),
    );
    const sent: TemplateContent = { kind: 'template', name: 'lto_plain', language: 'en', bodyParams: [], buttons: [], limitedTimeOffer: { expirationTimeMs: 1 } };
    const result = ok(preflightTemplate(sent, noExpiry));
    expect(result.content).not.toHaveProperty('limitedTimeOffer');
  });

  it('carousel card count and card contents', () => {
    const carousel = fixture('template-carousel.json');
    expect(failure({ ...carousel, carousel: carousel.carousel?.slice(0, 1) })).toBe(
      'the carousel of template "carousel_test_1" (en) has 2 cards, got 1',
    );
    const { carousel: _cards, ...flat } = carousel;
    expect(failure(flat)).toBe('the carousel of template "carousel_test_1" (en) has 2 cards, got 0');

    const cards = structuredClone(carousel.carousel ?? []);
    (cards[1] ?? { bodyParams: [] }).bodyParams = ['only one'];
    expect(failure({ ...carousel, carousel: cards })).toBe('body of card 2 of template "carousel_test_1" (en) takes 2 parameters, got 1');

    expect(failure({ ...fixture('template-quick-reply-payload.json'), carousel: carousel.carousel ?? [] })).toBe(
      'template "confirm_visit" (en) is not a carousel, got 2 cards',
    );
  });

  it('carousel card URLs are reduced against the card button base', () => {
    const carousel = fixture('template-carousel.json');
    const cards = structuredClone(carousel.carousel ?? []);
    const card = cards[0];
    if (!card) throw new Error('no card');
    card.buttons[1] = { kind: 'url', index: 1, value: 'https://shop.example.com/d/spring' };
    const result = ok(preflightTemplate({ ...carousel, carousel: cards }, index));
    expect(result.content.carousel?.[0]?.buttons[1]).toEqual({ kind: 'url', index: 1, value: 'spring' });
    expect(result.content.carousel?.[1]).toBe(cards[1]);
    expect(result.urlButtonBases).toEqual({});
  });

  it('NAMED templates get the parameter names in the order of the template text', () => {
    const content: TemplateContent = {
      kind: 'template',
      name: 'order_confirmation_named',
      language: 'en_US',
      header: { type: 'text', params: ['4411'] },
      bodyParams: ['Ana', '4411', 'Monday'],
      buttons: [],
    };
    const result = ok(preflightTemplate(content, index));
    const validated = result.content;
    expect(validated.headerParamNames).toEqual(['order_id']);
    expect(validated.bodyParamNames).toEqual(['first_name', 'order_id', 'delivery_date']);
    expect(validated.bodyParams).toEqual(['Ana', '4411', 'Monday']);

    // The text decides the order, not the order of the examples.
    const reordered = new TemplateIndex(
      definitionsFrom([
        {
          name: 'named_two',
          language: 'en',
          parameter_format: 'NAMED',
          components: [
            {
              type: 'BODY',
              text: 'Dear {{last}}, {{first}}',
              example: { body_text_named_params: [{ param_name: 'first', example: 'A' }, { param_name: 'last', example: 'B' }] },
            },
          ],
        },
      ]),
    );
    const named = ok(preflightTemplate({ kind: 'template', name: 'named_two', language: 'en', bodyParams: ['Lovelace', 'Ada'], buttons: [] }, reordered));
    expect(named.content.bodyParamNames).toEqual(['last', 'first']);
  });
});

describe('preflightTemplate: speed', () => {
  it('100k preflights of the multi-button fixture', () => {
    const content = fixture('template-file-header-multi-button.json');
    const runs = 100_000;
    let suffix = '';
    const started = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) {
      const result = preflightTemplate(content, index);
      if (result.ok) {
        const button = result.content.buttons[1];
        if (button?.kind === 'url') suffix = button.value;
      }
    }
    const micros = Number(process.hrtime.bigint() - started) / 1000 / runs;
    console.info(`preflightTemplate(multi-button): ${micros.toFixed(3)} µs/op over ${runs} runs`);
    expect(suffix).toBe('app/summer');
  });
});
