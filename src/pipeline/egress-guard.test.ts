import { describe, expect, it } from 'vitest';
import { assertPublicUrl, EgressRefused, isNonPublicAddress, publicOnlyLookup } from './egress-guard.js';

describe('egress guard', () => {
  it('classifies addresses', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', 'not-an-ip']) {
      expect(isNonPublicAddress(address), address).toBe(true);
    }
    for (const address of ['8.8.8.8', '52.95.110.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
      expect(isNonPublicAddress(address), address).toBe(false);
    }
  });

  it('refuses URLs with non-public literal hosts', () => {
    expect(() => assertPublicUrl('http://169.254.169.254/latest/meta-data')).toThrow(EgressRefused);
    expect(() => assertPublicUrl('http://[::1]:8080/x')).toThrow(EgressRefused);
    expect(() => assertPublicUrl('http://localhost:9000/x')).toThrow(EgressRefused);
    expect(() => assertPublicUrl('https://wzrkt.com/dlr')).not.toThrow();
  });

  it('refuses names that resolve to non-public addresses at connect time', async () => {
    const error = await new Promise<Error | null>((resolve) => publicOnlyLookup('localhost', {}, (err) => resolve(err)));
    expect(error).toBeInstanceOf(EgressRefused);
  });
});
