import { describe, expect, it } from 'vitest';
import { redactCallbackUrl } from './callback-url.js';

describe('redactCallbackUrl', () => {
  it('keeps the origin and hides the path and query that carry the tenant token', () => {
    expect(redactCallbackUrl('https://wzrkt.com/a/TENANT-TOKEN/dlr?secret=xyz')).toBe('https://wzrkt.com/…');
    expect(redactCallbackUrl('http://127.0.0.1:8080/dlr/acme')).toBe('http://127.0.0.1:8080/…');
    expect(redactCallbackUrl('https://user:pass@ct.example/x')).toBe('https://ct.example/…');
  });

  it('never echoes text that is not a URL', () => {
    expect(redactCallbackUrl('not a url with-a-token')).toBe('[invalid url]');
  });
});
