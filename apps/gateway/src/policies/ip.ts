import { BlockList, isIPv4, isIPv6 } from 'node:net';

export interface NormalizedIp {
  address: string;
  family: 'ipv4' | 'ipv6';
}

/** One list of CIDRs (or bare addresses), IPv4 and IPv6, matched through node:net BlockList. */
export interface IpMatcher {
  matches(ip: NormalizedIp): boolean;
  /** Entries that are not valid CIDRs; they match nothing. */
  readonly invalid: readonly string[];
  readonly size: number;
}

const MAPPED_DOTTED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
const MAPPED_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i;

/**
 * Canonical form of an address as seen on a socket or in X-Forwarded-For: brackets, ports and zone ids
 * removed, IPv4-mapped IPv6 (::ffff:1.2.3.4) turned into plain IPv4 so one IPv4 rule covers both.
 */
export function normalizeIp(raw: string | undefined): NormalizedIp | null {
  if (!raw) return null;
  let value = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed?.[1]) value = bracketed[1];
  else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d+$/.test(value)) value = value.slice(0, value.lastIndexOf(':'));
  const zone = value.indexOf('%');
  if (zone !== -1) value = value.slice(0, zone);
  if (isIPv4(value)) return { address: value, family: 'ipv4' };
  if (!isIPv6(value)) return null;
  const dotted = MAPPED_DOTTED.exec(value)?.[1];
  if (dotted && isIPv4(dotted)) return { address: dotted, family: 'ipv4' };
  const hex = MAPPED_HEX.exec(value);
  if (hex?.[1] && hex[2]) {
    const high = Number.parseInt(hex[1], 16);
    const low = Number.parseInt(hex[2], 16);
    return { address: `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`, family: 'ipv4' };
  }
  return { address: value.toLowerCase(), family: 'ipv6' };
}

function addCidr(list: BlockList, entry: string): boolean {
  const [rawAddress, rawPrefix, extra] = entry.trim().split('/');
  if (extra !== undefined || !rawAddress) return false;
  const ip = normalizeIp(rawAddress);
  if (!ip) return false;
  const max = ip.family === 'ipv4' ? 32 : 128;
  let prefix = max;
  if (rawPrefix !== undefined) {
    if (!/^\d{1,3}$/.test(rawPrefix)) return false;
    prefix = Number(rawPrefix);
    // A mapped network (::ffff:10.0.0.0/104) is the IPv4 network 10.0.0.0/8.
    const mapped = ip.family === 'ipv4' && isIPv6(rawAddress.trim());
    if (mapped) prefix -= 96;
    if (prefix < 0 || prefix > max) return false;
  }
  list.addSubnet(ip.address, prefix, ip.family);
  return true;
}

export function compileIpMatcher(cidrs: readonly string[]): IpMatcher {
  const list = new BlockList();
  const invalid = cidrs.filter((entry) => !addCidr(list, entry));
  return {
    invalid,
    size: cidrs.length,
    matches: (ip) => list.check(ip.address, ip.family),
  };
}

export type IpVerdict = 'allowed' | 'denied';

/** Deny wins; a non-empty allow list admits only its members (fail closed, also when it holds only junk). */
export function checkIp(ip: NormalizedIp | null, allow: IpMatcher, deny: IpMatcher): IpVerdict {
  if (allow.size === 0 && deny.size === 0) return 'allowed';
  if (!ip) return 'denied';
  if (deny.matches(ip)) return 'denied';
  if (allow.size > 0 && !allow.matches(ip)) return 'denied';
  return 'allowed';
}

/**
 * The client address. X-Forwarded-For counts only when the socket peer is a trusted proxy; then the chain
 * is walked from the right and the first address that is not a trusted proxy is the client. Anything to
 * its left was written by the client and proves nothing. An unparsable hop stops the walk at the last
 * trusted one.
 */
export function resolveClientIp(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedProxies: IpMatcher,
): NormalizedIp | null {
  const socketIp = normalizeIp(peer);
  if (!socketIp || trustedProxies.size === 0 || !trustedProxies.matches(socketIp)) return socketIp;
  const joined = Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? '');
  const hops = joined
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  let client = socketIp;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeIp(hops[i]);
    if (!hop) return client;
    client = hop;
    if (!trustedProxies.matches(hop)) return hop;
  }
  return client;
}
