import { describe, expect, it } from 'vitest';
import { RedisLimitStore } from './redis.ts';
import { localShare, ResilientLimitStore } from './resilient.ts';
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

describe('ResilientLimitStore in local mode', () => {
  // Nothing listens on port 1: Redis is unreachable from the start, so every decision is local.
  const unreachable = () => new RedisLimitStore({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 100 });
  const quotaRequest = (base: number): LimitRequest => ({
    subscriptionId: 'sub-local',
    nowMs: Date.now(),
    windows: [],
    quota: { limit: 10, periodStartMs: 0, resetAtMs: Date.now() + 86_400_000, base },
    failureMode: 'local',
  });

  it('waits at most quotaUsageWaitMs for a slow Postgres, then raises the counter once the read lands', async () => {
    const reads: ((usage: number) => void)[] = [];
    const store = new ResilientLimitStore(unreachable(), {
      periodUsage: () => new Promise<number>((resolve) => reads.push(resolve)),
      quotaUsageWaitMs: 50,
    });
    try {
      const started = Date.now();
      const first = await store.consume(quotaRequest(3));
      expect(Date.now() - started).toBeLessThan(1_000);
      // Decided from the cached figure (3) while the read is out.
      expect(first).toMatchObject({ outcome: 'allowed', degraded: 'local', quota: { remaining: 6 } });
      expect(reads).toHaveLength(1);
      reads[0]?.(9);
      await new Promise((resolve) => setImmediate(resolve));
      const outcomes: string[] = [];
      for (let i = 0; i < 3; i++) outcomes.push((await store.consume(quotaRequest(3))).outcome);
      expect(outcomes).toEqual(['allowed', 'quota_exceeded', 'quota_exceeded']);
      expect(reads).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('never lowers a local counter when Postgres shows less than it counted', async () => {
    const store = new ResilientLimitStore(unreachable(), {
      periodUsage: async () => 0,
      quotaUsageRefreshMs: 0,
    });
    try {
      const outcomes: string[] = [];
      for (let i = 0; i < 12; i++) outcomes.push((await store.consume(quotaRequest(0))).outcome);
      expect(outcomes.filter((o) => o === 'allowed')).toHaveLength(10);
    } finally {
      await store.close();
    }
  });
});

describe('ResilientLimitStore with a plan without limits or quota', () => {
  const unlimited = (failureMode: LimitRequest['failureMode']): LimitRequest => ({
    subscriptionId: 'sub-unlimited',
    nowMs: Date.now(),
    windows: [],
    quota: null,
    failureMode,
  });

  it('admits without asking Redis, except where the deny mode must refuse while Redis is away', async () => {
    const store = new ResilientLimitStore(
      new RedisLimitStore({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 100 }),
    );
    // Taken for reachable, so every request that asks Redis shows in `asked`.
    Object.defineProperty(store.redis, 'available', { get: () => true });
    let asked = 0;
    const consume = store.redis.consume.bind(store.redis);
    store.redis.consume = (req) => {
      asked++;
      return consume(req);
    };
    expect(await store.consume(unlimited('allow'))).toEqual({ outcome: 'allowed', windows: [], quota: null });
    expect((await store.consume(unlimited('local'))).outcome).toBe('allowed');
    expect(asked).toBe(0);
    expect((await store.consume(unlimited('deny'))).outcome).toBe('limiter_unavailable');
    expect(asked).toBe(1);
    await store.close();
  });
});
