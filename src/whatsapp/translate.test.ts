/**
 * @module whatsapp/translate.test
 * Every CleverTap request fixture, as the canonical message the parser should produce (built by
 * hand here: whatsapp/ must not import clevertap/), translated to the exact Graph body.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { MessageContent, OutboundMessage } from '../domain/message.js';
import {
  parseQuickReplyPayload,
  quickReplyPayload,
  toGraphSendBody,
  urlButtonSuffix,
  type TranslateOptions,
} from './translate.js';

const FIXTURE_DIR = fileURLToPath(new URL('../../test/fixtures/clevertap/requests/', import.meta.url));
/** Validation probes are answered without sending, so they are never translated. */
const NEVER_TRANSLATED = new Set(['validation-bare.json', 'validation-wrapped.json']);
const ID = 'm0abc123de0000xyz123';

function outbound(msgId: string, to: string, content: MessageContent, extra: Partial<OutboundMessage> = {}): OutboundMessage {
  return { id: ID, accountId: 'acc_1', acceptedAt: 1_731_583_253_000, msgId, to, wabaNumber: '919888888888', content, ...extra };
}

const envelope = (to: string) => ({
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to: `+${to}`,
  biz_opaque_callback_data: ID,
});

interface FixtureCase {
  message: OutboundMessage;
  options?: TranslateOptions;
  expected: unknown;
}

const CASES: Record<string, FixtureCase> = {
  'freeform-audio-msg_id.json': {
    message: outbound('24|0|20241114|24', '919999999999', {
      kind: 'audio',
      media: { link: 'https://media.example.com/audio.mp3' },
    }),
    expected: { ...envelope('919999999999'), type: 'audio', audio: { link: 'https://media.example.com/audio.mp3' } },
  },
  'freeform-file-msg_id.json': {
    message: outbound('25|0|20241114|25', '919999999999', {
      kind: 'document',
      media: { link: 'https://media.example.com/document.pdf' },
      caption: 'This is body',
      filename: 'sample.pdf',
    }),
    expected: {
      ...envelope('919999999999'),
      type: 'document',
      document: { link: 'https://media.example.com/document.pdf', caption: 'This is body', filename: 'sample.pdf' },
    },
  },
  'freeform-image-msg_id.json': {
    message: outbound('22|0|20241114|22', '919999999999', {
      kind: 'image',
      media: { link: 'https://media.example.com/image.png' },
      caption: 'This is body',
    }),
    expected: {
      ...envelope('919999999999'),
      type: 'image',
      image: { link: 'https://media.example.com/image.png', caption: 'This is body' },
    },
  },
  'freeform-text.json': {
    message: outbound('21|0|20241114|21', '919999999999', { kind: 'text', body: 'Hello from the support team' }),
    expected: { ...envelope('919999999999'), type: 'text', text: { body: 'Hello from the support team' } },
  },
  'freeform-video.json': {
    message: outbound('23|0|20241114|23', '919999999999', {
      kind: 'video',
      media: { link: 'https://media.example.com/video.mp4' },
      caption: 'This is body',
    }),
    expected: {
      ...envelope('919999999999'),
      type: 'video',
      video: { link: 'https://media.example.com/video.mp4', caption: 'This is body' },
    },
  },
  'template-body-footertext.json': {
    message: outbound('25596363|1639561857|20220227|25596363', '919999999999', {
      kind: 'template',
      name: 'order_ready',
      language: 'en_GB',
      bodyParams: ['Sample'],
      buttons: [],
    }),
    expected: {
      ...envelope('919999999999'),
      type: 'template',
      template: {
        name: 'order_ready',
        language: { code: 'en_GB' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Sample' }] }],
      },
    },
  },
  'template-carousel.json': {
    message: outbound('13|902|20241114|13', '91999645754', {
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
    }),
    expected: {
      ...envelope('91999645754'),
      type: 'template',
      template: {
        name: 'carousel_test_1',
        language: { code: 'en' },
        components: [
          { type: 'body', parameters: [{ type: 'text', text: '0' }] },
          {
            type: 'carousel',
            cards: [
              {
                card_index: 0,
                components: [
                  { type: 'header', parameters: [{ type: 'image', image: { link: 'https://media.example.com/card1.jpg' } }] },
                  { type: 'body', parameters: [{ type: 'text', text: '0' }, { type: 'text', text: '1' }] },
                  { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'wa/5xu5auQ' }] },
                  { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: '0' }] },
                ],
              },
              {
                card_index: 1,
                components: [
                  { type: 'header', parameters: [{ type: 'image', image: { link: 'https://media.example.com/card2.jpg' } }] },
                  { type: 'body', parameters: [{ type: 'text', text: '0' }, { type: 'text', text: '1' }] },
                  { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: '0' }] },
                ],
              },
            ],
          },
        ],
      },
    },
  },
  'template-custom-props.json': {
    message: outbound(
      '14|903|20241114|14',
      '917658734869',
      {
        kind: 'template',
        name: 'sample_template',
        language: 'en',
        header: { type: 'document', media: { link: 'https://media.example.com/OctoberCM2.pdf' }, filename: 'OctoberCM2' },
        bodyParams: ['User'],
        buttons: [
          { kind: 'copy_code', index: 0, couponCode: 'BLACKFRIDAY20' },
          { kind: 'quick_reply', index: 1 },
        ],
      },
      { customProps: { Key1: 'Value1', key2: 'Value2' } },
    ),
    expected: {
      ...envelope('917658734869'),
      type: 'template',
      template: {
        name: 'sample_template',
        language: { code: 'en' },
        components: [
          {
            type: 'header',
            parameters: [
              { type: 'document', document: { link: 'https://media.example.com/OctoberCM2.pdf', filename: 'OctoberCM2' } },
            ],
          },
          { type: 'body', parameters: [{ type: 'text', text: 'User' }] },
          { type: 'button', sub_type: 'copy_code', index: '0', parameters: [{ type: 'coupon_code', coupon_code: 'BLACKFRIDAY20' }] },
          { type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: `wb1:${ID}:1` }] },
        ],
      },
    },
  },
  'template-file-header-multi-button.json': {
    message: outbound('11|900|20241114|11', '919857465600', {
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
    }),
    options: { urlButtonBases: { 1: 'https://shop.example.com/app/{{1}}' } },
    expected: {
      ...envelope('919857465600'),
      type: 'template',
      template: {
        name: 'multi_button_offer',
        language: { code: 'en' },
        components: [
          {
            type: 'header',
            parameters: [
              { type: 'document', document: { link: 'https://media.example.com/offer/new_offer.pdf', filename: 'New_offer' } },
            ],
          },
          { type: 'body', parameters: [{ type: 'text', text: '0' }] },
          { type: 'button', sub_type: 'copy_code', index: '0', parameters: [{ type: 'coupon_code', coupon_code: 'SAMPLECODE' }] },
          { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'summer' }] },
          { type: 'button', sub_type: 'quick_reply', index: '3', parameters: [{ type: 'payload', payload: `wb1:${ID}:3` }] },
          { type: 'button', sub_type: 'quick_reply', index: '4', parameters: [{ type: 'payload', payload: `wb1:${ID}:4` }] },
          { type: 'button', sub_type: 'quick_reply', index: '5', parameters: [{ type: 'payload', payload: `wb1:${ID}:5` }] },
        ],
      },
    },
  },
  'template-image-dynamic-url.json': {
    message: outbound('7|1731583253|20241114|7', '919999999999', {
      kind: 'template',
      name: 'promo_image',
      language: 'en',
      header: { type: 'image', media: { link: 'https://media.example.com/image.png' } },
      bodyParams: ['sample'],
      buttons: [{ kind: 'url', index: 0, value: 'cart' }],
    }),
    expected: {
      ...envelope('919999999999'),
      type: 'template',
      template: {
        name: 'promo_image',
        language: { code: 'en' },
        components: [
          { type: 'header', parameters: [{ type: 'image', image: { link: 'https://media.example.com/image.png' } }] },
          { type: 'body', parameters: [{ type: 'text', text: 'sample' }] },
          { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'cart' }] },
        ],
      },
    },
  },
  'template-limited-time-offer.json': {
    message: outbound('12|901|20241114|12', '919999999244', {
      kind: 'template',
      name: 'lto_diwali',
      language: 'en',
      header: { type: 'image', media: { link: 'https://media.example.com/lto.jpg' } },
      bodyParams: ['0'],
      limitedTimeOffer: { expirationTimeMs: 1_893_456_000_000 },
      buttons: [
        { kind: 'copy_code', index: 0, couponCode: 'SAMPLECODE' },
        { kind: 'url', index: 1, value: '0' },
        { kind: 'static', index: 2, subType: 'callPhone' },
        { kind: 'quick_reply', index: 3 },
      ],
    }),
    expected: {
      ...envelope('919999999244'),
      type: 'template',
      template: {
        name: 'lto_diwali',
        language: { code: 'en' },
        components: [
          { type: 'header', parameters: [{ type: 'image', image: { link: 'https://media.example.com/lto.jpg' } }] },
          { type: 'body', parameters: [{ type: 'text', text: '0' }] },
          {
            type: 'limited_time_offer',
            parameters: [{ type: 'limited_time_offer', limited_time_offer: { expiration_time_ms: 1893456000000 } }],
          },
          { type: 'button', sub_type: 'copy_code', index: '0', parameters: [{ type: 'coupon_code', coupon_code: 'SAMPLECODE' }] },
          { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: '0' }] },
          { type: 'button', sub_type: 'quick_reply', index: '3', parameters: [{ type: 'payload', payload: `wb1:${ID}:3` }] },
        ],
      },
    },
  },
  'template-location-header.json': {
    message: outbound('16|905|20241114|16', '919999999999', {
      kind: 'template',
      name: 'store_location',
      language: 'en',
      header: { type: 'location', latitude: 40.7829, longitude: -73.9654, name: 'Central Park', address: 'New York, NY 10024' },
      bodyParams: ['Ana'],
      buttons: [],
    }),
    expected: {
      ...envelope('919999999999'),
      type: 'template',
      template: {
        name: 'store_location',
        language: { code: 'en' },
        components: [
          {
            type: 'header',
            parameters: [
              {
                type: 'location',
                location: { latitude: 40.7829, longitude: -73.9654, name: 'Central Park', address: 'New York, NY 10024' },
              },
            ],
          },
          { type: 'body', parameters: [{ type: 'text', text: 'Ana' }] },
        ],
      },
    },
  },
  'template-plus-numbers-en-UK.json': {
    message: outbound('1|2|3|4|5', '919999999998', {
      kind: 'template',
      name: 'Sample_Template',
      language: 'en_GB',
      bodyParams: ['User'],
      buttons: [],
    }),
    expected: {
      ...envelope('919999999998'),
      type: 'template',
      template: {
        name: 'Sample_Template',
        language: { code: 'en_GB' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'User' }] }],
      },
    },
  },
  'template-quick-reply-payload.json': {
    message: outbound('25596363|1639561857|20220227|25596364', '919999999999', {
      kind: 'template',
      name: 'confirm_visit',
      language: 'en',
      bodyParams: ['Ana'],
      buttons: [{ kind: 'quick_reply', index: 0, payload: '25596363|click' }],
    }),
    expected: {
      ...envelope('919999999999'),
      type: 'template',
      template: {
        name: 'confirm_visit',
        language: { code: 'en' },
        components: [
          { type: 'body', parameters: [{ type: 'text', text: 'Ana' }] },
          { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: '25596363|click' }] },
        ],
      },
    },
  },
  'template-text-header.json': {
    message: outbound('17|906|20241114|17', '919999999999', {
      kind: 'template',
      name: 'order_shipped',
      language: 'en',
      header: { type: 'text', params: ['4411'] },
      bodyParams: ['Ana', '4411'],
      buttons: [],
    }),
    expected: {
      ...envelope('919999999999'),
      type: 'template',
      template: {
        name: 'order_shipped',
        language: { code: 'en' },
        components: [
          { type: 'header', parameters: [{ type: 'text', text: '4411' }] },
          { type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: '4411' }] },
        ],
      },
    },
  },
  'template-video-header.json': {
    message: outbound('15|904|20241114|15', '919999999999', {
      kind: 'template',
      name: 'video_teaser',
      language: 'en_US',
      header: { type: 'video', media: { link: 'https://media.example.com/video.mp4' } },
      bodyParams: ['Ana'],
      buttons: [],
    }),
    expected: {
      ...envelope('919999999999'),
      type: 'template',
      template: {
        name: 'video_teaser',
        language: { code: 'en_US' },
        components: [
          { type: 'header', parameters: [{ type: 'video', video: { link: 'https://media.example.com/video.mp4' } }] },
          { type: 'body', parameters: [{ type: 'text', text: 'Ana' }] },
        ],
      },
    },
  },
};

/** The fields a hand-built message can be checked against without re-implementing the parser. */
function assertHandBuiltMatchesFixture(fixture: Record<string, any>, message: OutboundMessage): void {
  expect(message.msgId).toBe(fixture.msgId ?? fixture.msg_id);
  expect(message.to).toBe(String(fixture.to).replace(/\D/g, ''));
  const content = message.content;
  if (content.kind === 'template') {
    expect(content.name).toBe(fixture.template.namespace);
    const body = fixture.components.find((c: { type?: string }) => c.type === 'body');
    expect(content.bodyParams).toEqual(body.body.parameters.map((p: { text: string }) => p.text));
  } else if ('media' in content) {
    expect(content.media.link).toBe(fixture[fixture.type].mediaURL);
  }
}

describe('toGraphSendBody on every CleverTap request fixture', () => {
  const fixtureFiles = readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.json'));

  it('has a case for every fixture that is ever sent', () => {
    const sendable = fixtureFiles.filter((f) => !NEVER_TRANSLATED.has(f)).sort();
    expect(Object.keys(CASES).sort()).toEqual(sendable);
    expect(sendable.length).toBe(16);
  });

  for (const [file, { message, options, expected }] of Object.entries(CASES)) {
    it(file, () => {
      const fixture = JSON.parse(readFileSync(FIXTURE_DIR + file, 'utf8')) as Record<string, unknown>;
      assertHandBuiltMatchesFixture(fixture, message);
      expect(toGraphSendBody(message, options)).toStrictEqual(expected);
    });
  }
});

describe('toGraphSendBody details', () => {
  const template = (content: Partial<Extract<MessageContent, { kind: 'template' }>>): OutboundMessage =>
    outbound('1|1|1|1', '15551234567', { kind: 'template', name: 't', language: 'en', bodyParams: [], buttons: [], ...content });

  it('omits components when the template has no variables', () => {
    const body = toGraphSendBody(template({ buttons: [{ kind: 'static', index: 0, subType: 'callPhone' }] }));
    expect(body).toStrictEqual({ ...envelope('15551234567'), type: 'template', template: { name: 't', language: { code: 'en' } } });
  });

  it('omits a text header that has no parameters', () => {
    const body = toGraphSendBody(template({ header: { type: 'text', params: [] }, bodyParams: ['x'] }));
    expect(body.type === 'template' && body.template.components).toStrictEqual([
      { type: 'body', parameters: [{ type: 'text', text: 'x' }] },
    ]);
  });

  it('puts NAMED template values under their parameter names, in order', () => {
    const body = toGraphSendBody(
      template({
        header: { type: 'text', params: ['Ada'] },
        headerParamNames: ['first_name'],
        bodyParams: ['#42', 'Friday'],
        bodyParamNames: ['order_id', 'day'],
      }),
    );
    expect(body.type === 'template' && body.template.components).toStrictEqual([
      { type: 'header', parameters: [{ type: 'text', text: 'Ada', parameter_name: 'first_name' }] },
      {
        type: 'body',
        parameters: [
          { type: 'text', text: '#42', parameter_name: 'order_id' },
          { type: 'text', text: 'Friday', parameter_name: 'day' },
        ],
      },
    ]);
  });

  it('omits the limited-time-offer component when no expiry is given', () => {
    const body = toGraphSendBody(template({ limitedTimeOffer: {}, bodyParams: ['x'] }));
    expect(body.type === 'template' && body.template.components?.map((c) => c.type)).toEqual(['body']);
  });

  it('synthesises a payload when the explicit one is empty', () => {
    const body = toGraphSendBody(template({ buttons: [{ kind: 'quick_reply', index: 2, payload: '' }] }));
    expect(body.type === 'template' && body.template.components).toStrictEqual([
      { type: 'button', sub_type: 'quick_reply', index: '2', parameters: [{ type: 'payload', payload: `wb1:${ID}:2` }] },
    ]);
  });

  it('strips a URL button value by its heuristic when no base is known', () => {
    const body = toGraphSendBody(template({ buttons: [{ kind: 'url', index: 1, value: 'https://shop.example.com/app/summer' }] }));
    expect(body.type === 'template' && body.template.components).toStrictEqual([
      { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'app/summer' }] },
    ]);
  });

  it('sets preview_url only when the message sets it', () => {
    const on = toGraphSendBody(outbound('m', '15551234567', { kind: 'text', body: 'see https://x.example', previewUrl: true }));
    const off = toGraphSendBody(outbound('m', '15551234567', { kind: 'text', body: 'plain', previewUrl: false }));
    expect(on).toStrictEqual({ ...envelope('15551234567'), type: 'text', text: { body: 'see https://x.example', preview_url: true } });
    expect(off).toStrictEqual({ ...envelope('15551234567'), type: 'text', text: { body: 'plain', preview_url: false } });
  });

  it('translates stickers, captionless media and freeform locations', () => {
    const sticker = toGraphSendBody(outbound('m', '15551234567', { kind: 'sticker', media: { link: 'https://m.example/s.webp' } }));
    const image = toGraphSendBody(outbound('m', '15551234567', { kind: 'image', media: { link: 'https://m.example/i.png' } }));
    const location = toGraphSendBody(outbound('m', '15551234567', { kind: 'location', latitude: 1.5, longitude: -2.25 }));
    expect(sticker).toStrictEqual({ ...envelope('15551234567'), type: 'sticker', sticker: { link: 'https://m.example/s.webp' } });
    expect(image).toStrictEqual({ ...envelope('15551234567'), type: 'image', image: { link: 'https://m.example/i.png' } });
    expect(location).toStrictEqual({ ...envelope('15551234567'), type: 'location', location: { latitude: 1.5, longitude: -2.25 } });
  });
});

describe('urlButtonSuffix', () => {
  it('keeps a bare suffix as is', () => {
    expect(urlButtonSuffix('wa/5xu5auQ')).toBe('wa/5xu5auQ');
    expect(urlButtonSuffix('www.example.com/x', 'https://www.example.com/{{1}}')).toBe('www.example.com/x');
  });
  it('strips the known base, compared without its placeholder', () => {
    expect(urlButtonSuffix('https://shop.example.com/app/summer?ref=ct', 'https://shop.example.com/app/{{1}}')).toBe('summer?ref=ct');
    expect(urlButtonSuffix('https://shop.example.com/p-42', 'https://shop.example.com/p-{{1}}')).toBe('42');
  });
  it('falls back to dropping scheme, host and leading slash', () => {
    expect(urlButtonSuffix('https://www.example.com/deal/7#top')).toBe('deal/7#top');
    expect(urlButtonSuffix('http://other.example/x', 'https://shop.example.com/{{1}}')).toBe('x');
    expect(urlButtonSuffix('https://www.example.com')).toBe('');
    expect(urlButtonSuffix('https://www.example.com?q=1')).toBe('?q=1');
  });
});

describe('quick-reply payloads', () => {
  it('round-trips', () => {
    expect(quickReplyPayload('m0abc', 3)).toBe('wb1:m0abc:3');
    expect(parseQuickReplyPayload('wb1:m0abc:3')).toStrictEqual({ messageId: 'm0abc', buttonIndex: 3 });
    expect(parseQuickReplyPayload(quickReplyPayload(ID, 0))).toStrictEqual({ messageId: ID, buttonIndex: 0 });
  });
  it('ignores payloads it did not make', () => {
    expect(parseQuickReplyPayload('25596363|click')).toBeUndefined();
    expect(parseQuickReplyPayload('wb1:m0abc')).toBeUndefined();
    expect(parseQuickReplyPayload('wb1::3')).toBeUndefined();
    expect(parseQuickReplyPayload('wb1:m0abc:x')).toBeUndefined();
    expect(parseQuickReplyPayload('wb1:m0abc:01')).toBeUndefined();
    expect(parseQuickReplyPayload('wb2:m0abc:1')).toBeUndefined();
  });
  it('refuses to exceed Meta’s 128-character limit', () => {
    expect(quickReplyPayload('x'.repeat(122), 9)).toHaveLength(128);
    expect(() => quickReplyPayload('x'.repeat(123), 9)).toThrow(RangeError);
  });
});
