/**
 * @module pipeline/egress-guard
 * Callback URLs can arrive in request headers (Kaleyra style), so in production a caller could
 * point the gateway at its own network: a metadata service, an admin port. Outbound callbacks and
 * media fetches therefore refuse destinations that resolve to loopback, private, link-local or
 * otherwise non-public addresses, unless the account explicitly allows them. The check runs on the
 * address actually connected to (a DNS lookup hook), so a hostname that resolves differently the
 * second time gains nothing.
 *
 * IPv6 is checked in every spelling: forms that carry an IPv4 address (mapped, compatible,
 * translated, NAT64 64:ff9b::/96, 6to4 2002::/16) are decided by that IPv4; outside global
 * unicast (2000::/3) nothing is public; inside it, the IETF and documentation blocks are refused.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const NON_PUBLIC_V4 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NON_PUBLIC_V4.addSubnet(network, prefix, 'ipv4');
}

/**
 * IPv6 forms that carry an IPv4 address: the IPv4 decides (a public address behind NAT64 is
 * public, `::ffff:127.0.0.1` is loopback). `::` and `::1` fall in `::/96` and are decided as
 * 0.0.0.0 and 0.0.0.1, both refused.
 */
const EMBEDDED_IPV4: ReadonlyArray<{ prefix: string; bits: number; at: number }> = [
  { prefix: '::ffff:0:0', bits: 96, at: 6 }, // IPv4-mapped
  { prefix: '::ffff:0:0:0', bits: 96, at: 6 }, // IPv4-translated (SIIT)
  { prefix: '::', bits: 96, at: 6 }, // IPv4-compatible (deprecated)
  { prefix: '64:ff9b::', bits: 96, at: 6 }, // NAT64 well-known prefix
  { prefix: '2002::', bits: 16, at: 1 }, // 6to4
];

/**
 * Only 2000::/3 is global unicast; inside it these are not reachable destinations. Teredo
 * (2001::/32, in 2001::/23) is refused whole: its client address is obfuscated and a tunnel
 * endpoint is never a CleverTap callback.
 */
const NON_PUBLIC_V6: ReadonlyArray<{ prefix: string; bits: number }> = [
  { prefix: '2001::', bits: 23 }, // IETF protocol assignments: Teredo, benchmarking, ORCHID, …
  { prefix: '2001:db8::', bits: 32 }, // documentation
  { prefix: '3fff::', bits: 20 }, // documentation (RFC 9637)
];
const GLOBAL_UNICAST = { prefix: '2000::', bits: 3 };

/** The eight 16-bit groups of an IPv6 address in any spelling (compressed, expanded, dotted tail). */
export function ipv6Groups(address: string): number[] | undefined {
  if (isIP(address) !== 6 || address.includes('%')) return undefined;
  let text = address.toLowerCase();
  let tail: [number, number] | undefined;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    tail = [(a << 8) | b, (c << 8) | d];
    text = `${text.slice(0, dotted.index)}0:0`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const parts = rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const groups = parts.map((part) => parseInt(part, 16));
  if (groups.length !== 8 || groups.some((group) => !(group >= 0 && group <= 0xffff))) return undefined;
  if (tail) [groups[6], groups[7]] = tail;
  return groups;
}

function inPrefix(groups: readonly number[], network: readonly number[], bits: number): boolean {
  for (let index = 0; index < 8 && bits > 0; index++, bits -= 16) {
    const mask = (0xffff << (16 - Math.min(16, bits))) & 0xffff;
    if ((groups[index]! & mask) !== (network[index]! & mask)) return false;
  }
  return true;
}

const parsed = <T extends { prefix: string }>(ranges: readonly T[]) => ranges.map((range) => ({ ...range, network: ipv6Groups(range.prefix)! }));
const EMBEDDED = parsed(EMBEDDED_IPV4);
const REFUSED_V6 = parsed(NON_PUBLIC_V6);
const [UNICAST] = parsed([GLOBAL_UNICAST]);

/** Whether an IP address is outside the public internet. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return NON_PUBLIC_V4.check(address, 'ipv4');
  // Not an IP, or scoped to an interface (`fe80::1%eth0`): never a public destination.
  const groups = family === 6 ? ipv6Groups(address) : undefined;
  if (!groups) return true;
  const embedded = EMBEDDED.find((range) => inPrefix(groups, range.network, range.bits));
  if (embedded) {
    const high = groups[embedded.at]!;
    const low = groups[embedded.at + 1]!;
    return isNonPublicAddress(`${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`);
  }
  // Outside 2000::/3 lie loopback, ULA (fc00::/7), link- and site-local (fe80::/10, fec0::/10),
  // multicast (ff00::/8), discard (100::/64), local-use NAT64 (64:ff9b:1::/48) and the unassigned.
  if (!inPrefix(groups, UNICAST!.network, UNICAST!.bits)) return true;
  return REFUSED_V6.some((range) => inPrefix(groups, range.network, range.bits));
}

export class EgressRefused extends Error {
  override name = 'EgressRefused';
}

/** Refuses URLs whose host is a non-public IP literal (DNS names are checked at connect time). */
export function assertPublicUrl(url: string): void {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (isIP(host) !== 0 && isNonPublicAddress(host)) throw new EgressRefused(`refused: ${host} is not a public address`);
  if (host === 'localhost' || host.endsWith('.localhost')) throw new EgressRefused(`refused: ${host} is not a public address`);
}

/** A `lookup` for sockets that fails when a name resolves to a non-public address. */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[] | string, family?: number) => {
    if (error) return callback(error, '', 0);
    const list: LookupAddress[] = Array.isArray(addresses) ? addresses : [{ address: addresses, family: family ?? 4 }];
    const refused = list.find((entry) => isNonPublicAddress(entry.address));
    if (refused) return callback(new EgressRefused(`refused: ${hostname} resolves to ${refused.address}, not a public address`), '', 0);
    if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
    const first = list[0]!;
    callback(null, first.address, first.family);
  });
};
