import { describe, expect, it } from 'vitest';
import { currentOrgSlug, isCurrentSection } from './header-org';

describe('header paths', () => {
  it('reads the org slug of /o/ paths only', () => {
    expect(currentOrgSlug('/o/acme')).toBe('acme');
    expect(currentOrgSlug('/o/acme/apis/weather')).toBe('acme');
    expect(currentOrgSlug('/o/sky%20data/billing')).toBe('sky data');
    expect(currentOrgSlug('/catalog/acme/weather')).toBeNull();
    expect(currentOrgSlug('/o/')).toBeNull();
    expect(currentOrgSlug(null)).toBeNull();
  });

  it('marks a section current on its page and the pages below it', () => {
    expect(isCurrentSection('/catalog', '/catalog')).toBe(true);
    expect(isCurrentSection('/catalog/acme/weather', '/catalog')).toBe(true);
    expect(isCurrentSection('/catalogue', '/catalog')).toBe(false);
    expect(isCurrentSection('/dashboard', '/catalog')).toBe(false);
  });
});
