import { describe, expect, it } from 'vitest';
import type { SubscriptionRecord } from '../config/repository.ts';
import { limitRequestFor, planWindows, quotaPeriod } from './plan.ts';

const sub = (over: Partial<SubscriptionRecord> = {}): SubscriptionRecord => ({
  id: 's1',
  status: 'ACTIVE',
  planId: 'p1',
  rateLimit: 10,
  rateLimitWindowSeconds: 60,
  limits: [],
  monthlyQuota: 1000,
  currentPeriodStart: Date.UTC(2026, 0, 31, 12),
  suspendedReason: null,
  quotaMode: 'hard_cap',
  billable: 'below_500',
  ...over,
});

describe('planWindows', () => {
  it('puts the primary window first and names every window uniquely', () => {
    const windows = planWindows(
      sub({
        limits: [
          { limit: 1000, windowSeconds: 3600, scope: 'subscription' },
          { limit: 5, windowSeconds: 60, scope: 'ip' },
          { limit: 20, windowSeconds: 60, scope: 'subscription' },
        ],
      }),
    );
    expect(windows.map((w) => w.name)).toEqual(['w60', 'w3600', 'ip-w60', 'w60-2']);
    expect(windows[2]).toEqual({ name: 'ip-w60', limit: 5, windowSeconds: 60, scope: 'ip' });
  });

  it('omits the primary window when the plan has no rate limit', () => {
    expect(planWindows(sub({ rateLimit: null }))).toEqual([]);
  });
});

describe('limitRequestFor', () => {
  it('anchors the quota to the billing period and asks for the base since its start', async () => {
    const now = Date.UTC(2026, 1, 28, 13);
    const asked: number[] = [];
    const request = await limitRequestFor(sub(), now, {
      keyId: 'k',
      appId: 'a',
      ip: '10.0.0.1',
      failureMode: 'deny',
      quotaBase: async (start) => {
        asked.push(start);
        return 7;
      },
    });
    expect(quotaPeriod(sub(), now)).toEqual({
      startMs: Date.UTC(2026, 1, 28, 12),
      endMs: Date.UTC(2026, 2, 31, 12),
    });
    expect(asked).toEqual([Date.UTC(2026, 1, 28, 12)]);
    expect(request).toMatchObject({
      subscriptionId: 's1',
      nowMs: now,
      identity: { keyId: 'k', appId: 'a', ip: '10.0.0.1' },
      quota: {
        limit: 1000,
        periodStartMs: Date.UTC(2026, 1, 28, 12),
        resetAtMs: Date.UTC(2026, 2, 31, 12),
        base: 7,
      },
      failureMode: 'deny',
    });
  });
});

describe('quota mode', () => {
  const context = {
    keyId: 'k',
    appId: 'a',
    failureMode: 'allow' as const,
    quotaBase: async () => 0,
  };
  it('enforces the monthly quota only for hard-capped plans', async () => {
    const now = Date.UTC(2026, 2, 1);
    expect((await limitRequestFor(sub(), now, context)).quota?.limit).toBe(1000);
    expect((await limitRequestFor(sub({ quotaMode: 'bill_overage' }), now, context)).quota).toBeNull();
  });
});
