import { describe, expect, it } from 'vitest';
import { localShare } from './resilient.ts';
import type { LimitRequest } from './types.ts';

const request: LimitRequest = {
  subscriptionId: 's',
  nowMs: 0,
  windows: [
    { name: 'w60', limit: 10, windowSeconds: 60, scope: 'subscription' },
    { name: 'ip-w1', limit: 1, windowSeconds: 1, scope: 'ip' },
  ],
  quota: { limit: 1000, periodStartMs: 0, resetAtMs: 1, base: 101 },
};

describe('localShare', () => {
  it('divides every limit and the quota base by the live instances, keeping at least 1', () => {
    const share = localShare(request, 3);
    expect(share.windows.map((w) => w.limit)).toEqual([3, 1]);
    expect(share.quota).toEqual({ limit: 333, periodStartMs: 0, resetAtMs: 1, base: 34 });
    expect(share.windows[0]?.name).toBe('w60');
  });

  it('is the identity for one instance (or a nonsensical count)', () => {
    expect(localShare(request, 1)).toBe(request);
    expect(localShare(request, 0)).toBe(request);
  });
});
