import { describe, it, expect } from 'vitest';
import type { FreeformContent } from '../domain/message.js';
import { MAX_TEXT_BODY_CHARS } from './parse-freeform.js';
import { parseSendRequest } from './parse-send-request.js';

function send(fields: Record<string, unknown>) {
  return { payloadVersion: 0.1, to: '919999999999', wabaNumber: '919888888888', isTemplate: false, msg_id: 'm|1', ...fields };
}

function content(fields: Record<string, unknown>): FreeformContent {
  const outcome = parseSendRequest(send(fields));
  if (outcome.kind !== 'message' || outcome.request.content.kind === 'template') {
    throw new Error(`expected freeform content, got ${JSON.stringify(outcome)}`);
  }
  return outcome.request.content;
}

function rejection(fields: Record<string, unknown>) {
  const outcome = parseSendRequest(send(fields));
  if (outcome.kind !== 'rejected') throw new Error(`expected a rejection, got ${JSON.stringify(outcome)}`);
  return { code: outcome.code, message: outcome.message };
}

describe('freeform text', () => {
  it('reads text.body', () => {
    expect(content({ type: 'text', text: { body: 'Hello from the agent' } })).toEqual({ kind: 'text', body: 'Hello from the agent' });
  });

  it('accepts a bare string text', () => {
    expect(content({ type: 'text', text: 'hi' })).toEqual({ kind: 'text', body: 'hi' });
  });

  it('rejects a missing or empty body', () => {
    expect(rejection({ type: 'text' })).toEqual({ code: 2001, message: 'text.body is missing' });
    expect(rejection({ type: 'text', text: {} })).toEqual({ code: 2001, message: 'text.body is missing' });
    expect(rejection({ type: 'text', text: { body: '  ' } })).toEqual({ code: 2001, message: 'text.body is empty' });
  });

  it(`allows ${MAX_TEXT_BODY_CHARS} characters, counting emoji as one, and rejects more`, () => {
    const atLimit = '😀'.repeat(MAX_TEXT_BODY_CHARS);
    expect(content({ type: 'text', text: { body: atLimit } })).toEqual({ kind: 'text', body: atLimit });
    expect(rejection({ type: 'text', text: { body: 'a'.repeat(MAX_TEXT_BODY_CHARS + 1) } })).toEqual({
      code: 2001,
      message: `text.body is 4097 characters long; WhatsApp allows at most ${MAX_TEXT_BODY_CHARS}`,
    });
  });
});

describe('freeform media', () => {
  it('reads image and video with captions, prepending https:// to scheme-less URLs (spec §1.4 samples)', () => {
    expect(content({ type: 'image', image: { mediaURL: 'www.example.com/image.png', caption: 'This is body' } })).toEqual({
      kind: 'image',
      media: { link: 'https://www.example.com/image.png' },
      caption: 'This is body',
    });
    expect(content({ type: 'video', video: { mediaURL: 'www.example.com/video.mp4' } })).toEqual({
      kind: 'video',
      media: { link: 'https://www.example.com/video.mp4' },
    });
  });

  it('accepts url and link spellings', () => {
    expect(content({ type: 'image', image: { url: 'https://x.example/i.png' } })).toMatchObject({ media: { link: 'https://x.example/i.png' } });
    expect(content({ type: 'image', image: { link: 'https://x.example/j.png' } })).toMatchObject({ media: { link: 'https://x.example/j.png' } });
  });

  it('maps audio and voice to audio', () => {
    expect(content({ type: 'audio', audio: { mediaURL: 'www.example.com/audio.mp3' } })).toEqual({
      kind: 'audio',
      media: { link: 'https://www.example.com/audio.mp3' },
    });
    expect(content({ type: 'voice', voice: { mediaURL: 'https://x.example/v.ogg' } })).toEqual({
      kind: 'audio',
      media: { link: 'https://x.example/v.ogg' },
    });
  });

  it.each(['file', 'document'])('maps type %s to a document with caption and filename', (type) => {
    expect(content({ type, [type]: { mediaURL: 'www.example.com/document.pdf', caption: 'c', filename: 'sample.pdf' } })).toEqual({
      kind: 'document',
      media: { link: 'https://www.example.com/document.pdf' },
      caption: 'c',
      filename: 'sample.pdf',
    });
  });

  it('reads stickers', () => {
    expect(content({ type: 'sticker', sticker: { mediaURL: 'https://x.example/s.webp' } })).toEqual({
      kind: 'sticker',
      media: { link: 'https://x.example/s.webp' },
    });
  });

  it('rejects a missing media object or URL, naming the path', () => {
    expect(rejection({ type: 'image' })).toEqual({ code: 2001, message: 'image is missing' });
    expect(rejection({ type: 'image', image: { caption: 'x' } })).toEqual({ code: 2001, message: 'image.mediaURL is missing' });
    expect(rejection({ type: 'audio', audio: { mediaURL: 'httpa://x.example/a.mp3' } }).message).toBe(
      'audio.mediaURL "httpa://x.example/a.mp3" has unsupported scheme "httpa"; use http or https',
    );
  });
});

describe('freeform location', () => {
  it('reads string or numeric coordinates with optional name and address', () => {
    expect(
      content({ type: 'location', location: { latitude: '2.457476548', longitude: 2.45, name: 'Johns office', address: '107, baker street' } }),
    ).toEqual({ kind: 'location', latitude: 2.457476548, longitude: 2.45, name: 'Johns office', address: '107, baker street' });
  });

  it('rejects missing coordinates', () => {
    expect(rejection({ type: 'location', location: { latitude: '1' } }).message).toBe('location.longitude is missing');
  });
});

describe('freeform type (spec §7.13)', () => {
  it('infers an absent type from the content object', () => {
    expect(content({ text: { body: 'hi' } })).toEqual({ kind: 'text', body: 'hi' });
    expect(content({ file: { mediaURL: 'https://x.example/d.pdf' } })).toEqual({ kind: 'document', media: { link: 'https://x.example/d.pdf' } });
    expect(content({ location: { latitude: 1, longitude: 2 } })).toEqual({ kind: 'location', latitude: 1, longitude: 2 });
  });

  it('matches the type case-insensitively', () => {
    expect(content({ type: ' Image ', image: { mediaURL: 'https://x.example/i.png' } }).kind).toBe('image');
  });

  it('rejects unsupported types naming them', () => {
    expect(rejection({ type: 'contacts', contacts: [] })).toEqual({
      code: 2001,
      message: 'type "contacts" is not supported for freeform messages; expected text, image, video, audio, file, document, sticker or location',
    });
    expect(rejection({ type: 'list' }).message).toContain('type "list" is not supported');
  });

  it('rejects a message with neither type nor content', () => {
    expect(rejection({})).toEqual({
      code: 2001,
      message: 'type is missing and no text, image, video, audio, file, document, sticker or location object is present',
    });
    expect(rejection({ type: 5 }).message).toBe('type must be a string, got 5');
  });
});
