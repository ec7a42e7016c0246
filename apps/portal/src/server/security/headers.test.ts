import { afterEach, describe, expect, it, vi } from 'vitest';
import nextConfig, { contentSecurityPolicy, publicUrlFrom, securityHeaders } from '../../../next.config';

const asRecord = (headers: Array<{ key: string; value: string }>) =>
  Object.fromEntries(headers.map((h) => [h.key, h.value]));

describe('securityHeaders', () => {
  it('sets the CSP, framing, sniffing, referrer and permissions headers', () => {
    const headers = asRecord(securityHeaders({ publicUrl: 'http://127.0.0.1:3000' }));
    expect(headers).toEqual({
      'Content-Security-Policy':
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; " +
        "base-uri 'self'; form-action 'self'; object-src 'none'",
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'strict-origin-when-cross-origin',
      'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
    });
  });

  it('adds HSTS only when the portal is served over https', () => {
    expect(
      asRecord(securityHeaders({ publicUrl: 'https://portal.example' }))['Strict-Transport-Security'],
    ).toBe('max-age=31536000; includeSubDomains');
    for (const publicUrl of ['http://portal.example', 'not a url']) {
      expect(asRecord(securityHeaders({ publicUrl }))).not.toHaveProperty('Strict-Transport-Security');
    }
  });

  it("allows 'unsafe-eval' in development only", () => {
    expect(contentSecurityPolicy({ development: true })).toContain(
      "script-src 'self' 'unsafe-inline' 'unsafe-eval';",
    );
    expect(contentSecurityPolicy()).not.toContain('unsafe-eval');
  });

  it('reads the public URL like env.ts does', () => {
    expect(publicUrlFrom({ PORTAL_PUBLIC_URL: 'https://a.example', AUTH_URL: 'http://b.example' })).toBe(
      'https://a.example',
    );
    expect(publicUrlFrom({ AUTH_URL: 'https://b.example' })).toBe('https://b.example');
    expect(publicUrlFrom({ NEXTAUTH_URL: 'https://c.example' })).toBe('https://c.example');
    expect(publicUrlFrom({})).toBe('http://127.0.0.1:3000');
  });
});

describe('next.config headers()', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('applies the headers to every route, with HSTS when the public URL is https', async () => {
    vi.stubEnv('PORTAL_PUBLIC_URL', 'https://portal.example');
    const rules = await nextConfig.headers!();
    expect(rules).toHaveLength(1);
    expect(rules[0]!.source).toBe('/:path*');
    const headers = asRecord(rules[0]!.headers);
    expect(headers['Content-Security-Policy']).toContain("frame-ancestors 'none'");
    expect(headers['Content-Security-Policy']).toContain("connect-src 'self';");
    expect(headers['X-Frame-Options']).toBe('DENY');
    expect(headers['Strict-Transport-Security']).toMatch(/^max-age=\d+/);

    vi.stubEnv('PORTAL_PUBLIC_URL', 'http://127.0.0.1:3000');
    vi.stubEnv('AUTH_URL', '');
    const plain = asRecord((await nextConfig.headers!())[0]!.headers);
    expect(plain).not.toHaveProperty('Strict-Transport-Security');
  });
});
