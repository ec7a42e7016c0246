import { describe, expect, it } from 'vitest';
import type { WindowState } from '../limits/types.ts';
import { limitHeaders } from './limit-headers.ts';

const window = (over: Partial<WindowState>): WindowState => ({
  name: 'w60',
  limit: 10,
  windowSeconds: 60,
  scope: 'subscription',
  remaining: 7,
  resetMs: 41_200,
  retryAfterMs: 0,
  ...over,
});

describe('limitHeaders', () => {
  it('lists every policy and reports the most restrictive window, plus the quota', () => {
    const headers = limitHeaders({
      outcome: 'allowed',
      windows: [
        window({}),
        window({ name: 'w3600', limit: 1000, windowSeconds: 3600, remaining: 3, resetMs: 3_000_000 }),
      ],
      quota: { limit: 1000, remaining: 990, resetMs: 5e8 },
    });
    expect(headers).toEqual({
      'ratelimit-policy': '"w60";q=10;w=60, "w3600";q=1000;w=3600',
      ratelimit: '"w3600";r=3;t=3000',
      'x-quota-limit': '1000',
      'x-quota-remaining': '990',
      'x-quota-reset': '500000',
    });
  });

  it('breaks a tie on remaining by the longer reset', () => {
    const headers = limitHeaders({
      outcome: 'allowed',
      windows: [window({ remaining: 2, resetMs: 1_000 }), window({ name: 'ip-w60', remaining: 2 })],
      quota: null,
    });
    expect(headers.ratelimit).toBe('"ip-w60";r=2;t=42');
  });

  it('on rate_limited reports the refusing window and Retry-After until every refusing window admits', () => {
    const headers = limitHeaders({
      outcome: 'rate_limited',
      windows: [
        window({ remaining: 0, resetMs: 60_000, retryAfterMs: 6_000 }),
        window({ name: 'w10', windowSeconds: 10, remaining: 0, resetMs: 10_000, retryAfterMs: 9_001 }),
        window({ name: 'w3600', remaining: 0, resetMs: 3_600_000 }),
      ],
      quota: null,
    });
    expect(headers['retry-after']).toBe('10');
    expect(headers.ratelimit).toBe('"w10";r=0;t=10');
  });

  it('on quota_exceeded sets Retry-After to the end of the billing period', () => {
    const headers = limitHeaders({
      outcome: 'quota_exceeded',
      windows: [window({})],
      quota: { limit: 5, remaining: 0, resetMs: 86_400_000 },
    });
    expect(headers['retry-after']).toBe('86400');
    expect(headers['x-quota-reset']).toBe('86400');
  });

  it('sets nothing when nothing is limited (or the decision was made without counting)', () => {
    expect(limitHeaders({ outcome: 'allowed', windows: [], quota: null })).toEqual({});
    expect(limitHeaders({ outcome: 'allowed', windows: [], quota: null, degraded: 'allow' })).toEqual({});
  });
});
