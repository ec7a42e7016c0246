import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { createNonce, NONCE_HEADER, nextWithCsp, pageContentSecurityPolicy } from './csp';

const scriptSrc = (policy: string) => policy.split('; ').find((d) => d.startsWith('script-src ')) ?? '';

describe('page Content-Security-Policy', () => {
  it("runs scripts by nonce only: no 'unsafe-inline' for scripts", () => {
    const policy = pageContentSecurityPolicy('bm9uY2U=');
    expect(scriptSrc(policy)).toBe("script-src 'self' 'nonce-bm9uY2U=' 'strict-dynamic'");
    expect(scriptSrc(policy)).not.toContain('unsafe-inline');
    expect(scriptSrc(pageContentSecurityPolicy('x', { development: true }))).toContain("'unsafe-eval'");
    expect(scriptSrc(policy)).not.toContain('unsafe-eval');
  });

  it('makes a fresh 128-bit nonce every time, in the form CSP and Next.js accept', () => {
    const nonces = new Set(Array.from({ length: 1000 }, createNonce));
    expect(nonces.size).toBe(1000);
    for (const nonce of nonces) expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });

  it('hands the same policy to Next.js on the request and to the browser on the response', () => {
    const req = new NextRequest('http://portal.test/o/acme/apis', { headers: { cookie: 'a=b' } });
    const first = nextWithCsp(req);
    const policy = first.headers.get('content-security-policy') ?? '';
    const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
    expect(nonce).toBeTruthy();
    // NextResponse.next({ request: { headers } }) forwards request headers as x-middleware-request-*.
    expect(first.headers.get('x-middleware-request-content-security-policy')).toBe(policy);
    expect(first.headers.get(`x-middleware-request-${NONCE_HEADER}`)).toBe(nonce);
    expect(first.headers.get('x-middleware-request-cookie')).toBe('a=b');
    const second = nextWithCsp(req).headers.get('content-security-policy');
    expect(second).not.toBe(policy);
  });
});
