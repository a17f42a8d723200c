import { readFileSync, readdirSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import type { InboundMessage } from '../domain/inbound.js';
import { parseWebhookMessages } from './webhook-messages.js';

const FIXTURES = new URL('../../test/fixtures/whatsapp/webhooks/', import.meta.url);

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));
}

const PHONE_NUMBER_ID = '106540352242922';
const FROM = '919999999999';
const WAMID = 'wamid.HBgMOTE5OTk5OTk5OTk5FQIAEhggQkI0NUY2RDc4OUFCQ0RFRjAxMjM0NTY3ODlBQkNERUYA';
const REPLIED_TO = 'wamid.HBgMOTE5OTk5OTk5OTk5FQIAERgSQUJDREVGMDEyMzQ1Njc4OQA=';
const AT = 1750030100_000;

/** What every fixture shares; the content and context differ. */
const COMMON = {
  accountPhoneNumberId: PHONE_NUMBER_ID,
  accountDisplayNumber: '919888888888',
  from: FROM,
  wamid: WAMID,
  at: AT,
  contactName: 'Ana',
} as const;

function parseOne(body: unknown): InboundMessage {
  const { messages, problems } = parseWebhookMessages(body, { receivedAt: 42 });
  expect(problems).toEqual([]);
  expect(messages).toHaveLength(1);
  return messages[0] as InboundMessage;
}

/** A one-message webhook in Meta's envelope, for the types without a recorded fixture. */
function webhookWith(message: Record<string, unknown>, value: Record<string, unknown> = {}): unknown {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '919888888888', phone_number_id: PHONE_NUMBER_ID },
              contacts: [{ profile: { name: 'Ana' }, wa_id: FROM }],
              messages: [{ from: FROM, id: WAMID, timestamp: '1750030100', ...message }],
              ...value,
            },
          },
        ],
      },
    ],
  };
}

describe('parseWebhookMessages: recorded fixtures', () => {
  it('has an expectation for every inbound fixture', () => {
    const inbound = readdirSync(FIXTURES).filter((name) => name.startsWith('inbound-'));
    expect(inbound.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  const EXPECTED: Record<string, InboundMessage> = {
    'inbound-text-reply.json': { ...COMMON, contextWamid: REPLIED_TO, content: { kind: 'text', body: 'Yes please' } },
    'inbound-image.json': {
      ...COMMON,
      content: {
        kind: 'image',
        mediaId: '1235678901234567',
        mimeType: 'image/jpeg',
        sha256: 'l0ZMnY6nQ3d9I0B5aY2x2s4u8Q1mUu0Z4f2z8x0gXk8=',
        caption: 'my receipt',
      },
    },
    'inbound-audio-voice.json': {
      ...COMMON,
      content: {
        kind: 'audio',
        voice: true,
        mediaId: '3235678901234567',
        mimeType: 'audio/ogg; codecs=opus',
        sha256: 'z9x8c7v6b5n4m3a2s1d0f9g8h7j6k5l4p3o2i1u0y9t=',
      },
    },
    'inbound-document.json': {
      ...COMMON,
      content: {
        kind: 'document',
        mediaId: '2235678901234567',
        mimeType: 'application/pdf',
        sha256: 'q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c=',
        caption: 'invoice',
        filename: 'invoice.pdf',
      },
    },
    'inbound-location.json': {
      ...COMMON,
      content: { kind: 'location', latitude: 12.9716, longitude: 77.5946, name: 'Cubbon Park', address: 'Bengaluru' },
    },
    'inbound-button-quick-reply.json': {
      ...COMMON,
      contextWamid: REPLIED_TO,
      content: { kind: 'quick_reply_button', payload: '25596363|click', text: 'Confirm' },
    },
    'inbound-interactive-button-reply.json': {
      ...COMMON,
      contextWamid: REPLIED_TO,
      content: { kind: 'button_reply', id: 'yes-1', title: 'Yes' },
    },
    'inbound-reaction.json': {
      ...COMMON,
      // No context in Meta's payload: the reacted-to message stands in for it.
      contextWamid: REPLIED_TO,
      content: { kind: 'reaction', emoji: '👍', messageWamid: REPLIED_TO, removed: false },
    },
    'inbound-unsupported.json': {
      ...COMMON,
      content: { kind: 'unsupported', type: 'poll', errorCode: 131051, errorTitle: 'Message type unknown' },
    },
  };

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`parses ${name}`, () => {
      expect(parseOne(fixture(name))).toEqual(expected);
    });
  }

  it('finds no messages in status webhooks, without calling them problems', () => {
    for (const name of readdirSync(FIXTURES).filter((n) => n.startsWith('status-'))) {
      expect(parseWebhookMessages(fixture(name))).toEqual({ messages: [], problems: [], skipped: [] });
    }
  });
});

describe('parseWebhookMessages: types without a recorded fixture', () => {
  it('reads video', () => {
    const message = parseOne(
      webhookWith({ type: 'video', video: { caption: 'look', mime_type: 'video/mp4', sha256: 'abc=', id: '555' } }),
    );
    expect(message.content).toEqual({ kind: 'video', mediaId: '555', mimeType: 'video/mp4', sha256: 'abc=', caption: 'look' });
  });

  it('reads an attached audio file as not a voice note', () => {
    const message = parseOne(webhookWith({ type: 'audio', audio: { mime_type: 'audio/mpeg', id: '556' } }));
    expect(message.content).toEqual({ kind: 'audio', voice: false, mediaId: '556', mimeType: 'audio/mpeg' });
  });

  it('reads sticker with its animated flag', () => {
    const message = parseOne(
      webhookWith({ type: 'sticker', sticker: { mime_type: 'image/webp', sha256: 'st=', id: '557', animated: true } }),
    );
    expect(message.content).toEqual({ kind: 'sticker', mediaId: '557', mimeType: 'image/webp', sha256: 'st=', animated: true });
  });

  it('reads a location with a url and string coordinates', () => {
    const message = parseOne(
      webhookWith({
        type: 'location',
        location: { latitude: '2.457476548', longitude: '-0.5', name: 'Johns office', address: '107, baker street', url: 'https://johns.example' },
      }),
    );
    expect(message.content).toEqual({
      kind: 'location',
      latitude: 2.457476548,
      longitude: -0.5,
      name: 'Johns office',
      address: '107, baker street',
      url: 'https://johns.example',
    });
  });

  it('reads contacts cards, falling back to first/last name and wa_id', () => {
    const message = parseOne(
      webhookWith({
        type: 'contacts',
        contacts: [
          {
            name: { formatted_name: 'Ana Silva', first_name: 'Ana' },
            phones: [{ phone: '+1 555-0100', wa_id: '15550100', type: 'CELL' }, { phone: '+1 555-0101', type: 'WORK' }],
            emails: [{ email: 'ana@example.com' }],
          },
          { name: { first_name: 'Bob', last_name: 'Lee' }, phones: [{ wa_id: '447700900000' }] },
        ],
      }),
    );
    expect(message.content).toEqual({
      kind: 'contacts',
      contacts: [
        { name: 'Ana Silva', phones: ['+1 555-0100', '+1 555-0101'] },
        { name: 'Bob Lee', phones: ['447700900000'] },
      ],
    });
  });

  it('reads list_reply with and without a description', () => {
    const withDescription = parseOne(
      webhookWith({
        type: 'interactive',
        interactive: { type: 'list_reply', list_reply: { id: 'row-2', title: 'Tuesday', description: '10:00–12:00' } },
        context: { from: '919888888888', id: REPLIED_TO },
      }),
    );
    expect(withDescription.content).toEqual({ kind: 'list_reply', id: 'row-2', title: 'Tuesday', description: '10:00–12:00' });
    expect(withDescription.contextWamid).toBe(REPLIED_TO);

    const plain = parseOne(webhookWith({ type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'r', title: 'T' } } }));
    expect(plain.content).toEqual({ kind: 'list_reply', id: 'r', title: 'T' });
  });

  it('reads a flow (nfm_reply) submission, keeping the response JSON verbatim', () => {
    const responseJson = '{"flow_token":"tok-1","date":"2025-06-16","guests":2}';
    const message = parseOne(
      webhookWith({ type: 'interactive', interactive: { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent', response_json: responseJson } } }),
    );
    expect(message.content).toEqual({ kind: 'flow_reply', name: 'flow', body: 'Sent', responseJson });
  });

  it('marks a reaction with an empty or absent emoji as removed', () => {
    const empty = parseOne(webhookWith({ type: 'reaction', reaction: { message_id: REPLIED_TO, emoji: '' } }));
    expect(empty.content).toEqual({ kind: 'reaction', emoji: '', messageWamid: REPLIED_TO, removed: true });
    const absent = parseOne(webhookWith({ type: 'reaction', reaction: { message_id: REPLIED_TO } }));
    expect(absent.content).toEqual({ kind: 'reaction', emoji: '', messageWamid: REPLIED_TO, removed: true });
  });

  it('reads an order with its items', () => {
    const message = parseOne(
      webhookWith({
        type: 'order',
        order: {
          catalog_id: '1234567890',
          text: 'please gift-wrap',
          product_items: [
            { product_retailer_id: 'sku-1', quantity: 2, item_price: 9.99, currency: 'INR' },
            { product_retailer_id: 'sku-2', quantity: '1' },
            { quantity: 3 },
          ],
        },
      }),
    );
    expect(message.content).toEqual({
      kind: 'order',
      catalogId: '1234567890',
      text: 'please gift-wrap',
      items: [
        { productRetailerId: 'sku-1', quantity: 2, itemPrice: 9.99, currency: 'INR' },
        { productRetailerId: 'sku-2', quantity: 1 },
      ],
    });
  });

  it('reads a system notice of a changed number', () => {
    const message = parseOne(
      webhookWith({
        type: 'system',
        system: { body: 'User A changed from 919999999999 to 919999999990', wa_id: '919999999990', type: 'user_changed_number' },
      }),
    );
    expect(message.content).toEqual({
      kind: 'system',
      body: 'User A changed from 919999999999 to 919999999990',
      type: 'user_changed_number',
      newWaId: '919999999990',
    });
  });

  it('reads type "unknown" without a declared sender type', () => {
    const message = parseOne(webhookWith({ type: 'unknown', errors: [{ code: 131051, message: 'Message type unknown' }] }));
    expect(message.content).toEqual({ kind: 'unsupported', errorCode: 131051, errorTitle: 'Message type unknown' });
  });

  it('passes a type it does not know on as unsupported, naming the type', () => {
    const message = parseOne(webhookWith({ type: 'ephemeral', ephemeral: {} }));
    expect(message.content).toEqual({ kind: 'unsupported', type: 'ephemeral' });
  });
});

describe('parseWebhookMessages: tolerance', () => {
  it('never throws on garbage and says why nothing was found', () => {
    for (const body of [undefined, null, 42, 'x', [], {}, { entry: 'no' }]) {
      const parsed = parseWebhookMessages(body);
      expect(parsed.messages).toEqual([]);
      expect(parsed.problems).toEqual(['no entry[] in the webhook body']);
    }
  });

  it('keeps the valid messages when one item is bad, and reports the bad one', () => {
    const body = webhookWith({ type: 'text', text: { body: 'first' } }) as { entry: [{ changes: [{ value: { messages: unknown[] } }] }] };
    const list = body.entry[0].changes[0].value.messages;
    list.push('not an object', { from: FROM, type: 'text', text: { body: 'no id' } }, { id: 'wamid.3', type: 'text', text: { body: 'no from' } });
    list.push({ from: FROM, id: 'wamid.4', timestamp: '1750030200', type: 'text', text: { body: 'last' } });
    const { messages, problems } = parseWebhookMessages(body);
    expect(messages.map((m) => m.content)).toEqual([
      { kind: 'text', body: 'first' },
      { kind: 'text', body: 'last' },
    ]);
    expect(problems).toEqual([
      'entry[0].changes[0].messages[1]: not an object',
      'entry[0].changes[0].messages[2]: no id',
      'entry[0].changes[0].messages[3]: no usable from (null)',
    ]);
  });

  it('degrades a known type with a broken payload to unsupported and reports it', () => {
    const { messages, problems } = parseWebhookMessages(webhookWith({ type: 'image', image: { caption: 'no id' } }));
    expect(messages).toHaveLength(1);
    expect(messages[0]?.content).toEqual({ kind: 'unsupported', type: 'image' });
    expect(problems).toEqual(['entry[0].changes[0].messages[0]: media without id; passed on as unsupported']);
  });

  it.each([
    ['text without body', { type: 'text', text: {} }, 'text without text.body'],
    ['location without coordinates', { type: 'location', location: { name: 'x' } }, 'location without numeric latitude/longitude'],
    ['location off the globe', { type: 'location', location: { latitude: 12.9, longitude: 919999999999 } }, 'location outside the globe (latitude ±90, longitude ±180)'],
    ['media whose id is no media id', { type: 'image', image: { id: '12\ud80034' } }, 'media with an id that is not a media id'],
    ['media whose id is a path', { type: 'document', document: { id: '../../me' } }, 'media with an id that is not a media id'],
    ['button without anything', { type: 'button', button: {} }, 'button without payload or text'],
    ['interactive of unknown kind', { type: 'interactive', interactive: { type: 'call_permission_reply', call_permission_reply: {} } }, 'unknown interactive type "call_permission_reply"'],
    ['button_reply without title', { type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'x' } } }, 'button_reply without id/title'],
    ['reaction without message id', { type: 'reaction', reaction: { emoji: '👍' } }, 'reaction without message_id'],
    ['contacts without cards', { type: 'contacts', contacts: [] }, 'contacts without a contact list'],
    ['order without catalog', { type: 'order', order: { product_items: [] } }, 'order without catalog_id'],
    ['system without body', { type: 'system', system: { type: 'user_changed_number' } }, 'system without body'],
  ])('degrades %s', (_label, message, problem) => {
    const { messages, problems } = parseWebhookMessages(webhookWith(message));
    expect(messages[0]?.content).toEqual({ kind: 'unsupported', type: message.type });
    expect(problems).toEqual([`entry[0].changes[0].messages[0]: ${problem}; passed on as unsupported`]);
  });

  it('uses the button text as payload when Meta sent none, and vice versa', () => {
    expect(parseOne(webhookWith({ type: 'button', button: { text: 'Yes' } })).content).toEqual({ kind: 'quick_reply_button', payload: 'Yes', text: 'Yes' });
    expect(parseOne(webhookWith({ type: 'button', button: { payload: 'p' } })).content).toEqual({ kind: 'quick_reply_button', payload: 'p', text: 'p' });
  });

  it('skips a change without phone_number_id but keeps the other changes', () => {
    const good = webhookWith({ type: 'text', text: { body: 'kept' } }) as { entry: [{ changes: unknown[] }] };
    good.entry[0].changes.unshift({ field: 'messages', value: { metadata: {}, messages: [{ from: FROM, id: 'x', type: 'text', text: { body: 'lost' } }] } });
    const { messages, problems } = parseWebhookMessages(good);
    expect(messages.map((m) => m.content)).toEqual([{ kind: 'text', body: 'kept' }]);
    expect(problems).toEqual(['entry[0].changes[0]: no metadata.phone_number_id']);
  });

  it('falls back to receivedAt when the timestamp is missing or invalid', () => {
    for (const timestamp of [undefined, 'soon', '0', -5]) {
      const { messages } = parseWebhookMessages(webhookWith({ timestamp, type: 'text', text: { body: 'x' } }), { receivedAt: 1234 });
      expect(messages[0]?.at).toBe(1234);
    }
  });

  it('matches the profile name by wa_id when a change carries several contacts', () => {
    const body = webhookWith(
      { type: 'text', text: { body: 'hi' } },
      { contacts: [{ profile: { name: 'Someone else' }, wa_id: '15550000000' }, { profile: { name: 'Ana' }, wa_id: FROM }] },
    );
    expect(parseOne(body).contactName).toBe('Ana');
  });

  it('leaves contactName out when no contact matches and there is more than one', () => {
    const body = webhookWith(
      { type: 'text', text: { body: 'hi' } },
      { contacts: [{ profile: { name: 'A' }, wa_id: '15550000001' }, { profile: { name: 'B' }, wa_id: '15550000002' }] },
    );
    expect(parseOne(body)).not.toHaveProperty('contactName');
  });

  it('accepts a lone contact without wa_id and a sender written with +', () => {
    const body = webhookWith({ from: '+919999999999', type: 'text', text: { body: 'hi' } }, { contacts: [{ profile: { name: 'Ana' } }] });
    const message = parseOne(body);
    expect(message.from).toBe(FROM);
    expect(message.contactName).toBe('Ana');
  });

  it('ignores forwarded-only context (no id)', () => {
    const message = parseOne(webhookWith({ type: 'text', text: { body: 'fwd' }, context: { forwarded: true } }));
    expect(message).not.toHaveProperty('contextWamid');
  });
});

describe('parseWebhookMessages: hostile values', () => {
  const DEEP_ARRAY = '['.repeat(10_000) + ']'.repeat(10_000);
  const DEEP_OBJECT = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
  const body = (messages: string) =>
    JSON.parse(`{"entry":[{"changes":[{"value":{"metadata":{"phone_number_id":"${PHONE_NUMBER_ID}"},"messages":[${messages}]}}]}]}`) as unknown;

  it('never throws on values nested 10,000 levels deep, and costs only the item they are in', () => {
    const parsed = parseWebhookMessages(
      body(
        `{"from":${DEEP_ARRAY},"id":"wamid.a","type":"text","text":{"body":"x"}},`
          + `{"from":"${FROM}","id":"wamid.b","timestamp":${DEEP_ARRAY},"type":"text","text":${DEEP_OBJECT}},`
          + `{"from":"${FROM}","id":"wamid.c","type":"interactive","interactive":{"type":"nfm_reply","nfm_reply":{"response_json":${DEEP_OBJECT}}}},`
          + `{"from":"${FROM}","id":"wamid.d","type":"text","text":{"body":"kept"}}`,
      ),
      { receivedAt: 42 },
    );
    expect(parsed.messages.map((message) => [message.wamid, message.content.kind, message.at])).toEqual([
      ['wamid.b', 'unsupported', 42],
      ['wamid.c', 'unsupported', 42],
      ['wamid.d', 'text', 42],
    ]);
    expect(parsed.skipped).toEqual([expect.objectContaining({ where: 'entry[0].changes[0].messages[0]', reason: 'no usable from (an array of 1)', phoneNumberId: PHONE_NUMBER_ID })]);
  });

  it('reads no inherited property as a message type\'s payload', () => {
    const parsed = parseWebhookMessages(body(`{"from":"${FROM}","id":"wamid.p","type":"constructor"},{"from":"${FROM}","id":"wamid.q","type":"__proto__"}`));
    expect(parsed.messages.map((message) => message.content)).toEqual([
      { kind: 'unsupported', type: 'constructor' },
      { kind: 'unsupported', type: '__proto__' },
    ]);
  });
});
