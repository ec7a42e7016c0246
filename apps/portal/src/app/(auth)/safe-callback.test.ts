import { describe, expect, it } from 'vitest';
import { safeCallbackUrl } from './safe-callback';

describe('safeCallbackUrl', () => {
  it('keeps same-site relative paths', () => {
    expect(safeCallbackUrl('/o/acme/apps?tab=keys#new')).toBe('/o/acme/apps?tab=keys#new');
    expect(safeCallbackUrl('/catalog')).toBe('/catalog');
  });

  it('falls back for anything that could leave the site', () => {
    for (const bad of [
      null,
      undefined,
      '',
      'https://evil.test/',
      'evil.test',
      '//evil.test',
      '/\\evil.test',
      '/\t/evil.test',
      '/.//evil.test',
      'javascript:alert(1)',
    ]) {
      expect(safeCallbackUrl(bad)).toBe('/dashboard');
    }
  });
});
