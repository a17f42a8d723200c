import { describe, it, expect } from 'vitest';
import { normalizeLanguageCode } from './language.js';

describe('normalizeLanguageCode', () => {
  it.each([
    ['en', 'en'],
    ['EN', 'en'],
    ['bg', 'bg'],
    ['fil', 'fil'],
    ['en_US', 'en_US'],
    ['en-us', 'en_US'],
    ['en_us', 'en_US'],
    ['EN-GB', 'en_GB'],
    ['en(uk)', 'en_GB'],
    ['en(UK)', 'en_GB'],
    ['en_uk', 'en_GB'],
    ['en(us)', 'en_US'],
    ['pt(BR)', 'pt_BR'],
    ['pt (br)', 'pt_BR'],
    ['zh(cn)', 'zh_CN'],
    ['es(419)', 'es_419'],
    ['xx(yy)', 'xx_YY'],
    ['  en_US  ', 'en_US'],
  ])('maps %j to %j', (raw, expected) => {
    expect(normalizeLanguageCode(raw)).toBe(expected);
  });

  it('keeps uk as a language (Ukrainian); it is a GB alias only in region position', () => {
    expect(normalizeLanguageCode('uk')).toBe('uk');
  });

  it('passes unknown shapes through, trimmed', () => {
    expect(normalizeLanguageCode('  English ')).toBe('English');
    expect(normalizeLanguageCode('zh-Hant')).toBe('zh-Hant');
    expect(normalizeLanguageCode('')).toBe('');
  });

  it('consults the override table first, with case-insensitive keys', () => {
    const overrides = { 'EN(UK)': 'en', Hindi: 'hi' };
    expect(normalizeLanguageCode('en(uk)', overrides)).toBe('en');
    expect(normalizeLanguageCode(' hindi ', overrides)).toBe('hi');
    expect(normalizeLanguageCode('en(us)', overrides)).toBe('en_US');
  });

  it('also applies overrides keyed by the normalised Meta code', () => {
    const overrides = { en_us: 'en' };
    expect(normalizeLanguageCode('en-us', overrides)).toBe('en');
    expect(normalizeLanguageCode('en(US)', overrides)).toBe('en');
    expect(normalizeLanguageCode('en_GB', overrides)).toBe('en_GB');
  });
});
