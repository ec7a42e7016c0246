import { describe, expect, it } from 'vitest';
import { checkUpstreamUrl, checkUpstreamUrlResolved, forbiddenAddressReason, isAllowedHost } from './ssrf.ts';

const refused = (url: string, allowed: string[] = []) => {
  const result = checkUpstreamUrl(url, allowed);
  return result.ok ? null : result.error.reason;
};

describe('checkUpstreamUrl', () => {
  it.each([
    'http://127.0.0.1/',
    'http://127.255.255.254:8080/x',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0177.0.0.1/',
    'http://0x7f.1/',
    'http://127.1/',
    'http://127.0.0.1./',
    'http://0.0.0.0/',
    'http://0/',
    'http://[::]/',
    'http://[::1]/',
    'http://[0:0:0:0:0:0:0:1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[::ffff:169.254.169.254]/',
    'http://[::127.0.0.1]/',
    'http://[64:ff9b::a9fe:a9fe]/',
    'http://[2002:7f00:1::]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fe80::1]/',
    'http://[febf::1]/',
    'http://10.0.0.1/',
    'http://10.255.255.255/',
    'http://172.16.0.1/',
    'http://172.31.255.255/',
    'http://192.168.1.1/',
    'http://[fc00::1]/',
    'http://[fd00:ec2::254]/',
    'http://100.64.0.1/',
    'http://100.127.255.255/',
    'http://224.0.0.1/',
    'https://3232235777/', // 192.168.1.1 as one decimal number
  ])('refuses the literal address in %s', (url) => {
    expect(refused(url)).toBe('forbidden_address');
  });

  it.each([
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://METADATA.GOOGLE.INTERNAL./',
    'http://metadata/',
    'http://instance-data/latest/',
    'http://localhost:3000/',
    'http://api.localhost/',
  ])('refuses the metadata or loopback name in %s', (url) => {
    expect(refused(url)).toBe('forbidden_host');
  });

  it('refuses other schemes, credentials and garbage', () => {
    expect(refused('file:///etc/passwd')).toBe('scheme');
    expect(refused('gopher://example.com/')).toBe('scheme');
    expect(refused('ftp://example.com/')).toBe('scheme');
    expect(refused('http://user:pass@example.com/')).toBe('credentials');
    expect(refused('http://user@example.com/')).toBe('credentials');
    expect(refused('not a url')).toBe('invalid_url');
  });

  it.each([
    'https://api.example.com/v1',
    'http://8.8.8.8/',
    'http://172.32.0.1/',
    'http://172.15.255.255/',
    'http://100.128.0.1/',
    'http://169.255.0.1/',
    'http://[2001:4860:4860::8888]/',
    'http://[::ffff:8.8.8.8]/',
  ])('accepts the public upstream %s', (url) => {
    expect(checkUpstreamUrl(url, []).ok).toBe(true);
  });

  it('exempts allow-listed host or host:port, and only those', () => {
    expect(refused('http://127.0.0.1:4010/x', ['127.0.0.1'])).toBeNull();
    expect(refused('http://127.0.0.1:4010/x', ['127.0.0.1:4010'])).toBeNull();
    expect(refused('http://127.0.0.1:4011/x', ['127.0.0.1:4010'])).toBe('forbidden_address');
    expect(refused('http://127.0.0.1/x', ['127.0.0.1:80'])).toBeNull();
    expect(refused('http://LOCALHOST:3000/', ['localhost:3000'])).toBeNull();
    expect(refused('http://[::1]:8080/', ['[::1]:8080'])).toBeNull();
    // an allow-listed address does not exempt a name that resolves to it, nor other spellings
    expect(refused('http://localhost/', ['127.0.0.1'])).toBe('forbidden_host');
    expect(refused('http://2130706433/', ['2130706433'])).toBe('forbidden_address');
    // credentials are refused even for an allow-listed host
    expect(refused('http://u:p@127.0.0.1/', ['127.0.0.1'])).toBe('credentials');
  });
});

describe('forbiddenAddressReason', () => {
  it('classifies resolved addresses', () => {
    expect(forbiddenAddressReason('127.0.0.1')).toBe('loopback');
    expect(forbiddenAddressReason('::1')).toBe('loopback');
    expect(forbiddenAddressReason('fe80::1%eth0')).toBe('link-local');
    expect(forbiddenAddressReason('::ffff:10.1.2.3')).toBe('private');
    expect(forbiddenAddressReason('fd00:ec2::254')).toBe('unique local (private)');
    expect(forbiddenAddressReason('93.184.216.34')).toBeNull();
    expect(forbiddenAddressReason('2606:2800:220:1:248:1893:25c8:1946')).toBeNull();
    expect(forbiddenAddressReason('example.com')).toBe('not an IP address');
  });
});

describe('isAllowedHost', () => {
  it('matches host and host:port with the default port implied', () => {
    expect(isAllowedHost(new URL('https://a.test/'), ['a.test:443'])).toBe(true);
    expect(isAllowedHost(new URL('https://a.test:8443/'), ['a.test:443'])).toBe(false);
    expect(isAllowedHost(new URL('https://a.test:8443/'), [])).toBe(false);
  });
});

describe('checkUpstreamUrlResolved', () => {
  const resolver = (table: Record<string, string[]>) => async (host: string) => {
    const found = table[host];
    if (!found) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return found;
  };

  it('refuses a name that resolves to a forbidden address', async () => {
    const lookup = resolver({ 'rebind.example': ['93.184.216.34', '10.0.0.5'] });
    const result = await checkUpstreamUrlResolved('http://rebind.example/', [], { lookup });
    expect(result).toMatchObject({ ok: false, error: { reason: 'forbidden_address' } });
    if (!result.ok) expect(result.error.message).toContain('10.0.0.5');
  });

  it('accepts public names, unresolvable names, and allow-listed names without resolving', async () => {
    const lookup = resolver({ 'api.example': ['93.184.216.34'], 'internal.example': ['10.0.0.1'] });
    expect((await checkUpstreamUrlResolved('http://api.example/', [], { lookup })).ok).toBe(true);
    expect((await checkUpstreamUrlResolved('http://nowhere.example/', [], { lookup })).ok).toBe(true);
    expect(
      (await checkUpstreamUrlResolved('http://internal.example/', ['internal.example'], { lookup })).ok,
    ).toBe(true);
  });

  it('gives up on a slow resolver after the timeout', async () => {
    const lookup = () => new Promise<string[]>(() => undefined);
    const started = Date.now();
    expect((await checkUpstreamUrlResolved('http://slow.example/', [], { lookup, timeoutMs: 50 })).ok).toBe(
      true,
    );
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
