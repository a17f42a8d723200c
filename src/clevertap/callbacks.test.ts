import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import type { DeliveryReport } from '../domain/delivery-report.js';
import type { InboundContent, InboundMessage } from '../domain/inbound.js';
import { CLEVERTAP_DLR_CODES } from './dlr-codes.js';
import {
  deliveryReportBody,
  dlrError,
  EMPTY_TEXT_PLACEHOLDER,
  IMO_TYPE_BY_KIND,
  inboundMessageBody,
  isReportable,
  type InboundMessageBodyInput,
} from './callbacks.js';

function callbackFixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../test/fixtures/clevertap/callbacks/${name}`, import.meta.url), 'utf8'));
}

const MSG_ID = '25596363|1639561857|20220227|25596363';
/** 1647441774 s, with milliseconds that must be truncated, not rounded. */
const AT = 1647441774_999;

describe('deliveryReportBody (spec §3)', () => {
  it('matches dlr-delivered.json', () => {
    const body = deliveryReportBody([{ msgId: MSG_ID, status: 'delivered', at: AT }]);
    expect(JSON.parse(body)).toEqual(callbackFixture('dlr-delivered.json'));
  });

  it('matches dlr-batch.json, keeping the order given', () => {
    const reports: DeliveryReport[] = [
      { msgId: '1|2|3|4', status: 'sent', at: 1647441770_000 },
      { msgId: '1|2|3|4', status: 'delivered', at: 1647441772_000 },
      { msgId: '1|2|3|5', status: 'read', at: 1647441774_000 },
    ];
    expect(JSON.parse(deliveryReportBody(reports))).toEqual(callbackFixture('dlr-batch.json'));
  });

  it('matches dlr-failed.json: code from the reason, title from the failure', () => {
    const body = deliveryReportBody([
      { msgId: MSG_ID, status: 'failed', at: AT, failure: { reason: 'invalid_phone', title: 'Invalid phone number.' } },
    ]);
    expect(JSON.parse(body)).toEqual(callbackFixture('dlr-failed.json'));
  });

  it('matches dlr-clicked.json: "Clicked", numeric ts, no timestamp', () => {
    const body = deliveryReportBody([
      {
        msgId: '4930004|1731583253|20241114|4930004',
        status: 'clicked',
        at: 1731583300_450,
        click: { url: 'https://shop.example.com/19nov', shortUrl: 'https://t.example.com/c/3Oj42219', userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' },
      },
    ]);
    expect(JSON.parse(body)).toEqual(callbackFixture('dlr-clicked.json'));
    expect(body).toContain('"ts":1731583300,');
    expect(body).not.toContain('timestamp');
  });

  it('is compact JSON with payloadVersion first and the timestamp as a string', () => {
    expect(deliveryReportBody([{ msgId: MSG_ID, status: 'sent', at: AT }])).toBe(
      `{"payloadVersion":"0.1","statuses":[{"msgId":"${MSG_ID}","status":"sent","timestamp":"1647441774"}]}`,
    );
  });

  it('uses the tenant payload version when given', () => {
    expect(JSON.parse(deliveryReportBody([], '0.2'))).toEqual({ payloadVersion: '0.2', statuses: [] });
  });

  it('carries Meta’s title with the code of its canonical reason', () => {
    const body = deliveryReportBody([
      {
        msgId: MSG_ID,
        status: 'failed',
        at: AT,
        failure: { reason: 'outside_window', metaCode: 131047, title: 'Re-engagement message', detail: 'more than 24 hours…' },
      },
    ]);
    expect(JSON.parse(body).statuses[0].error).toEqual({ code: 1008, title: 'Re-engagement message' });
  });

  it('reports a failure without an error as 1009 with CleverTap’s title', () => {
    const body = deliveryReportBody([{ msgId: MSG_ID, status: 'failed', at: AT }]);
    expect(JSON.parse(body).statuses[0]).toEqual({ msgId: MSG_ID, status: 'failed', timestamp: '1647441774', error: { code: 1009, title: 'Other error' } });
  });

  it('ignores failure and click details on statuses they do not belong to', () => {
    const body = deliveryReportBody([
      { msgId: MSG_ID, status: 'read', at: AT, failure: { reason: 'other', title: 'x' }, click: { url: 'u', shortUrl: 's', userAgent: 'a' } },
    ]);
    expect(JSON.parse(body).statuses[0]).toEqual({ msgId: MSG_ID, status: 'read', timestamp: '1647441774' });
  });

  it('leaves out a click without its URLs so the rest of the batch stays valid', () => {
    const body = deliveryReportBody([
      { msgId: 'no-click', status: 'clicked', at: AT },
      { msgId: 'no-short', status: 'clicked', at: AT, click: { url: 'https://x.example', shortUrl: '', userAgent: 'ua' } },
      { msgId: MSG_ID, status: 'delivered', at: AT },
    ]);
    expect(JSON.parse(body).statuses).toEqual([{ msgId: MSG_ID, status: 'delivered', timestamp: '1647441774' }]);
    expect(isReportable({ msgId: MSG_ID, status: 'sent', at: AT })).toBe(true);
    expect(isReportable({ msgId: MSG_ID, status: 'clicked', at: AT })).toBe(false);
  });

  it('sends an empty userAgent when the click had none', () => {
    const report: DeliveryReport = { msgId: MSG_ID, status: 'clicked', at: AT, click: { url: 'u', shortUrl: 's', userAgent: '' } };
    expect(JSON.parse(deliveryReportBody([report])).statuses[0]).toEqual({ msgId: MSG_ID, status: 'Clicked', ts: 1647441774, url: 'u', shortUrl: 's', userAgent: '' });
  });

  it('never emits "NaN" for a nonsensical time', () => {
    expect(JSON.parse(deliveryReportBody([{ msgId: MSG_ID, status: 'sent', at: Number.NaN }])).statuses[0].timestamp).toBe('0');
  });
});

describe('dlrError', () => {
  it('gives every canonical reason its CleverTap code, with CleverTap’s title when the failure has none', () => {
    for (const [reason, { code, title }] of Object.entries(CLEVERTAP_DLR_CODES)) {
      expect(dlrError({ reason: reason as keyof typeof CLEVERTAP_DLR_CODES, title: '  ' })).toEqual({ code, title });
    }
  });

  it('trims the failure title', () => {
    expect(dlrError({ reason: 'device_incapable', title: ' Message undeliverable ' })).toEqual({ code: 1007, title: 'Message undeliverable' });
  });
});

// ---------------------------------------------------------------- IMO

const FROM = '919999999999';
const WABA = '919888888888';
const CONTEXT_ID = '25596363|1639561857|20220227|25596363';

function inbound(content: InboundContent, extra: Partial<InboundMessage> = {}): InboundMessage {
  return { accountPhoneNumberId: '106540352242922', from: FROM, wamid: 'wamid.X', at: AT, content, ...extra };
}

function imo(input: Partial<InboundMessageBodyInput> & { message: InboundMessage }): Record<string, unknown> {
  const body = inboundMessageBody({ wabaNumber: WABA, ...input });
  expect(body).toBeDefined();
  return JSON.parse(body as string) as Record<string, unknown>;
}

const mediaUrl = (id: string) => `https://gateway.example.com/v1/media/${id}?sig=...`;

/** The common head every IMO body has. */
const HEAD = { payloadVersion: '0.1', from: FROM, wabaNumber: WABA, timestamp: '1647441774' };

describe('inboundMessageBody: fixtures (spec §4)', () => {
  it('matches imo-text-reply.json', () => {
    expect(imo({ message: inbound({ kind: 'text', body: 'Hey, This is message' }), contextMsgId: CONTEXT_ID })).toEqual(
      callbackFixture('imo-text-reply.json'),
    );
  });

  it('matches imo-image.json', () => {
    const message = inbound({ kind: 'image', mediaId: 'abc', mimeType: 'image/jpeg', caption: 'This is caption', sha256: 'ignored=' });
    expect(imo({ message, mediaUrl })).toEqual(callbackFixture('imo-image.json'));
  });

  it('matches imo-location.json, coordinates as strings', () => {
    const message = inbound({
      kind: 'location',
      latitude: 2.457476548,
      longitude: 2.457476548,
      name: 'Johns office',
      address: '107, baker street',
      url: 'https://johnsoffice.example.com',
    });
    expect(imo({ message })).toEqual(callbackFixture('imo-location.json'));
  });

  it('matches imo-button.json', () => {
    const message = inbound({ kind: 'quick_reply_button', payload: '25596363|click', text: 'Confirm' });
    expect(imo({ message, contextMsgId: '25596363|1639561857|20220227|25596364' })).toEqual(callbackFixture('imo-button.json'));
  });

  const document = inbound({ kind: 'document', mediaId: 'def', mimeType: 'application/pdf', caption: 'This is body' });

  it('matches imo-file.json exactly when the document mirror is switched off', () => {
    expect(imo({ message: document, mediaUrl, contextMsgId: CONTEXT_ID, mirrorFileAsDocument: false })).toEqual(callbackFixture('imo-file.json'));
  });

  it('by default sends imo-file.json plus an identical `document` object', () => {
    const fixture = callbackFixture('imo-file.json') as { file: unknown };
    expect(imo({ message: document, mediaUrl, contextMsgId: CONTEXT_ID })).toEqual({ ...fixture, document: fixture.file });
  });
});

describe('inboundMessageBody: envelope', () => {
  it('puts payloadVersion first, then from, wabaNumber, timestamp, type, context, content', () => {
    const body = inboundMessageBody({ message: inbound({ kind: 'text', body: 'hi' }), wabaNumber: WABA, contextMsgId: 'c' });
    expect(body).toBe(
      `{"payloadVersion":"0.1","from":"${FROM}","wabaNumber":"${WABA}","timestamp":"1647441774","type":"text","context":{"id":"c"},"text":{"body":"hi"}}`,
    );
  });

  it('leaves context out when no msgId is known, even if the message quoted one', () => {
    const parsed = imo({ message: inbound({ kind: 'text', body: 'hi' }, { contextWamid: 'wamid.Q' }) });
    expect(parsed).not.toHaveProperty('context');
  });

  it('uses the tenant payload version when given', () => {
    const body = inboundMessageBody({ message: inbound({ kind: 'text', body: 'hi' }), wabaNumber: WABA }, '0.2');
    expect(JSON.parse(body as string).payloadVersion).toBe('0.2');
  });
});

describe('inboundMessageBody: every inbound kind', () => {
  it('sends video with mediaURL, mimeType and caption', () => {
    const parsed = imo({ message: inbound({ kind: 'video', mediaId: 'v1', mimeType: 'video/mp4', caption: 'look' }), mediaUrl });
    expect(parsed).toEqual({ ...HEAD, type: 'video', video: { mediaURL: mediaUrl('v1'), mimeType: 'video/mp4', caption: 'look' } });
  });

  it('sends a voice note as plain audio, with no `voice` object', () => {
    const parsed = imo({ message: inbound({ kind: 'audio', voice: true, mediaId: 'a1', mimeType: 'audio/ogg; codecs=opus' }), mediaUrl });
    expect(parsed).toEqual({ ...HEAD, type: 'audio', audio: { mediaURL: mediaUrl('a1'), mimeType: 'audio/ogg; codecs=opus' } });
  });

  it('sends a document with its filename in both objects', () => {
    const parsed = imo({ message: inbound({ kind: 'document', mediaId: 'd1', mimeType: 'application/pdf', filename: 'invoice.pdf' }), mediaUrl });
    const file = { mediaURL: mediaUrl('d1'), mimeType: 'application/pdf', filename: 'invoice.pdf' };
    expect(parsed).toEqual({ ...HEAD, type: 'file', file, document: file });
  });

  it('sends a sticker as an image, WebP when Meta left the MIME type out', () => {
    const withoutMime = imo({ message: inbound({ kind: 'sticker', mediaId: 's1', animated: false }), mediaUrl });
    expect(withoutMime).toEqual({ ...HEAD, type: 'image', image: { mediaURL: mediaUrl('s1'), mimeType: 'image/webp' } });
    const withMime = imo({ message: inbound({ kind: 'sticker', mediaId: 's2', mimeType: 'image/webp' }), mediaUrl });
    expect(withMime['image']).toEqual({ mediaURL: mediaUrl('s2'), mimeType: 'image/webp' });
  });

  it('renders media as text when no media URL can be given', () => {
    const cases: [InboundContent, string][] = [
      [{ kind: 'image', mediaId: 'i', caption: 'my receipt' }, '[image] my receipt'],
      [{ kind: 'video', mediaId: 'v' }, '[video]'],
      [{ kind: 'audio', mediaId: 'a', voice: true }, '[voice message]'],
      [{ kind: 'audio', mediaId: 'a', voice: false }, '[audio]'],
      [{ kind: 'document', mediaId: 'd', filename: 'invoice.pdf' }, '[document] invoice.pdf'],
      [{ kind: 'sticker', mediaId: 's' }, '[sticker]'],
    ];
    for (const [content, text] of cases) {
      expect(imo({ message: inbound(content) })).toEqual({ ...HEAD, type: 'text', text: { body: text } });
    }
  });

  it('sends a location with only the fields present, coordinates never in exponent form', () => {
    const parsed = imo({ message: inbound({ kind: 'location', latitude: 12.9716, longitude: 1e-7 }) });
    expect(parsed).toEqual({ ...HEAD, type: 'location', location: { latitude: '12.9716', longitude: '0.0000001' } });
  });

  it('lets the pipeline replace a quick-reply payload it synthesised, but never with an empty one', () => {
    const message = inbound({ kind: 'quick_reply_button', payload: 'wb1:m0abc:2', text: 'Yes' });
    expect(imo({ message, buttonPayloadOverride: 'Yes' })['button']).toEqual({ payload: 'Yes', text: 'Yes' });
    expect(imo({ message, buttonPayloadOverride: '' })['button']).toEqual({ payload: 'wb1:m0abc:2', text: 'Yes' });
    const reply = inbound({ kind: 'button_reply', id: 'yes-1', title: 'Yes' });
    expect(imo({ message: reply, buttonPayloadOverride: 'confirmed' })['button']).toEqual({ payload: 'confirmed', text: 'Yes' });
  });

  it('sends a blank text as a placeholder, since CleverTap rejects an empty body', () => {
    expect(imo({ message: inbound({ kind: 'text', body: '  ' }) })['text']).toEqual({ body: EMPTY_TEXT_PLACEHOLDER });
  });

  it('always sends mimeType on media, octet-stream when Meta left it out', () => {
    const parsed = imo({ message: inbound({ kind: 'image', mediaId: 'i1' }), mediaUrl });
    expect(parsed['image']).toEqual({ mediaURL: mediaUrl('i1'), mimeType: 'application/octet-stream' });
  });

  it('sends interactive button and list replies as `button` (id as payload, title as text)', () => {
    expect(imo({ message: inbound({ kind: 'button_reply', id: 'yes-1', title: 'Yes' }), contextMsgId: CONTEXT_ID })).toEqual({
      ...HEAD,
      type: 'button',
      context: { id: CONTEXT_ID },
      button: { payload: 'yes-1', text: 'Yes' },
    });
    expect(imo({ message: inbound({ kind: 'list_reply', id: 'row-2', title: 'Tuesday', description: '10:00–12:00' }) })).toEqual({
      ...HEAD,
      type: 'button',
      button: { payload: 'row-2', text: 'Tuesday' },
    });
  });

  it('renders a flow reply as text with its answers, without the flow token', () => {
    const message = inbound({ kind: 'flow_reply', name: 'flow', body: 'Sent', responseJson: '{"flow_token":"tok","date":"2025-06-16","guests":2}' });
    expect(imo({ message })).toEqual({ ...HEAD, type: 'text', text: { body: '[form reply] Sent\ndate: 2025-06-16\nguests: 2' } });
  });

  it('renders a flow reply whose response is not JSON verbatim', () => {
    const message = inbound({ kind: 'flow_reply', body: '', responseJson: 'not json' });
    expect(imo({ message })['text']).toEqual({ body: '[form reply]\nnot json' });
  });

  it('renders a reaction as text and skips a removed one', () => {
    const reaction = inbound({ kind: 'reaction', emoji: '👍', messageWamid: 'wamid.Q', removed: false });
    expect(imo({ message: reaction, contextMsgId: CONTEXT_ID })).toEqual({
      ...HEAD,
      type: 'text',
      context: { id: CONTEXT_ID },
      text: { body: 'Reacted 👍 to a message' },
    });
    const removed = inbound({ kind: 'reaction', emoji: '', messageWamid: 'wamid.Q', removed: true });
    expect(inboundMessageBody({ message: removed, wabaNumber: WABA })).toBeUndefined();
  });

  it('renders contact cards as text', () => {
    const message = inbound({
      kind: 'contacts',
      contacts: [
        { name: 'Ana Silva', phones: ['+1 555-0100', '+1 555-0101'] },
        { name: '', phones: ['447700900000'] },
      ],
    });
    expect(imo({ message })['text']).toEqual({ body: '[contact card] Ana Silva +1 555-0100, +1 555-0101; 447700900000' });
    expect(imo({ message: inbound({ kind: 'contacts', contacts: [] }) })['text']).toEqual({ body: '[contact card]' });
  });

  it('renders an order as text, one line per item, then the note', () => {
    const message = inbound({
      kind: 'order',
      catalogId: 'c1',
      text: 'please gift-wrap',
      items: [
        { productRetailerId: 'sku-1', quantity: 2, itemPrice: 9.99, currency: 'INR' },
        { productRetailerId: 'sku-2', quantity: 1 },
      ],
    });
    expect(imo({ message })).toEqual({ ...HEAD, type: 'text', text: { body: '[order] 2 items\n2 × sku-1 @ 9.99 INR\n1 × sku-2\nplease gift-wrap' } });
    const single = inbound({ kind: 'order', catalogId: 'c1', items: [{ productRetailerId: 'x', quantity: 3 }] });
    expect(imo({ message: single })['text']).toEqual({ body: '[order] 1 item\n3 × x' });
  });

  it('renders a system notice as text', () => {
    const message = inbound({ kind: 'system', body: 'User A changed from 1 to 2', type: 'user_changed_number', newWaId: '2' });
    expect(imo({ message })).toEqual({ ...HEAD, type: 'text', text: { body: '[system] User A changed from 1 to 2' } });
  });

  it('renders an unsupported message as text, naming its type when known', () => {
    expect(imo({ message: inbound({ kind: 'unsupported', type: 'poll', errorCode: 131051 }) })['text']).toEqual({ body: '[unsupported message: poll]' });
    expect(imo({ message: inbound({ kind: 'unsupported' }) })['text']).toEqual({ body: '[unsupported message]' });
  });
});

describe('IMO_TYPE_BY_KIND and docs/inbound-mapping.md', () => {
  const doc = readFileSync(new URL('../../docs/inbound-mapping.md', import.meta.url), 'utf8');

  it('documents every canonical kind with the IMO type it is sent as', () => {
    for (const [kind, type] of Object.entries(IMO_TYPE_BY_KIND)) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${kind}\` `));
      expect(row, `no table row for ${kind}`).toBeDefined();
      expect(row?.split('|')[3]?.trim(), `IMO type of ${kind}`).toBe(`\`${type}\``);
    }
  });
});

describe('IMO_TYPE_BY_KIND matches what the builder emits', () => {
  const SAMPLES: Record<keyof typeof IMO_TYPE_BY_KIND, InboundContent> = {
    text: { kind: 'text', body: 'b' },
    image: { kind: 'image', mediaId: 'm' },
    video: { kind: 'video', mediaId: 'm' },
    audio: { kind: 'audio', mediaId: 'm', voice: true },
    document: { kind: 'document', mediaId: 'm' },
    sticker: { kind: 'sticker', mediaId: 'm' },
    location: { kind: 'location', latitude: 1, longitude: 2 },
    quick_reply_button: { kind: 'quick_reply_button', payload: 'p', text: 't' },
    button_reply: { kind: 'button_reply', id: 'i', title: 't' },
    list_reply: { kind: 'list_reply', id: 'i', title: 't' },
    flow_reply: { kind: 'flow_reply', body: 'Sent', responseJson: '{}' },
    reaction: { kind: 'reaction', emoji: '❤️', messageWamid: 'w', removed: false },
    contacts: { kind: 'contacts', contacts: [{ name: 'A', phones: [] }] },
    order: { kind: 'order', catalogId: 'c', items: [] },
    system: { kind: 'system', body: 'b', type: 'user_changed_number' },
    unsupported: { kind: 'unsupported' },
  };

  for (const [kind, content] of Object.entries(SAMPLES)) {
    it(`sends ${kind} as ${IMO_TYPE_BY_KIND[kind as keyof typeof IMO_TYPE_BY_KIND]}`, () => {
      const parsed = imo({ message: inbound(content), mediaUrl });
      const type = IMO_TYPE_BY_KIND[kind as keyof typeof IMO_TYPE_BY_KIND];
      expect(parsed['type']).toBe(type);
      expect(parsed).toHaveProperty(type);
    });
  }
});
