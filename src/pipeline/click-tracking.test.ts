import { describe, expect, it } from 'vitest';
import type { TemplateContent } from '../domain/message.js';
import { newClickCode, trackUrlButtons } from './click-tracking.js';

const template = (overrides: Partial<TemplateContent> = {}): TemplateContent => ({
  kind: 'template',
  name: 'promo',
  language: 'en',
  bodyParams: [],
  buttons: [
    { kind: 'url', index: 0, value: 'https://shop.example.com/sale?id=7' },
    { kind: 'url', index: 1, value: 'cart' },
    { kind: 'url', index: 2, value: 'https://www.clevertap.com/{{1}}' },
    { kind: 'quick_reply', index: 3 },
  ],
  ...overrides,
});

describe('trackUrlButtons', () => {
  it('replaces whole-URL parameters with codes and keeps suffixes, placeholders and other buttons', () => {
    let n = 0;
    const { content, links } = trackUrlButtons(template(), () => `code${++n}xxxxx`);
    expect(links).toEqual([{ code: 'code1xxxxx', url: 'https://shop.example.com/sale?id=7' }]);
    expect((content as TemplateContent).buttons.map((button) => ('value' in button ? button.value : button.kind))).toEqual([
      'code1xxxxx',
      'cart',
      'https://www.clevertap.com/{{1}}',
      'quick_reply',
    ]);
  });

  it('tracks carousel card buttons too, and returns untouched content when nothing is tracked', () => {
    const carousel = template({ buttons: [], carousel: [{ bodyParams: [], buttons: [{ kind: 'url', index: 0, value: 'https://a.example/x' }] }] });
    const tracked = trackUrlButtons(carousel, () => 'cardcode01');
    expect(tracked.links).toEqual([{ code: 'cardcode01', url: 'https://a.example/x' }]);
    expect((tracked.content as TemplateContent).carousel![0]!.buttons[0]).toEqual({ kind: 'url', index: 0, value: 'cardcode01' });
    const plain = template({ buttons: [{ kind: 'url', index: 0, value: 'cart' }] });
    expect(trackUrlButtons(plain).content).toBe(plain);
    const text = { kind: 'text' as const, body: 'https://example.com' };
    expect(trackUrlButtons(text)).toEqual({ content: text, links: [] });
  });

  it('makes unguessable codes', () => {
    const codes = new Set(Array.from({ length: 1000 }, newClickCode));
    expect(codes.size).toBe(1000);
    for (const code of codes) expect(code).toMatch(/^[A-Za-z2-9]{10}$/);
  });
});
