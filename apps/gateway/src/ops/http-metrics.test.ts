import { describe, expect, it } from 'vitest';
import { apiLabel } from './http-metrics.ts';

describe('apiLabel', () => {
  it('uses the org/api slug only for resolved routes', () => {
    expect(apiLabel({ apiId: 'a1', path: '/acme/weather/v1/today' })).toBe('acme/weather');
    expect(apiLabel({ apiId: 'a1', path: '/acme/weather' })).toBe('acme/weather');
    expect(apiLabel({ apiId: null, path: '/random/garbage/123' })).toBe('unmatched');
    expect(apiLabel({ apiId: 'a1', path: '/acme' })).toBe('unmatched');
  });
});
