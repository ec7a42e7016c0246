import { describe, expect, it } from 'vitest';
import { crossSiteRefusal, crossSiteResponse } from './origin';

const PUBLIC_URL = 'https://portal.example';

function post(url: string, headers: Record<string, string>, method = 'POST') {
  return new Request(url, { method, headers });
}

describe('crossSiteRefusal', () => {
  it('lets same-origin browser requests through', () => {
    expect(
      crossSiteRefusal(post('https://portal.example/api/trpc/x', { origin: PUBLIC_URL }), PUBLIC_URL),
    ).toBeNull();
    expect(
      crossSiteRefusal(
        post('https://portal.example/api/trpc/x', { origin: PUBLIC_URL, 'sec-fetch-site': 'same-origin' }),
        PUBLIC_URL,
      ),
    ).toBeNull();
    // The host the request was addressed to counts as the portal's own (a second hostname, dev ports).
    expect(
      crossSiteRefusal(
        post('http://localhost:3000/api/trpc/x', { origin: 'http://localhost:3000' }),
        PUBLIC_URL,
      ),
    ).toBeNull();
  });

  it('accepts the browser-facing origin behind a reverse proxy', () => {
    const req = post('http://10.0.0.5:3000/api/trpc/x', {
      origin: 'https://portal.internal.example',
      'x-forwarded-host': 'portal.internal.example',
      'x-forwarded-proto': 'https',
    });
    expect(crossSiteRefusal(req, PUBLIC_URL)).toBeNull();
  });

  it('refuses state-changing requests from another origin', () => {
    for (const headers of [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: 'https://portal.example.evil.example' },
      { origin: 'http://portal.example' },
      { origin: 'https://sub.portal.example', 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: PUBLIC_URL, 'sec-fetch-site': 'cross-site' },
    ] as Array<Record<string, string>>) {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        expect(
          crossSiteRefusal(post('https://portal.example/api/trpc/x', headers, method), PUBLIC_URL),
        ).toMatch(/^Cross-site request refused/);
      }
    }
  });

  it('leaves reads alone and lets non-browser callers (no Origin, no Sec-Fetch-Site) through', () => {
    const get = new Request('https://portal.example/api/trpc/x', {
      headers: { origin: 'https://evil.example' },
    });
    expect(crossSiteRefusal(get, PUBLIC_URL)).toBeNull();
    expect(crossSiteRefusal(post('https://portal.example/api/trpc/x', {}), PUBLIC_URL)).toBeNull();
  });

  it('answers 403 with a JSON reason', async () => {
    const res = crossSiteResponse('Cross-site request refused (Origin: https://evil.example)');
    expect(res.status).toBe(403);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({
      error: { code: 'FORBIDDEN', message: 'Cross-site request refused (Origin: https://evil.example)' },
    });
  });
});
