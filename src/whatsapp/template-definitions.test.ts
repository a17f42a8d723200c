import { describe, expect, it } from 'vitest';
import type { TemplateDefinition } from '../domain/template.js';
import { DEFAULT_TEMPLATES } from '../sim/meta/default-templates.js';
import { listTemplates, projectTemplate, TemplateStore } from '../sim/meta/templates.js';
import { parseTemplateDefinition, parseTemplateListPage } from './template-definitions.js';

/** The simulator's listing of its default store: the exact JSON a sync receives from Graph. */
const store = new TemplateStore(DEFAULT_TEMPLATES);
const graphItems = store.all().map((t) => projectTemplate(t, undefined));

function definition(name: string): TemplateDefinition {
  const item = graphItems.find((t) => t['name'] === name);
  if (!item) throw new Error(`no default template ${name}`);
  const parsed = parseTemplateDefinition(item);
  if ('error' in parsed) throw new Error(parsed.error);
  expect(parsed.raw).toBe(item);
  return parsed;
}

/** The definition without `raw`, which is checked once above. */
function shape(name: string): Omit<TemplateDefinition, 'raw'> {
  const { raw: _raw, ...rest } = definition(name);
  return rest;
}

describe('parseTemplateDefinition: every default simulator template', () => {
  it('parses all of them', () => {
    expect(graphItems).toHaveLength(DEFAULT_TEMPLATES.length);
    for (const item of graphItems) expect(parseTemplateDefinition(item)).not.toHaveProperty('error');
  });

  it('hello_world: static text header, no parameters anywhere', () => {
    expect(shape('hello_world')).toEqual({
      id: '1387372356726601',
      name: 'hello_world',
      language: 'en_US',
      status: 'APPROVED',
      category: 'UTILITY',
      parameterFormat: 'positional',
      header: { format: 'text', paramNames: [] },
      body: { paramNames: [] },
      buttons: [],
    });
  });

  it('order_ready: one body parameter, the footer is ignored', () => {
    expect(shape('order_ready')).toMatchObject({ language: 'en_GB', body: { paramNames: ['1'] }, buttons: [] });
    expect(definition('order_ready').header).toBeUndefined();
  });

  it('carousel_test_1: top-level body plus two cards with image headers and URL buttons', () => {
    const d = definition('carousel_test_1');
    expect(d.body).toEqual({ paramNames: ['1'] });
    expect(d.buttons).toEqual([]);
    expect(d.carousel).toEqual([
      {
        header: { format: 'image', paramNames: [] },
        body: { paramNames: ['1', '2'] },
        buttons: [
          { index: 0, type: 'url', text: 'Shop Now', url: 'https://shop.example.com/{{1}}', dynamic: true, urlBase: 'https://shop.example.com/' },
          { index: 1, type: 'url', text: 'Dynamic', url: 'https://shop.example.com/d/{{1}}', dynamic: true, urlBase: 'https://shop.example.com/d/' },
        ],
      },
      {
        header: { format: 'image', paramNames: [] },
        body: { paramNames: ['1', '2'] },
        buttons: [
          { index: 0, type: 'url', text: 'Shop Now', url: 'https://shop.example.com', dynamic: false },
          { index: 1, type: 'url', text: 'Dynamic', url: 'https://shop.example.com/d/{{1}}', dynamic: true, urlBase: 'https://shop.example.com/d/' },
        ],
      },
    ]);
  });

  it('sample_template: document header, copy code and quick reply', () => {
    expect(shape('sample_template')).toMatchObject({
      header: { format: 'document', paramNames: [] },
      body: { paramNames: ['1'] },
      buttons: [
        { index: 0, type: 'copy_code', text: 'Copy offer code' },
        { index: 1, type: 'quick_reply', text: 'Show more' },
      ],
    });
  });

  it('multi_button_offer: six buttons in BUTTONS order, one dynamic URL', () => {
    expect(definition('multi_button_offer').buttons).toEqual([
      { index: 0, type: 'copy_code', text: 'Copy offer code' },
      { index: 1, type: 'url', text: 'Visit App', url: 'https://shop.example.com/{{1}}', dynamic: true, urlBase: 'https://shop.example.com/' },
      { index: 2, type: 'url', text: 'Check Out Now', url: 'https://shop.example.com', dynamic: false },
      { index: 3, type: 'quick_reply', text: 'Show more' },
      { index: 4, type: 'quick_reply', text: 'Not Now' },
      { index: 5, type: 'quick_reply', text: 'STOP' },
    ]);
  });

  it('promo_image: image header and a dynamic URL', () => {
    expect(shape('promo_image')).toMatchObject({
      header: { format: 'image', paramNames: [] },
      body: { paramNames: ['1'] },
      buttons: [{ index: 0, type: 'url', dynamic: true, urlBase: 'https://shop.example.com/' }],
    });
  });

  it('lto_diwali: an offer with expiration and a phone button', () => {
    const d = definition('lto_diwali');
    expect(d.limitedTimeOffer).toEqual({ hasExpiration: true });
    expect(d.header).toEqual({ format: 'image', paramNames: [] });
    expect(d.buttons.map((b) => b.type)).toEqual(['copy_code', 'url', 'phone_number', 'quick_reply']);
    expect(d.buttons[1]).toMatchObject({ dynamic: true, urlBase: 'https://shop.example.com/sale/' });
  });

  it('store_location: location header', () => {
    expect(shape('store_location')).toMatchObject({ header: { format: 'location', paramNames: [] }, body: { paramNames: ['1'] } });
  });

  it('Sample_Template: keeps the name as stored', () => {
    expect(shape('Sample_Template')).toMatchObject({ name: 'Sample_Template', language: 'en_GB', body: { paramNames: ['1'] } });
  });

  it('confirm_visit: one quick reply', () => {
    expect(definition('confirm_visit').buttons).toEqual([{ index: 0, type: 'quick_reply', text: 'Confirm' }]);
  });

  it('order_shipped: text header with a parameter and a two-parameter body', () => {
    expect(shape('order_shipped')).toMatchObject({ header: { format: 'text', paramNames: ['1'] }, body: { paramNames: ['1', '2'] } });
  });

  it('video_teaser: video header', () => {
    expect(shape('video_teaser')).toMatchObject({ language: 'en_US', header: { format: 'video', paramNames: [] } });
  });

  it('order_confirmation_named: NAMED, names in order of appearance', () => {
    expect(shape('order_confirmation_named')).toMatchObject({
      parameterFormat: 'named',
      header: { format: 'text', paramNames: ['order_id'] },
      body: { paramNames: ['first_name', 'order_id', 'delivery_date'] },
    });
  });

  it.each([
    ['paused_promo', 'PAUSED'],
    ['disabled_promo', 'DISABLED'],
    ['pending_welcome', 'PENDING'],
  ])('%s: status %s is kept', (name, status) => {
    expect(shape(name)).toMatchObject({ status, body: { paramNames: ['1'] } });
  });
});

describe('parseTemplateDefinition: details and problems', () => {
  const base = { id: '1', name: 't', language: 'en', status: 'APPROVED', category: 'MARKETING' };

  it('counts distinct positional placeholders in numeric order, spaces allowed', () => {
    const parsed = parseTemplateDefinition({ ...base, components: [{ type: 'BODY', text: '{{2}} then {{ 1 }} and {{2}} again, {{10}}' }] });
    expect(parsed).toMatchObject({ body: { paramNames: ['1', '2', '10'] } });
  });

  it('infers NAMED when parameter_format was not requested and the texts use names', () => {
    const parsed = parseTemplateDefinition({ ...base, components: [{ type: 'BODY', text: 'Hi {{first_name}}' }] });
    expect(parsed).toMatchObject({ parameterFormat: 'named', body: { paramNames: ['first_name'] } });
  });

  it('accepts a numeric id and lowercase enum values', () => {
    const parsed = parseTemplateDefinition({ ...base, id: 42, status: 'approved', components: [{ type: 'header', format: 'image' }] });
    expect(parsed).toMatchObject({ id: '42', status: 'APPROVED', header: { format: 'image', paramNames: [] } });
  });

  it('keeps unknown button types as other and ignores unknown components', () => {
    const parsed = parseTemplateDefinition({
      ...base,
      components: [{ type: 'SOMETHING_NEW' }, { type: 'BUTTONS', buttons: [{ type: 'VOICE_CALL', text: 'Call' }, { type: 'FLOW', text: 'Book' }] }],
    });
    expect(parsed).toMatchObject({ buttons: [{ index: 0, type: 'other', text: 'Call' }, { index: 1, type: 'flow', text: 'Book' }] });
  });

  it('an offer without expiration', () => {
    const parsed = parseTemplateDefinition({ ...base, components: [{ type: 'LIMITED_TIME_OFFER', limited_time_offer: { text: 'x', has_expiration: false } }] });
    expect(parsed).toMatchObject({ limitedTimeOffer: { hasExpiration: false } });
  });

  it.each([
    [null, 'template definition must be an object, got null'],
    [{ language: 'en' }, 'template definition has no name'],
    [{ name: 't' }, 'template "t" has no language'],
    [{ ...base, id: undefined }, 'template "t" (en): has no id'],
    [{ ...base, status: undefined }, 'template "t" (en): has no status'],
    [{ ...base, components: {} }, 'template "t" (en): components must be an array'],
    [{ ...base, parameter_format: 'WEIRD' }, 'template "t" (en): parameter_format "WEIRD" is neither POSITIONAL nor NAMED'],
    [{ ...base, parameter_format: 'POSITIONAL', components: [{ type: 'BODY', text: 'Hi {{name}}' }] }, 'template "t" (en): components[0].text has {{name}} but the template is POSITIONAL'],
    [{ ...base, components: [{ type: 'HEADER', format: 'AUDIO' }] }, 'template "t" (en): components[0].format "AUDIO" is not a known header format'],
    [{ ...base, components: [{ type: 'BUTTONS', buttons: [{ type: 'URL', text: 'x' }] }] }, 'template "t" (en): components[0].buttons[0].url is missing'],
    [
      { ...base, components: [{ type: 'BUTTONS', buttons: [{ type: 'URL', text: 'x', url: 'https://a/{{1}}/b' }] }] },
      'template "t" (en): components[0].buttons[0].url "https://a/{{1}}/b" must end in its only placeholder',
    ],
  ])('%j → %s', (input, error) => {
    expect(parseTemplateDefinition(input)).toEqual({ error });
  });
});

describe('parseTemplateListPage', () => {
  const pageUrl = (param: string, cursor: string) => `https://graph.example/v23.0/1/message_templates?limit=5&${param}=${cursor}`;

  it('walks the simulator listing page by page until next is absent', () => {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const listed = listTemplates(store, { limit: '5', ...(after !== undefined ? { after } : {}) }, pageUrl);
      if (!listed.ok) throw new Error(listed.message);
      const page = parseTemplateListPage(listed.body);
      expect(page.problems).toEqual([]);
      seen.push(...page.templates.map((t) => t.name));
      after = page.nextAfter;
      pages++;
    } while (after !== undefined);
    expect(pages).toBe(Math.ceil(DEFAULT_TEMPLATES.length / 5));
    expect(seen).toEqual(DEFAULT_TEMPLATES.map((t) => t.name));
  });

  it('ignores cursors.after on the last page (no next)', () => {
    const page = parseTemplateListPage({ data: [graphItems[0]], paging: { cursors: { before: 'a', after: 'b' } } });
    expect(page.nextAfter).toBeUndefined();
    expect(page.templates).toHaveLength(1);
  });

  it('reports bad items and keeps the good ones', () => {
    const page = parseTemplateListPage({
      data: [graphItems[0], { name: 'broken' }],
      paging: { cursors: { after: 'QUZU' }, next: 'https://graph.example/next' },
    });
    expect(page.templates.map((t) => t.name)).toEqual(['hello_world']);
    expect(page.problems).toEqual(['data[1]: template "broken" has no language']);
    expect(page.nextAfter).toBe('QUZU');
  });

  it('an empty page and malformed bodies', () => {
    expect(parseTemplateListPage({ data: [] })).toEqual({ templates: [], problems: [] });
    expect(parseTemplateListPage('nope')).toEqual({ templates: [], problems: ['template list must be an object, got "nope"'] });
    expect(parseTemplateListPage({ error: {} })).toEqual({ templates: [], problems: ['template list has no data array, got undefined'] });
    expect(parseTemplateListPage({ data: [], paging: { next: 'x' } }).problems).toEqual([
      'paging.next is present but paging.cursors.after is missing; listing stops here',
    ]);
  });
});
