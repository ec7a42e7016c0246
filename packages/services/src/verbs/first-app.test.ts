import { describe, expect, it } from 'vitest';
import { personalOrg } from './first-app.ts';

describe('personalOrg', () => {
  it("names the org after the developer and slugs the name's letters with a random suffix", () => {
    expect(personalOrg({ name: 'Dana Developer', email: 'd@example.test' }, 'a1b2c3')).toEqual({
      name: "Dana Developer's workspace",
      slug: 'dana-developer-a1b2c3',
    });
    expect(personalOrg({ name: ' Renée  O’Brien ', email: 'r@example.test' }, 'ffffff').slug).toBe(
      'renee-o-brien-ffffff',
    );
  });

  it('falls back to the address, then to a neutral word, and keeps within the slug and name limits', () => {
    expect(personalOrg({ name: null, email: 'sam.smith@example.test' }, '000000')).toEqual({
      name: "sam.smith's workspace",
      slug: 'sam-smith-000000',
    });
    expect(personalOrg({ name: '山田', email: '---@example.test' }, '123abc').slug).toBe('dev-123abc');
    const long = personalOrg({ name: 'x-'.repeat(80), email: 'x@example.test' });
    expect(long.slug.length).toBeLessThanOrEqual(40);
    expect(long.slug).toMatch(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/);
    expect(long.name.length).toBeLessThanOrEqual(100);
  });
});
