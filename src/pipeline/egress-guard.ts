/**
 * @module pipeline/egress-guard
 * Callback URLs can arrive in request headers (Kaleyra style), so in production a caller could
 * point the gateway at its own network: a metadata service, an admin port. Outbound callbacks and
 * media fetches therefore refuse destinations that resolve to loopback, private, link-local or
 * otherwise non-public addresses, unless the account explicitly allows them. The check runs on the
 * address actually connected to (a DNS lookup hook), so a hostname that resolves differently the
 * second time gains nothing.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/** Whether an IP address is outside the public internet. */
export function isNonPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isNonPublicAddress(mapped[1]!);
  const family = isIP(address);
  if (family === 0) return true;
  return NON_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class EgressRefused extends Error {
  override name = 'EgressRefused';
}

/** Refuses URLs whose host is a non-public IP literal (DNS names are checked at connect time). */
export function assertPublicUrl(url: string): void {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
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
