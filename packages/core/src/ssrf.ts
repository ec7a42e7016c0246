import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * SSRF guard for upstream URLs. The portal calls it when an API is saved (literal address, then DNS);
 * the gateway checks the address it actually connects to, so DNS rebinding cannot slip past the save.
 * Hosts (`host` or `host:port`) in the PlatformSetting 'upstream.allowedHosts' are exempt.
 */

type SsrfReason = 'invalid_url' | 'scheme' | 'credentials' | 'forbidden_host' | 'forbidden_address';

interface SsrfRefusal {
  reason: SsrfReason;
  message: string;
}

export type SsrfCheck = { ok: true; url: URL } | { ok: false; error: SsrfRefusal };

const refuse = (reason: SsrfReason, message: string): SsrfCheck => ({
  ok: false,
  error: { reason, message },
});

/** Cloud metadata endpoints reachable by name (their addresses are link-local and refused anyway). */
const METADATA_HOSTS = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.internal',
  'metadata.azure.internal',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.tencentyun.com',
  'metadata.platformequinix.com',
]);

interface Range {
  base: number;
  bits: number;
  name: string;
}

const V4_RANGES: Range[] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
].map(([base, bits, name]) => ({
  base: v4ToInt(base as string),
  bits: bits as number,
  name: name as string,
}));

function v4ToInt(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function v4Reason(value: number): string | null {
  for (const range of V4_RANGES) {
    const size = 2 ** (32 - range.bits);
    if (value >= range.base && value < range.base + size) return range.name;
  }
  return null;
}

/** 16 bytes of an IPv6 address (accepts an embedded dotted IPv4 tail), or null. */
function v6Bytes(address: string): number[] | null {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  const tailMatch = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tailMatch?.[1]) {
    const v4 = v4ToInt(tailMatch[1]);
    text = `${text.slice(0, -tailMatch[1].length)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head = '', tail, extra] = text.split('::');
  if (extra !== undefined) return null;
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return null;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailGroups];
  const bytes: number[] = [];
  for (const group of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(group)) return null;
    const n = Number.parseInt(group, 16);
    bytes.push(n >> 8, n & 0xff);
  }
  return bytes;
}

const bytesToV4 = (b: number[], at: number) =>
  ((b[at] ?? 0) * 2 ** 24 + ((b[at + 1] ?? 0) << 16) + ((b[at + 2] ?? 0) << 8) + (b[at + 3] ?? 0)) >>> 0;

function v6Reason(bytes: number[]): string | null {
  const zeroUpTo = (n: number) => bytes.slice(0, n).every((b) => b === 0);
  if (zeroUpTo(16)) return 'unspecified';
  if (zeroUpTo(15) && bytes[15] === 1) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) carry an IPv4 address to check.
  if (zeroUpTo(10) && bytes[10] === 0xff && bytes[11] === 0xff) return v4Reason(bytesToV4(bytes, 12));
  if (zeroUpTo(12)) return v4Reason(bytesToV4(bytes, 12)) ?? 'IPv4-compatible';
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) route to an embedded IPv4 address.
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b) {
    const embedded = v4Reason(bytesToV4(bytes, 12));
    if (embedded) return embedded;
  }
  if (bytes[0] === 0x20 && bytes[1] === 0x02) {
    const embedded = v4Reason(bytesToV4(bytes, 2));
    if (embedded) return embedded;
  }
  const first = bytes[0] ?? 0;
  const second = bytes[1] ?? 0;
  if (first === 0xfe && (second & 0xc0) === 0x80) return 'link-local';
  if (first === 0xfe && (second & 0xc0) === 0xc0) return 'site-local';
  if ((first & 0xfe) === 0xfc) return 'unique local (private)';
  if (first === 0xff) return 'multicast';
  return null;
}

/**
 * Why an IP address must not be an upstream (loopback, private, link-local, metadata, CGNAT…), or null
 * when it is a public address. Anything that is not an IP address is refused too.
 */
export function forbiddenAddressReason(address: string): string | null {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(bare.split('%')[0] ?? '');
  if (family === 4) return v4Reason(v4ToInt(bare));
  if (family === 6) {
    const bytes = v6Bytes(bare);
    return bytes ? v6Reason(bytes) : 'unparseable';
  }
  return 'not an IP address';
}

const defaultPort = (protocol: string) => (protocol === 'https:' ? '443' : '80');

/** True when `host` or `host:port` of the URL is in the allow-list (case-insensitive, default port implied). */
export function isAllowedHost(url: URL, allowedHosts: readonly string[]): boolean {
  if (allowedHosts.length === 0) return false;
  const hostname = url.hostname.toLowerCase();
  const port = url.port || defaultPort(url.protocol);
  const candidates = new Set([hostname, `${hostname}:${port}`]);
  return allowedHosts.some((entry) => candidates.has(entry.trim().toLowerCase()));
}

/** The URL's hostname without IPv6 brackets or a trailing dot, lower-cased. */
function bareHostname(url: URL): string {
  const host = url.hostname.toLowerCase();
  const unbracketed = host.startsWith('[') ? host.slice(1, -1) : host;
  return unbracketed.endsWith('.') ? unbracketed.slice(0, -1) : unbracketed;
}

/**
 * The checks that need no DNS: scheme, credentials, metadata names, and literal addresses in any form
 * (WHATWG URL normalises decimal, octal, hex and short IPv4 such as http://2130706433 to dotted quads).
 */
export function checkUpstreamUrl(raw: string, allowedHosts: readonly string[]): SsrfCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('invalid_url', 'Enter a valid http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return refuse('scheme', 'Only http:// and https:// upstreams are supported');
  }
  if (url.username || url.password) {
    return refuse('credentials', 'Credentials in the URL are not allowed; use request header transforms');
  }
  if (isAllowedHost(url, allowedHosts)) return { ok: true, url };
  const host = bareHostname(url);
  if (!host) return refuse('invalid_url', 'The URL has no host');
  if (isIP(host) !== 0) {
    const reason = forbiddenAddressReason(host);
    if (reason) return refuse('forbidden_address', `${host} is a ${reason} address`);
    return { ok: true, url };
  }
  if (METADATA_HOSTS.has(host)) return refuse('forbidden_host', `${host} is a cloud metadata endpoint`);
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return refuse('forbidden_host', `${host} is a loopback name`);
  }
  return { ok: true, url };
}

export interface ResolveOptions {
  /** Resolves a hostname to its addresses; default: the system resolver (dns.lookup). */
  lookup?: (hostname: string) => Promise<string[]>;
  timeoutMs?: number;
}

const systemLookup = async (hostname: string) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * checkUpstreamUrl plus DNS: a name that resolves to a forbidden address is refused. A name that does not
 * resolve (yet) is accepted; the gateway checks the resolved address again on every connect.
 */
export async function checkUpstreamUrlResolved(
  raw: string,
  allowedHosts: readonly string[],
  options: ResolveOptions = {},
): Promise<SsrfCheck> {
  const literal = checkUpstreamUrl(raw, allowedHosts);
  if (!literal.ok || isAllowedHost(literal.url, allowedHosts)) return literal;
  const host = bareHostname(literal.url);
  if (isIP(host) !== 0) return literal;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([]), options.timeoutMs ?? 2_000);
  });
  const addresses = await Promise.race([
    (options.lookup ?? systemLookup)(host).catch(() => [] as string[]),
    timeout,
  ]).finally(() => clearTimeout(timer));
  for (const address of addresses) {
    const reason = forbiddenAddressReason(address);
    if (reason) return refuse('forbidden_address', `${host} resolves to ${address}, a ${reason} address`);
  }
  return literal;
}
