import { describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES } from '../sim/meta/default-templates.js';
import { templateStatusValue } from '../sim/meta/template-events.js';
import { TemplateStore } from '../sim/meta/templates.js';
import {
  parseTemplateStatusChange,
  parseWebhookTemplateUpdates,
  templateStatusAfter,
  type TemplateStatusUpdate,
} from './webhook-template-updates.js';

const WABA_ID = '102290129340398';
const TIME = 1751247548;

function envelope(...values: unknown[]): unknown {
  return {
    entry: [{ id: WABA_ID, time: TIME, changes: values.map((value) => ({ value, field: 'message_template_status_update' })) }],
    object: 'whatsapp_business_account',
  };
}

function parseOne(value: unknown): TemplateStatusUpdate {
  const { updates, problems } = parseWebhookTemplateUpdates(envelope(value));
  expect(problems).toEqual([]);
  expect(updates).toHaveLength(1);
  return updates[0] as TemplateStatusUpdate;
}

describe('parseWebhookTemplateUpdates', () => {
  it("Meta's approved example", () => {
    expect(
      parseOne({
        event: 'APPROVED',
        message_template_id: 1689556908129832,
        message_template_name: 'order_confirmation',
        message_template_language: 'en-US',
        reason: 'NONE',
        message_template_category: 'UTILITY',
      }),
    ).toEqual({
      wabaId: WABA_ID,
      at: TIME * 1000,
      templateId: '1689556908129832',
      name: 'order_confirmation',
      language: 'en-US',
      event: 'APPROVED',
      category: 'UTILITY',
    });
  });

  it("Meta's rejected example, with rejection_info", () => {
    expect(
      parseOne({
        event: 'REJECTED',
        message_template_id: 1689556908129835,
        message_template_name: 'abandoned_cart',
        message_template_language: 'en',
        reason: 'INVALID_FORMAT',
        message_template_category: 'MARKETING',
        rejection_info: {
          reason: 'Your template has parameters placed next to each other (like {{1}}{{2}}) without text or punctuation between them.',
          recommendation: 'Separate parameters with descriptive text and ensure each parameter is clearly contextualized.',
        },
      }),
    ).toMatchObject({
      templateId: '1689556908129835',
      event: 'REJECTED',
      reason: 'INVALID_FORMAT',
      rejectionDetail: expect.stringContaining('next to each other'),
      recommendation: expect.stringContaining('Separate parameters'),
    });
  });

  it('a pause carries its title and description; a disable its date (integer or string seconds)', () => {
    const paused = parseOne({
      event: 'PAUSED',
      message_template_id: 12345678,
      message_template_name: 'promo',
      message_template_language: 'en',
      reason: 'NONE',
      other_info: { title: 'FIRST_PAUSE', description: 'Your WhatsApp message template has been paused for 3 hours.' },
    });
    expect(paused).toMatchObject({ event: 'PAUSED', title: 'FIRST_PAUSE', description: expect.stringContaining('3 hours') });
    expect(paused.reason).toBeUndefined();

    for (const date of [1751234563, '1751234563']) {
      const disabled = parseOne({ event: 'DISABLED', message_template_id: 12345678, disable_info: { disable_date: date } });
      expect(disabled.disabledAt).toBe(1751234563_000);
    }
  });

  it('lenient: null reason, string id, no name/language/category/time, unknown extras', () => {
    const { updates, problems } = parseWebhookTemplateUpdates({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 57438975935,
          changes: [
            {
              field: 'message_template_status_update',
              value: { event: 'PENDING_DELETION', message_template_id: '12345678', reason: null, something_new: { a: 1 } },
            },
          ],
        },
      ],
    });
    expect(problems).toEqual([]);
    expect(updates).toEqual([{ wabaId: '57438975935', templateId: '12345678', event: 'PENDING_DELETION' }]);
  });

  it('events are kept verbatim, unknown ones too', () => {
    expect(parseOne({ event: 'FLAGGED', message_template_id: 1 }).event).toBe('FLAGGED');
    expect(parseOne({ event: 'SOMETHING_NEW', message_template_id: 1 }).event).toBe('SOMETHING_NEW');
  });

  it('a bad change is a problem, never a throw, and costs no other change', () => {
    const good = { event: 'APPROVED', message_template_id: 42, message_template_name: 'ok', message_template_language: 'en' };
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: WABA_ID,
          time: TIME,
          changes: [
            { field: 'message_template_status_update', value: 'nope' },
            { field: 'message_template_status_update', value: { event: 'APPROVED' } },
            { field: 'message_template_status_update', value: { message_template_id: 7 } },
            { field: 'message_template_status_update', value: { event: 'APPROVED', message_template_id: 2 ** 60 } },
            { field: 'message_template_status_update', value: { event: 'APPROVED', message_template_id: 'abc' } },
            { field: 'messages', value: { messaging_product: 'whatsapp', statuses: [] } },
            { field: 'message_template_status_update', value: good },
          ],
        },
        'not an entry',
        { id: WABA_ID },
      ],
    };
    const { updates, problems, skipped } = parseWebhookTemplateUpdates(body);
    expect(updates.map((u) => u.templateId)).toEqual(['42']);
    expect(skipped.map((item) => [item.where, item.wabaId])).toEqual([0, 1, 2, 3, 4].map((c) => [`entry[0].changes[${c}]`, WABA_ID]));
    expect(skipped[2]?.item).toEqual({ message_template_id: 7 });
    expect(problems).toEqual([
      'entry[0].changes[0]: value is not an object',
      'entry[0].changes[1]: no usable message_template_id (absent)',
      'entry[0].changes[2]: template 7: no event',
      `entry[0].changes[3]: no usable message_template_id (${2 ** 60})`,
      'entry[0].changes[4]: no usable message_template_id ("abc")',
    ]);
    for (const junk of [undefined, null, 'x', [], {}, { entry: 'x' }]) {
      expect(parseWebhookTemplateUpdates(junk)).toEqual({ updates: [], problems: ['no entry[] in the webhook body'], skipped: [] });
    }
  });

  it('a body of other fields only gives nothing and no problem', () => {
    const statuses = {
      object: 'whatsapp_business_account',
      entry: [{ id: WABA_ID, changes: [{ field: 'messages', value: { statuses: [{ id: 'wamid.x', status: 'sent' }] } }] }],
    };
    expect(parseWebhookTemplateUpdates(statuses)).toEqual({ updates: [], problems: [], skipped: [] });
  });

  it('a value alone parses, with the entry optional', () => {
    expect(parseTemplateStatusChange({ event: 'PAUSED', message_template_id: 5 })).toEqual({ templateId: '5', event: 'PAUSED' });
    expect(parseTemplateStatusChange({ event: 'PAUSED', message_template_id: 5 }, { id: 'W', time: 'soon' })).toEqual({
      wabaId: 'W',
      templateId: '5',
      event: 'PAUSED',
    });
    expect(parseTemplateStatusChange([])).toEqual({ error: 'value is not an object' });
  });

  it('reads what the Meta simulator sends for every status change', () => {
    const store = new TemplateStore(DEFAULT_TEMPLATES);
    const template = store.all().find((t) => t.name === 'promo_image');
    if (!template) throw new Error('no promo_image');
    const now = 1751247548_123;
    const cases: [string, string, number][] = [
      ['PAUSED', 'APPROVED', 1],
      ['APPROVED', 'PAUSED', 1],
      ['DISABLED', 'PAUSED', 2],
      ['PENDING_DELETION', 'APPROVED', 0],
    ];
    for (const [status, previous, pauses] of cases) {
      const value = templateStatusValue({ ...template, status: status as never }, previous as never, {}, pauses, now);
      const update = parseOne(value);
      expect(update).toMatchObject({ templateId: template.id, name: 'promo_image', language: 'en', event: status, category: 'MARKETING' });
      expect(update.reason).toBeUndefined();
      expect(templateStatusAfter(update.event)).toBe(status);
    }
    const paused = parseOne(templateStatusValue({ ...template, status: 'PAUSED' }, 'APPROVED', {}, 1, now));
    expect(paused.title).toBe('FIRST_PAUSE');
    const unpaused = parseOne(templateStatusValue({ ...template, status: 'APPROVED' }, 'PAUSED', {}, 1, now));
    expect(unpaused.title).toBe('UNPAUSE');
    const disabled = parseOne(templateStatusValue({ ...template, status: 'DISABLED' }, 'PAUSED', {}, 2, now));
    expect(disabled.disabledAt).toBe(1751247548_000);
  });
});

describe('templateStatusAfter', () => {
  it.each([
    ['APPROVED', 'APPROVED'],
    ['PENDING', 'PENDING'],
    ['REJECTED', 'REJECTED'],
    ['PAUSED', 'PAUSED'],
    ['DISABLED', 'DISABLED'],
    ['IN_APPEAL', 'IN_APPEAL'],
    ['PENDING_DELETION', 'PENDING_DELETION'],
    ['DELETED', 'DELETED'],
    ['LIMIT_EXCEEDED', 'LIMIT_EXCEEDED'],
    ['ARCHIVED', 'ARCHIVED'],
    ['REINSTATED', 'APPROVED'],
    ['reinstated', 'APPROVED'],
    ['paused', 'PAUSED'],
    ['FLAGGED', undefined],
    ['LOCKED', undefined],
    ['UNARCHIVED', undefined],
    ['SOMETHING_NEW', undefined],
    ['', undefined],
  ])('%s → %s', (event, status) => {
    expect(templateStatusAfter(event)).toBe(status);
  });
});

describe('parseWebhookTemplateUpdates: hostile values', () => {
  it('never throws on values nested 10,000 levels deep, and costs only the change they are in', () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const body = JSON.parse(
      `{"entry":[{"id":"${WABA_ID}","changes":[{"field":"message_template_status_update","value":{"event":"APPROVED","message_template_id":${deep}}},`
        + `{"field":"message_template_status_update","value":{"event":${deep},"message_template_id":7}},`
        + `{"field":"message_template_status_update","value":{"event":"PAUSED","message_template_id":8,"other_info":{"title":${deep}}}}]}]}`,
    ) as unknown;
    const { updates, skipped } = parseWebhookTemplateUpdates(body);
    expect(updates.map((update) => [update.templateId, update.event, update.title])).toEqual([['8', 'PAUSED', undefined]]);
    expect(skipped.map((item) => item.reason)).toEqual(['no usable message_template_id (an array of 1)', 'template 7: no event']);
  });
});
