/**
 * @module sim/meta/default-templates
 * The template store the simulator starts with. Each definition is in Meta's listing shape (§5)
 * and is designed so that every template fixture under `test/fixtures/clevertap/requests`,
 * translated correctly, is accepted: same name and locale, same header kind, same number of
 * body/header parameters, and the BUTTONS list in the fixture's index order (static URL and
 * phone buttons exist in the definition but take no send-time component).
 */

export type TemplateStatus =
  | 'APPROVED'
  | 'PENDING'
  | 'REJECTED'
  | 'PAUSED'
  | 'DISABLED'
  | 'IN_APPEAL'
  | 'PENDING_DELETION'
  | 'DELETED'
  | 'LIMIT_EXCEEDED'
  | 'ARCHIVED';

export type TemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';

export interface TemplateButtonDef {
  type: 'QUICK_REPLY' | 'URL' | 'PHONE_NUMBER' | 'COPY_CODE' | 'OTP' | 'FLOW' | 'CATALOG' | 'MPM';
  text: string;
  /** A `{{1}}` in the URL makes the button dynamic: the send supplies the suffix. */
  url?: string;
  phone_number?: string;
  example?: string[] | string;
  [extra: string]: unknown;
}

export interface TemplateComponentDef {
  type: 'HEADER' | 'BODY' | 'FOOTER' | 'BUTTONS' | 'LIMITED_TIME_OFFER' | 'CAROUSEL';
  format?: 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT' | 'LOCATION';
  text?: string;
  example?: Record<string, unknown>;
  buttons?: TemplateButtonDef[];
  limited_time_offer?: { text: string; has_expiration: boolean };
  cards?: { components: TemplateComponentDef[] }[];
}

/** A template as seeded or added through `/_sim/templates`; missing fields get Meta's defaults. */
export interface SeedTemplate {
  name: string;
  language: string;
  status?: TemplateStatus;
  category?: TemplateCategory;
  parameter_format?: 'POSITIONAL' | 'NAMED';
  components: TemplateComponentDef[];
  id?: string;
}

const OPTOUT_FOOTER = 'Please reply "stop" to optout';

export const DEFAULT_TEMPLATES: readonly SeedTemplate[] = [
  {
    id: '1387372356726601',
    name: 'hello_world',
    language: 'en_US',
    category: 'UTILITY',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Hello World' },
      {
        type: 'BODY',
        text: 'Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta. Thank you for taking the time to test with us.',
      },
      { type: 'FOOTER', text: 'WhatsApp Business Platform sample message' },
    ],
  },
  {
    id: '1387372356726602',
    name: 'order_ready',
    language: 'en_GB',
    category: 'UTILITY',
    components: [
      { type: 'BODY', text: 'Hi {{1}}, your order is ready for pickup.', example: { body_text: [['Sample']] } },
      { type: 'FOOTER', text: 'this is footer' },
    ],
  },
  {
    id: '1387372356726603',
    name: 'carousel_test_1',
    language: 'en',
    category: 'MARKETING',
    components: [
      { type: 'BODY', text: 'hello main body {{1}}', example: { body_text: [['0']] } },
      {
        type: 'CAROUSEL',
        cards: [
          {
            components: [
              { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1hZ2UvanBlZw==:ARb1'] } },
              { type: 'BODY', text: 'Hello card1 {{1}}, how are you?? {{2}}', example: { body_text: [['0', '1']] } },
              {
                type: 'BUTTONS',
                buttons: [
                  { type: 'URL', text: 'Shop Now', url: 'https://shop.example.com/{{1}}', example: ['https://shop.example.com/wa/5xu5auQ'] },
                  { type: 'URL', text: 'Dynamic', url: 'https://shop.example.com/d/{{1}}', example: ['https://shop.example.com/d/0'] },
                ],
              },
            ],
          },
          {
            components: [
              { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1hZ2UvanBlZw==:ARb2'] } },
              { type: 'BODY', text: 'Hello card2 {{1}}, how are you?? {{2}}', example: { body_text: [['0', '1']] } },
              {
                type: 'BUTTONS',
                buttons: [
                  { type: 'URL', text: 'Shop Now', url: 'https://shop.example.com' },
                  { type: 'URL', text: 'Dynamic', url: 'https://shop.example.com/d/{{1}}', example: ['https://shop.example.com/d/0'] },
                ],
              },
            ],
          },
        ],
      },
    ],
  },
  {
    id: '1387372356726604',
    name: 'sample_template',
    language: 'en',
    category: 'MARKETING',
    components: [
      { type: 'HEADER', format: 'DOCUMENT', example: { header_handle: ['4::YXBwbGljYXRpb24vcGRm:ARc1'] } },
      { type: 'BODY', text: 'Hey {{1}}, This test templates', example: { body_text: [['User']] } },
      { type: 'FOOTER', text: OPTOUT_FOOTER },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'COPY_CODE', text: 'Copy offer code', example: 'BLACKFRIDAY20' },
          { type: 'QUICK_REPLY', text: 'Show more' },
        ],
      },
    ],
  },
  {
    id: '1387372356726605',
    name: 'multi_button_offer',
    language: 'en',
    category: 'MARKETING',
    components: [
      { type: 'HEADER', format: 'DOCUMENT', example: { header_handle: ['4::YXBwbGljYXRpb24vcGRm:ARc2'] } },
      { type: 'BODY', text: 'Hey {{1}}, This is a test template', example: { body_text: [['0']] } },
      { type: 'FOOTER', text: OPTOUT_FOOTER },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'COPY_CODE', text: 'Copy offer code', example: 'SAMPLECODE' },
          { type: 'URL', text: 'Visit App', url: 'https://shop.example.com/{{1}}', example: ['https://shop.example.com/app/summer'] },
          { type: 'URL', text: 'Check Out Now', url: 'https://shop.example.com' },
          { type: 'QUICK_REPLY', text: 'Show more' },
          { type: 'QUICK_REPLY', text: 'Not Now' },
          { type: 'QUICK_REPLY', text: 'STOP' },
        ],
      },
    ],
  },
  {
    id: '1387372356726606',
    name: 'promo_image',
    language: 'en',
    category: 'MARKETING',
    components: [
      { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1hZ2UvcG5n:ARd1'] } },
      { type: 'BODY', text: 'Hi {{1}}, new arrivals are in', example: { body_text: [['sample']] } },
      {
        type: 'BUTTONS',
        buttons: [{ type: 'URL', text: 'Shop now', url: 'https://shop.example.com/{{1}}', example: ['https://shop.example.com/cart'] }],
      },
    ],
  },
  {
    id: '1387372356726607',
    name: 'lto_diwali',
    language: 'en',
    category: 'MARKETING',
    components: [
      { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1hZ2UvanBlZw==:ARe1'] } },
      { type: 'LIMITED_TIME_OFFER', limited_time_offer: { text: 'Buy 1 Get 1 Free', has_expiration: true } },
      { type: 'BODY', text: 'Hey {{1}}, Welcome to our sale.', example: { body_text: [['0']] } },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'COPY_CODE', text: 'Copy offer code', example: 'SAMPLECODE' },
          { type: 'URL', text: 'Check Out Now', url: 'https://shop.example.com/sale/{{1}}', example: ['https://shop.example.com/sale/0'] },
          { type: 'PHONE_NUMBER', text: 'Call support', phone_number: '+91999999999' },
          { type: 'QUICK_REPLY', text: 'Yes' },
        ],
      },
    ],
  },
  {
    id: '1387372356726608',
    name: 'store_location',
    language: 'en',
    category: 'UTILITY',
    components: [
      { type: 'HEADER', format: 'LOCATION' },
      { type: 'BODY', text: 'Your pickup point is ready, {{1}}', example: { body_text: [['Ana']] } },
    ],
  },
  {
    // CleverTap keeps the name as the user typed it; Meta itself only allows lowercase names.
    id: '1387372356726609',
    name: 'Sample_Template',
    language: 'en_GB',
    category: 'MARKETING',
    components: [{ type: 'BODY', text: 'Hey {{1}}, This is Body', example: { body_text: [['User']] } }],
  },
  {
    id: '1387372356726610',
    name: 'confirm_visit',
    language: 'en',
    category: 'UTILITY',
    components: [
      { type: 'BODY', text: 'Confirm your visit, {{1}}?', example: { body_text: [['Ana']] } },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Confirm' }] },
    ],
  },
  {
    id: '1387372356726611',
    name: 'order_shipped',
    language: 'en',
    category: 'UTILITY',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Order {{1}} shipped', example: { header_text: ['4411'] } },
      { type: 'BODY', text: 'Hi {{1}}, order {{2}} is on its way', example: { body_text: [['Ana', '4411']] } },
    ],
  },
  {
    id: '1387372356726612',
    name: 'video_teaser',
    language: 'en_US',
    category: 'MARKETING',
    components: [
      { type: 'HEADER', format: 'VIDEO', example: { header_handle: ['4::dmlkZW8vbXA0:ARf1'] } },
      { type: 'BODY', text: "Watch what's new, {{1}}", example: { body_text: [['Ana']] } },
    ],
  },
  {
    id: '1387372356726613',
    name: 'order_confirmation_named',
    language: 'en_US',
    category: 'UTILITY',
    parameter_format: 'NAMED',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Order {{order_id}}', example: { header_text_named_params: [{ param_name: 'order_id', example: '4411' }] } },
      {
        type: 'BODY',
        text: 'Hi {{first_name}}, your order {{order_id}} will arrive on {{delivery_date}}.',
        example: {
          body_text_named_params: [
            { param_name: 'first_name', example: 'Ana' },
            { param_name: 'order_id', example: '4411' },
            { param_name: 'delivery_date', example: 'Monday' },
          ],
        },
      },
    ],
  },
  {
    id: '1387372356726614',
    name: 'paused_promo',
    language: 'en',
    status: 'PAUSED',
    category: 'MARKETING',
    components: [{ type: 'BODY', text: 'Flash sale today, {{1}}!', example: { body_text: [['Ana']] } }],
  },
  {
    id: '1387372356726615',
    name: 'disabled_promo',
    language: 'en',
    status: 'DISABLED',
    category: 'MARKETING',
    components: [{ type: 'BODY', text: 'Last chance, {{1}}!', example: { body_text: [['Ana']] } }],
  },
  {
    id: '1387372356726616',
    name: 'pending_welcome',
    language: 'en',
    status: 'PENDING',
    category: 'UTILITY',
    components: [{ type: 'BODY', text: 'Welcome aboard, {{1}}.', example: { body_text: [['Ana']] } }],
  },
];
