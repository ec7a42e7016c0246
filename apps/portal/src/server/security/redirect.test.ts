import { describe, expect, it } from 'vitest';
import { safeCallbackUrl } from '../../app/(auth)/safe-callback';
import { safeAuthRedirect } from './redirect';

const BASE = 'https://portal.example';
const ATTACKS = [
  '//evil.com',
  'https://evil.com',
  '/\\evil.com',
  'javascript:alert(1)',
  '%2F%2Fevil.com',
  '\\\\evil.com',
  '/\t/evil.com',
  'http://portal.example.evil.com/',
  'https://portal.example@evil.com/',
  'data:text/html,<script>alert(1)</script>',
  '',
];

describe('safeAuthRedirect (next-auth redirect callback)', () => {
  it('keeps same-origin destinations', () => {
    expect(safeAuthRedirect('/o/acme/apps?tab=keys#new', BASE)).toBe(`${BASE}/o/acme/apps?tab=keys#new`);
    expect(safeAuthRedirect(`${BASE}/catalog`, BASE)).toBe(`${BASE}/catalog`);
    expect(safeAuthRedirect('/%2F%2Fevil.com', BASE)).toBe(`${BASE}/%2F%2Fevil.com`);
  });

  it.each(ATTACKS)('sends %j to a path on the portal itself', (attack) => {
    const target = new URL(safeAuthRedirect(attack, BASE));
    expect(target.origin).toBe(BASE);
    expect(target.pathname.startsWith('//')).toBe(false);
  });
});

describe('safeCallbackUrl (sign-in and sign-up pages)', () => {
  it.each(ATTACKS)('falls back to /dashboard for %j', (attack) => {
    expect(safeCallbackUrl(attack)).toBe('/dashboard');
  });

  it('keeps same-site paths, which the browser resolves on the portal', () => {
    for (const path of ['/catalog', '/o/acme/apps?tab=keys', '/%2F%2Fevil.com']) {
      const kept = safeCallbackUrl(path);
      expect(kept).toBe(path);
      expect(new URL(kept, BASE).origin).toBe(BASE);
    }
  });
});
