import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import nextConfig, {
  contentSecurityPolicy,
  publicUrlFrom,
  ROUTES_WITHOUT_PROXY,
  securityHeaders,
} from '../../../next.config';
import { pageContentSecurityPolicy } from './csp';

const asRecord = (headers: Array<{ key: string; value: string }>) =>
  Object.fromEntries(headers.map((h) => [h.key, h.value]));

describe('securityHeaders', () => {
  it('sets the framing, sniffing, referrer and permissions headers', () => {
    const headers = asRecord(securityHeaders({ publicUrl: 'http://127.0.0.1:3000' }));
    expect(headers).toEqual({
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

  it('reads the public URL like env.ts does', () => {
    expect(publicUrlFrom({ PORTAL_PUBLIC_URL: 'https://a.example', AUTH_URL: 'http://b.example' })).toBe(
      'https://a.example',
    );
    expect(publicUrlFrom({ AUTH_URL: 'https://b.example' })).toBe('https://b.example');
    expect(publicUrlFrom({ NEXTAUTH_URL: 'https://c.example' })).toBe('https://c.example');
    expect(publicUrlFrom({})).toBe('http://127.0.0.1:3000');
  });
});

describe('static Content-Security-Policy (routes without a page)', () => {
  it("allows no inline script, and 'unsafe-eval' in development only", () => {
    expect(contentSecurityPolicy()).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; " +
        "base-uri 'self'; form-action 'self'; object-src 'none'",
    );
    expect(contentSecurityPolicy({ development: true })).toContain("script-src 'self' 'unsafe-eval';");
  });

  it("is the pages' policy without the nonce", () => {
    const page = pageContentSecurityPolicy('abc').replace(" 'nonce-abc' 'strict-dynamic'", '');
    expect(page).toBe(contentSecurityPolicy());
  });
});

describe('next.config headers()', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('applies the headers to every route, with HSTS when the public URL is https', async () => {
    vi.stubEnv('PORTAL_PUBLIC_URL', 'https://portal.example');
    const rules = await nextConfig.headers!();
    expect(rules[0]!.source).toBe('/:path*');
    const headers = asRecord(rules[0]!.headers);
    expect(headers['X-Frame-Options']).toBe('DENY');
    expect(headers['Strict-Transport-Security']).toMatch(/^max-age=\d+/);
    expect(headers).not.toHaveProperty('Content-Security-Policy');

    vi.stubEnv('PORTAL_PUBLIC_URL', 'http://127.0.0.1:3000');
    vi.stubEnv('AUTH_URL', '');
    const plain = asRecord((await nextConfig.headers!())[0]!.headers);
    expect(plain).not.toHaveProperty('Strict-Transport-Security');
  });

  it('gives the static policy exactly to the routes the proxy does not run for', async () => {
    const rules = await nextConfig.headers!();
    const rule = rules.find((r) => r.headers.some((h) => h.key === 'Content-Security-Policy'))!;
    expect(rule.source).toBe(ROUTES_WITHOUT_PROXY);
    expect(rules.filter((r) => r.headers.some((h) => h.key === 'Content-Security-Policy'))).toHaveLength(1);
    // The same paths through both patterns: every path is covered by exactly one of them.
    const staticRoute = new RegExp(`^/${ROUTES_WITHOUT_PROXY.slice('/:path('.length, -1)}$`);
    // proxy.ts imports next-auth, which does not load outside Next: its matcher is read as text.
    const proxySource = readFileSync(new URL('../../proxy.ts', import.meta.url), 'utf8');
    const matcher = /matcher: \['(.+)'\]/.exec(proxySource)?.[1]?.replaceAll('\\\\', '\\');
    expect(matcher).toBeTruthy();
    const proxied = new RegExp(`^${matcher}$`);
    const paths = [
      '/',
      '/signin',
      '/catalog/acme/weather',
      '/o/acme/apis',
      '/api',
      '/api/trpc/audit.list',
      '/api/auth/session',
      '/_next/static/chunks/main.js',
      '/favicon.ico',
      '/logo.png',
      '/styles/site.css',
      '/o/acme/invoices/inv_1',
    ];
    for (const path of paths) {
      expect(staticRoute.test(path) !== proxied.test(path), path).toBe(true);
    }
  });
});
