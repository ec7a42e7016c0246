import { describe, expect, it } from 'vitest';
import { leaseLifetimeMs, leaseUnits, overshootBound } from './local-first.ts';
import type { LimitWindowSpec } from './types.ts';

const window = (limit: number, windowSeconds: number): LimitWindowSpec => ({
  name: `w${windowSeconds}`,
  limit,
  windowSeconds,
  scope: 'subscription',
});

describe('local-first lease sizing', () => {
  it('lives 1 % of the shortest window, at most 1 s', () => {
    expect(leaseLifetimeMs({ windows: [window(1_000, 60)] })).toBe(600);
    expect(leaseLifetimeMs({ windows: [window(100, 1)] })).toBe(10);
    expect(leaseLifetimeMs({ windows: [window(100, 1), window(1_000, 3600)] })).toBe(10);
    expect(leaseLifetimeMs({ windows: [window(1_000, 86_400)] })).toBe(1_000);
    expect(leaseLifetimeMs({ windows: [] })).toBe(1_000);
  });

  it('asks for 1 % of the tightest limit, quota included, between 1 and 1,000 units', () => {
    expect(leaseUnits({ windows: [window(1_000, 60)], quota: null })).toBe(10);
    expect(leaseUnits({ windows: [window(50, 60)], quota: null })).toBe(1);
    expect(leaseUnits({ windows: [window(1_000_000_000, 60)], quota: null })).toBe(1_000);
    const quota = { limit: 300, periodStartMs: 0, resetAtMs: 1, base: 0 };
    expect(leaseUnits({ windows: [window(1_000_000, 60)], quota })).toBe(3);
  });

  it('bounds the overshoot at ⌈1 % of the limit⌉', () => {
    expect(overshootBound(window(1_000, 60))).toBe(10);
    expect(overshootBound(window(100, 1))).toBe(1);
    expect(overshootBound(window(200, 10))).toBe(2);
    // Long windows: the 1 s cap makes the bound smaller still.
    expect(overshootBound(window(10_000, 86_400))).toBe(1);
  });
});
