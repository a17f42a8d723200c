/**
 * @module sim/clevertap/payloads-template
 * One builder per template fixture in `test/fixtures/clevertap/requests/template-*.json`, copying
 * its shape exactly (component order, key spellings, `+` numbers, `footertext`, customProps inside
 * components). Template names stay the fixtures' names because the Meta simulator's default
 * template store is seeded with exactly those.
 */
import {
  body,
  copyCodeButton,
  fileHeader,
  footer,
  mediaHeader,
  quickReply,
  templateHead,
  textParams,
  urlButton,
  type Json,
  type PayloadFields,
} from './payload-parts.js';

const OPT_OUT_FOOTER = 'Please reply "stop" to optout';

export const TEMPLATE_BUILDERS = {
  'template-body-footertext': (f: PayloadFields): Json => ({
    ...templateHead(f, 'order_ready', 'en(uk)'),
    components: [body('This is sample body', 'Sample'), { type: 'footer', footertext: 'this is footer' }],
  }),

  'template-carousel': (f: PayloadFields): Json => ({
    ...templateHead(f, 'carousel_test_1', 'en', true),
    components: [
      body('hello main body 0', '0'),
      {
        type: 'carousel',
        cards: [1, 2].map((n) => ({
          components: [
            mediaHeader('image', `https://media.example.com/card${n}.jpg`),
            body(`Hello card${n} 0, how are you?? 1`, '0', '1'),
            n === 1 ? urlButton(0, 'Shop Now', 'dynamicUrl', 'wa/5xu5auQ') : urlButton(0, 'Shop Now', 'staticUrl', 'https://shop.example.com'),
            urlButton(1, 'Dynamic', 'dynamicUrl', '0'),
          ],
        })),
      },
    ],
  }),

  'template-custom-props': (f: PayloadFields): Json => ({
    ...templateHead(f, 'sample_template', 'en'),
    components: [
      fileHeader('https://media.example.com/OctoberCM2.pdf', 'OctoberCM2'),
      body('Hey User, This test templates', 'User'),
      footer(OPT_OUT_FOOTER),
      copyCodeButton(0, 'BLACKFRIDAY20'),
      quickReply(1, 'Show more'),
      // CleverTap's sample puts customProps inside components, as an element without `type`.
      { customProps: [{ Key1: 'Value1' }, { key2: 'Value2' }] },
    ],
  }),

  'template-file-header-multi-button': (f: PayloadFields): Json => ({
    ...templateHead(f, 'multi_button_offer', 'en'),
    components: [
      fileHeader('https://media.example.com/offer/new_offer.pdf', 'New_offer'),
      body('Hey 0, This is a test template', '0'),
      footer(OPT_OUT_FOOTER),
      copyCodeButton(0, 'SAMPLECODE'),
      urlButton(1, 'Visit App', 'dynamicUrl', 'https://shop.example.com/app/summer'),
      urlButton(2, 'Check Out Now', 'staticUrl', 'https://shop.example.com'),
      quickReply(3, 'Show more'),
      quickReply(4, 'Not Now'),
      quickReply(5, 'STOP'),
    ],
  }),

  'template-image-dynamic-url': (f: PayloadFields): Json => ({
    ...templateHead(f, 'promo_image', 'en'),
    components: [
      mediaHeader('image', 'https://media.example.com/image.png'),
      body('Hi sample, new arrivals are in', 'sample'),
      urlButton(0, 'Shop now', 'dynamicUrl', 'cart'),
    ],
  }),

  'template-limited-time-offer': (f: PayloadFields): Json => ({
    ...templateHead(f, 'lto_diwali', 'en'),
    components: [
      mediaHeader('image', 'https://media.example.com/lto.jpg'),
      body('Hey 0, Welcome to our sale.', '0'),
      {
        type: 'limited_time_offer',
        text: 'Buy 1 Get 1 Free',
        parameters: [{ type: 'limited_time_offer', limited_time_offer: { expiration_time_ms: 1893456000000 } }],
      },
      copyCodeButton(0, 'SAMPLECODE'),
      urlButton(1, 'Check Out Now', 'dynamicUrl', '0'),
      { type: 'button', index: 2, buttonText: 'Call support', subType: 'callPhone', parameters: textParams('+91999999999') },
      quickReply(3, 'Yes'),
    ],
  }),

  'template-location-header': (f: PayloadFields): Json => ({
    ...templateHead(f, 'store_location', 'en'),
    components: [
      {
        type: 'header',
        header: {
          type: 'location',
          location: { longitude: '-73.9654', latitude: '40.7829', name: 'Central Park', address: 'New York, NY 10024' },
        },
      },
      body('Your pickup point is ready, Ana', 'Ana'),
    ],
  }),

  'template-plus-numbers-en-UK': (f: PayloadFields): Json => ({
    ...templateHead(f, 'Sample_Template', 'en(UK)', true),
    components: [body('Hey User, This is Body', 'User')],
  }),

  'template-quick-reply-payload': (f: PayloadFields): Json => ({
    ...templateHead(f, 'confirm_visit', 'en'),
    components: [
      body('Confirm your visit, Ana?', 'Ana'),
      // Old-spec quick reply: the payload is echoed back in the IMO's button.payload.
      { type: 'button', index: 0, subType: 'quickReply', buttonText: 'Confirm', parameters: [{ type: 'payload', payload: '25596363|click' }] },
    ],
  }),

  'template-text-header': (f: PayloadFields): Json => ({
    ...templateHead(f, 'order_shipped', 'en'),
    components: [
      { type: 'header', header: { type: 'text', text: { text: 'Order 4411 shipped', parameters: textParams('4411') } } },
      body('Hi Ana, order 4411 is on its way', 'Ana', '4411'),
    ],
  }),

  'template-video-header': (f: PayloadFields): Json => ({
    ...templateHead(f, 'video_teaser', 'en_US'),
    components: [mediaHeader('video', 'https://media.example.com/video.mp4'), body("Watch what's new, Ana", 'Ana')],
  }),
} as const satisfies Record<string, (f: PayloadFields) => Json>;
