import { describe, expect, it } from 'vitest';
import type { TemplateContent } from '../domain/message.js';
import { MAX_TRACKED_URL_LENGTH, newClickCode, redirectTarget, trackUrlButtons } from './click-tracking.js';

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

  it('does not track a destination that is not a valid http(s) URL', () => {
    const untrackable = [
      'https://shop.example.com/x\r\nSet-Cookie: a=b',
      'https://shop.example.com/x\ny',
      'https://shop.example.com/\tx',
      'https://shop.example.com/\u0000',
      'https://shop.example.com/\u0085',
      'https://exa mple.com/',
      'https://[::1/',
      `https://shop.example.com/${'x'.repeat(MAX_TRACKED_URL_LENGTH)}`,
    ];
    for (const value of untrackable) {
      const content = template({ buttons: [{ kind: 'url', index: 0, value }] });
      expect(trackUrlButtons(content, () => 'code000001'), JSON.stringify(value)).toEqual({ content, links: [] });
    }
  });
});

describe('redirectTarget', () => {
  it('gives the canonical, header-safe form of a valid http(s) URL', () => {
    expect(redirectTarget('https://shop.example.com/app/summer')).toBe('https://shop.example.com/app/summer');
    expect(redirectTarget('HTTPS://Shop.Example.com/sale/🎉?q=ü')).toBe('https://shop.example.com/sale/%F0%9F%8E%89?q=%C3%BC');
    expect(redirectTarget('https://bücher.example/')).toBe('https://xn--bcher-kva.example/');
  });

  it('refuses control characters, other schemes and what does not parse', () => {
    for (const url of ['https://a.example/x\r\nLocation: https://evil.example', 'https://a.example/\t', 'javascript:alert(1)', 'ftp://a.example/', 'data:text/html,x', '//a.example/x', 'https://', 'not a url', '']) {
      expect(redirectTarget(url), JSON.stringify(url)).toBeUndefined();
    }
  });
});
