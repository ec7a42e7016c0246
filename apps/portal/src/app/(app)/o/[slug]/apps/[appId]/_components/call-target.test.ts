import { describe, expect, it } from 'vitest';
import { callTarget } from './call-target';

const sub = (status: string, slug: string, extra: { pendingReason?: string; apiStatus?: string } = {}) => ({
  status,
  pendingReason: extra.pendingReason ?? null,
  plan: {
    api: { name: slug.toUpperCase(), slug, status: extra.apiStatus ?? 'PUBLISHED', org: { slug: 'acme' } },
  },
});

describe('callTarget', () => {
  it('takes the first active subscription in list order', () => {
    expect(callTarget([sub('CANCELLED', 'old'), sub('ACTIVE', 'weather'), sub('ACTIVE', 'maps')])).toEqual({
      kind: 'active',
      api: { name: 'WEATHER', slug: 'weather', orgSlug: 'acme' },
    });
  });

  it('skips an active subscription whose API is retired (it answers 410)', () => {
    expect(callTarget([sub('ACTIVE', 'gone', { apiStatus: 'RETIRED' }), sub('ACTIVE', 'maps')])).toEqual({
      kind: 'active',
      api: { name: 'MAPS', slug: 'maps', orgSlug: 'acme' },
    });
    expect(callTarget([sub('ACTIVE', 'gone', { apiStatus: 'RETIRED' })])).toEqual({ kind: 'none' });
  });

  it('names a request waiting for approval when nothing is active yet', () => {
    expect(callTarget([sub('REJECTED', 'a'), sub('PENDING', 'b')])).toEqual({
      kind: 'approval',
      api: { name: 'B', slug: 'b', orgSlug: 'acme' },
    });
  });

  it("tells a wait for this org's payment method from a wait for the provider", () => {
    expect(callTarget([sub('PENDING', 'paid', { pendingReason: 'payment_method' })])).toMatchObject({
      kind: 'payment_method',
    });
  });

  it('names a suspended subscription instead of asking to subscribe again', () => {
    expect(callTarget([sub('SUSPENDED', 'a'), sub('CANCELLED', 'b')])).toMatchObject({ kind: 'suspended' });
  });

  it('has no target without an open subscription', () => {
    expect(callTarget([])).toEqual({ kind: 'none' });
    expect(callTarget([sub('REJECTED', 'a'), sub('CANCELLED', 'b')])).toEqual({ kind: 'none' });
  });
});
