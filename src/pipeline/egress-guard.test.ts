import { describe, expect, it } from 'vitest';
import { assertPublicUrl, EgressRefused, ipv6Groups, isNonPublicAddress, publicOnlyLookup } from './egress-guard.js';

/** Every way to write the same IPv6 address that Node accepts: compressed, expanded, dotted tail. */
const spellings = (...forms: string[]) => forms;

describe('egress guard', () => {
  it('classifies addresses', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', 'not-an-ip']) {
      expect(isNonPublicAddress(address), address).toBe(true);
    }
    for (const address of ['8.8.8.8', '52.95.110.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
      expect(isNonPublicAddress(address), address).toBe(false);
    }
  });

  it('refuses the IPv4 documentation and 6to4-relay blocks', () => {
    for (const address of ['192.0.2.1', '198.51.100.7', '203.0.113.9', '192.88.99.1', '255.255.255.255', '224.0.0.1']) {
      expect(isNonPublicAddress(address), address).toBe(true);
    }
  });

  it('parses IPv6 in every spelling to the same groups', () => {
    const loopbackMapped = [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1];
    for (const form of ['::ffff:127.0.0.1', '::FFFF:7F00:1', '0:0:0:0:0:ffff:7f00:0001', '0000:0000:0000:0000:0000:ffff:127.0.0.1']) {
      expect(ipv6Groups(form), form).toEqual(loopbackMapped);
    }
    expect(ipv6Groups('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(ipv6Groups('2001:db8::')).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0]);
    expect(ipv6Groups('fe80::1%eth0')).toBeUndefined();
    expect(ipv6Groups('127.0.0.1')).toBeUndefined();
  });

  // Each row: a range, spellings that must be refused, and (where the range carries an IPv4)
  // spellings with a public IPv4 inside that must pass.
  const cases: Array<{ range: string; refused: string[]; allowed?: string[] }> = [
    {
      range: '::ffff:0:0/96 (IPv4-mapped)',
      refused: spellings('::ffff:127.0.0.1', '::ffff:7f00:1', '0:0:0:0:0:ffff:7f00:1', '0000:0000:0000:0000:0000:ffff:7f00:0001', '::ffff:10.0.0.1', '::ffff:a9fe:a9fe', '::ffff:169.254.169.254'),
      allowed: spellings('::ffff:8.8.8.8', '::ffff:808:808', '0:0:0:0:0:ffff:0808:0808'),
    },
    {
      range: '::ffff:0:0:0/96 (IPv4-translated)',
      refused: spellings('::ffff:0:127.0.0.1', '::ffff:0:7f00:1', '0:0:0:0:ffff:0:7f00:1'),
      allowed: spellings('::ffff:0:8.8.8.8', '0:0:0:0:ffff:0:808:808'),
    },
    {
      range: '::/96 (IPv4-compatible)',
      refused: spellings('::127.0.0.1', '::7f00:1', '0:0:0:0:0:0:7f00:1', '::10.1.2.3', '::a01:203', '::169.254.169.254'),
      allowed: spellings('::8.8.8.8', '::808:808', '0:0:0:0:0:0:808:808'),
    },
    {
      range: ':: and ::1',
      refused: spellings('::', '0:0:0:0:0:0:0:0', '0000:0000:0000:0000:0000:0000:0000:0000', '::0.0.0.0', '::1', '0:0:0:0:0:0:0:1', '0000:0000:0000:0000:0000:0000:0000:0001', '::0.0.0.1'),
    },
    {
      range: '64:ff9b::/96 (NAT64)',
      refused: spellings('64:ff9b::127.0.0.1', '64:ff9b::7f00:1', '64:ff9b:0:0:0:0:7f00:1', '0064:ff9b:0000:0000:0000:0000:7f00:0001', '64:FF9B::A9FE:A9FE', '64:ff9b::192.168.0.1', '64:ff9b::10.0.0.1'),
      allowed: spellings('64:ff9b::8.8.8.8', '64:ff9b::808:808', '0064:ff9b:0000:0000:0000:0000:0808:0808'),
    },
    {
      range: '64:ff9b:1::/48 (local-use NAT64)',
      refused: spellings('64:ff9b:1::8.8.8.8', '64:ff9b:1::808:808', '64:ff9b:1:0:0:0:808:808'),
    },
    {
      range: '2002::/16 (6to4)',
      refused: spellings('2002:7f00:1::', '2002:7f00:0001:0:0:0:0:1', '2002:7f00:1::1', '2002:a00:1::', '2002:c0a8:101::1', '2002:a9fe:a9fe::', '2002:c000:201::'),
      allowed: spellings('2002:808:808::1', '2002:0808:0808:0000:0000:0000:0000:0001'),
    },
    { range: 'fec0::/10 (site-local)', refused: spellings('fec0::1', 'FEC0:0:0:0:0:0:0:1', 'feff:ffff::1', 'fec0::127.0.0.1') },
    { range: 'fc00::/7 (unique local)', refused: spellings('fc00::1', 'fd12:3456:789a::1', 'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fd00::8.8.8.8') },
    { range: 'fe80::/10 (link-local)', refused: spellings('fe80::1', 'fe80:0:0:0:0:0:0:1', 'febf::1', 'fe80::1%eth0', 'fe80::8.8.8.8') },
    { range: 'ff00::/8 (multicast)', refused: spellings('ff02::1', 'ff05::1:3', 'FF0E:0:0:0:0:0:0:101') },
    { range: '100::/64 (discard)', refused: spellings('100::', '100::1', '0100:0000:0000:0000:ffff:ffff:ffff:ffff', '100::8.8.8.8') },
    { range: '2001:db8::/32 (documentation)', refused: spellings('2001:db8::1', '2001:0db8:0000:0000:0000:0000:0000:0001', '2001:DB8:ffff::8.8.8.8') },
    { range: '3fff::/20 (documentation)', refused: spellings('3fff::1', '3fff:0fff::1') },
    { range: '2001::/32 (Teredo)', refused: spellings('2001::1', '2001:0:4136:e378:8000:63bf:3fff:fdd2', '2001:0000:0000:0000:0000:0000:0000:0001', '2001::8.8.8.8') },
    { range: '2001::/23 (IETF assignments)', refused: spellings('2001:2::1', '2001:10::1', '2001:1ff::1') },
    { range: 'outside 2000::/3 (unassigned)', refused: spellings('4000::1', '1234::1', 'e000::1') },
  ];
  for (const { range, refused, allowed = [] } of cases) {
    it(`decides ${range} in every spelling`, () => {
      for (const address of refused) expect(isNonPublicAddress(address), address).toBe(true);
      for (const address of allowed) expect(isNonPublicAddress(address), address).toBe(false);
    });
  }

  it('keeps global unicast IPv6 public, next to the refused blocks', () => {
    for (const address of ['2606:4700:4700::1111', '2a00:1450:4001:82a::200e', '2001:200::1', '2001:4860:4860::8888', '2003::1', '3ffe:ffff::1', '2001:db9::1']) {
      expect(isNonPublicAddress(address), address).toBe(false);
    }
  });

  it('refuses URLs with non-public literal hosts, in every spelling the URL parser keeps', () => {
    expect(() => assertPublicUrl('http://169.254.169.254/latest/meta-data')).toThrow(EgressRefused);
    expect(() => assertPublicUrl('http://[::1]:8080/x')).toThrow(EgressRefused);
    expect(() => assertPublicUrl('http://localhost:9000/x')).toThrow(EgressRefused);
    expect(() => assertPublicUrl('http://localhost.:9000/x')).toThrow(EgressRefused);
    for (const host of ['[::ffff:127.0.0.1]', '[64:ff9b::7f00:1]', '[64:ff9b::169.254.169.254]', '[::127.0.0.1]', '[2002:7f00:1::1]', '[fec0::1]', '[0:0:0:0:0:0:0:1]', '2130706433', '0x7f.1', '017700000001']) {
      expect(() => assertPublicUrl(`http://${host}/dlr`), host).toThrow(EgressRefused);
    }
    expect(() => assertPublicUrl('https://wzrkt.com/dlr')).not.toThrow();
    expect(() => assertPublicUrl('http://[64:ff9b::8.8.8.8]/dlr')).not.toThrow();
  });

  it('refuses names that resolve to non-public addresses at connect time', async () => {
    const error = await new Promise<Error | null>((resolve) => publicOnlyLookup('localhost', {}, (err) => resolve(err)));
    expect(error).toBeInstanceOf(EgressRefused);
  });
});
