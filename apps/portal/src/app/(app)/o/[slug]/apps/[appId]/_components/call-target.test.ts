import { describe, expect, it } from 'vitest';
import { callTarget } from './call-target';

const sub = (status: string, slug: string) => ({
  status,
  plan: { api: { name: slug.toUpperCase(), slug, org: { slug: 'acme' } } },
});

describe('callTarget', () => {
  it('takes the first active subscription in list order', () => {
    expect(callTarget([sub('CANCELLED', 'old'), sub('ACTIVE', 'weather'), sub('ACTIVE', 'maps')])).toEqual({
      kind: 'active',
      api: { name: 'WEATHER', slug: 'weather', orgSlug: 'acme' },
    });
  });

  it('names a pending request when nothing is active yet', () => {
    expect(callTarget([sub('REJECTED', 'a'), sub('PENDING', 'b')])).toEqual({
      kind: 'pending',
      api: { name: 'B', slug: 'b', orgSlug: 'acme' },
    });
  });

  it('has no target without an active or pending subscription', () => {
    expect(callTarget([])).toEqual({ kind: 'none' });
    expect(callTarget([sub('SUSPENDED', 'a'), sub('CANCELLED', 'b')])).toEqual({ kind: 'none' });
  });
});
