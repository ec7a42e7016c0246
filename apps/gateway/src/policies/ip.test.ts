import { describe, expect, it } from 'vitest';
import { checkIp, compileIpMatcher, normalizeIp, resolveClientIp } from './ip.ts';

const ip = (raw: string) => {
  const parsed = normalizeIp(raw);
  if (!parsed) throw new Error(`bad test address ${raw}`);
  return parsed;
};

describe('normalizeIp', () => {
  it('turns IPv4-mapped IPv6 into IPv4 and strips ports, brackets and zones', () => {
    expect(normalizeIp('::ffff:10.1.2.3')).toEqual({ address: '10.1.2.3', family: 'ipv4' });
    expect(normalizeIp('::FFFF:0a01:0203')).toEqual({ address: '10.1.2.3', family: 'ipv4' });
    expect(normalizeIp('10.1.2.3:8080')).toEqual({ address: '10.1.2.3', family: 'ipv4' });
    expect(normalizeIp('[2001:DB8::1]:443')).toEqual({ address: '2001:db8::1', family: 'ipv6' });
    expect(normalizeIp('fe80::1%eth0')).toEqual({ address: 'fe80::1', family: 'ipv6' });
    expect(normalizeIp('not-an-ip')).toBeNull();
    expect(normalizeIp(undefined)).toBeNull();
  });
});

describe('compileIpMatcher', () => {
  it('matches IPv4 CIDRs and bare addresses', () => {
    const m = compileIpMatcher(['10.0.0.0/8', '192.168.1.7']);
    expect(m.matches(ip('10.200.3.4'))).toBe(true);
    expect(m.matches(ip('11.0.0.1'))).toBe(false);
    expect(m.matches(ip('192.168.1.7'))).toBe(true);
    expect(m.matches(ip('192.168.1.8'))).toBe(false);
  });
  it('matches IPv6 CIDRs', () => {
    const m = compileIpMatcher(['2001:db8::/32']);
    expect(m.matches(ip('2001:db8:ffff::1'))).toBe(true);
    expect(m.matches(ip('2001:db9::1'))).toBe(false);
    expect(m.matches(ip('10.0.0.1'))).toBe(false);
  });
  it('lets an IPv4 rule cover mapped addresses and a mapped rule cover IPv4', () => {
    expect(compileIpMatcher(['127.0.0.0/8']).matches(ip('::ffff:127.0.0.1'))).toBe(true);
    expect(compileIpMatcher(['::ffff:10.0.0.0/104']).matches(ip('10.9.9.9'))).toBe(true);
    expect(compileIpMatcher(['::ffff:10.0.0.0/104']).matches(ip('11.9.9.9'))).toBe(false);
  });
  it('reports junk entries, which match nothing', () => {
    const m = compileIpMatcher(['10.0.0.0/33', 'nope', '1.2.3.4/8/9', '::/129', '10.0.0.0/x']);
    expect(m.invalid).toHaveLength(5);
    expect(m.matches(ip('10.0.0.1'))).toBe(false);
  });
});

describe('checkIp', () => {
  const none = compileIpMatcher([]);
  it('allows everyone without rules', () => {
    expect(checkIp(ip('1.2.3.4'), none, none)).toBe('allowed');
    expect(checkIp(null, none, none)).toBe('allowed');
  });
  it('lets deny win over allow and fails closed on a junk-only allow list', () => {
    const allow = compileIpMatcher(['10.0.0.0/8']);
    const deny = compileIpMatcher(['10.0.0.5']);
    expect(checkIp(ip('10.0.0.4'), allow, deny)).toBe('allowed');
    expect(checkIp(ip('10.0.0.5'), allow, deny)).toBe('denied');
    expect(checkIp(ip('8.8.8.8'), allow, none)).toBe('denied');
    expect(checkIp(ip('8.8.8.8'), compileIpMatcher(['junk']), none)).toBe('denied');
    expect(checkIp(ip('8.8.8.8'), none, deny)).toBe('allowed');
  });
});

describe('resolveClientIp', () => {
  const trusted = compileIpMatcher(['10.0.0.0/8', '2001:db8::/32']);
  it('ignores X-Forwarded-For from an untrusted peer', () => {
    expect(resolveClientIp('203.0.113.9', '1.1.1.1', trusted)?.address).toBe('203.0.113.9');
    expect(resolveClientIp('10.0.0.1', '1.1.1.1', compileIpMatcher([]))?.address).toBe('10.0.0.1');
  });
  it('takes the right-most untrusted hop behind trusted proxies', () => {
    expect(resolveClientIp('10.0.0.1', '6.6.6.6, 198.51.100.7, 10.0.0.2', trusted)?.address).toBe(
      '198.51.100.7',
    );
    expect(resolveClientIp('::ffff:10.0.0.1', ['6.6.6.6', '198.51.100.7'], trusted)?.address).toBe(
      '198.51.100.7',
    );
    expect(resolveClientIp('2001:db8::1', '[2001:db9::5]:1234', trusted)?.address).toBe('2001:db9::5');
  });
  it('falls back to the peer or the left-most trusted hop, and stops at junk', () => {
    expect(resolveClientIp('10.0.0.1', undefined, trusted)?.address).toBe('10.0.0.1');
    expect(resolveClientIp('10.0.0.1', '10.0.0.3, 10.0.0.2', trusted)?.address).toBe('10.0.0.3');
    expect(resolveClientIp('10.0.0.1', '1.1.1.1, garbage, 10.0.0.2', trusted)?.address).toBe('10.0.0.2');
  });
});
