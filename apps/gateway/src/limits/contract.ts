import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LimitRequest, LimitStore } from './types.ts';

// The next hour boundary: in the future for Redis' expiry clock, and aligned to every window size used.
const T0 = Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 3_600_000;
const MONTH_END = T0 + 30 * 86_400_000;

function request(
  subscriptionId: string,
  nowMs: number,
  rate: { limit: number; windowSeconds: number } | null,
  quota: { limit: number; base?: number; period?: string } | null,
): LimitRequest {
  return {
    subscriptionId,
    nowMs,
    rate,
    quota: quota
      ? { limit: quota.limit, base: quota.base ?? 0, period: quota.period ?? '2099-01', resetAtMs: MONTH_END }
      : null,
  };
}

async function outcomes(store: LimitStore, req: LimitRequest, times: number): Promise<string[]> {
  const result: string[] = [];
  for (let i = 0; i < times; i++) result.push((await store.consume(req)).outcome);
  return result;
}

/** One suite, run against every LimitStore implementation, so they cannot drift apart. */
export function limitStoreContract(name: string, createStore: () => Promise<LimitStore>): void {
  describe(`LimitStore contract: ${name}`, () => {
    let store: LimitStore;
    let sub: string;
    beforeEach(async () => {
      store = await createStore();
      sub = randomUUID();
    });
    afterEach(async () => {
      await store.close();
    });

    it('allows up to the limit, then denies with remaining 0 and the time to the window end', async () => {
      const req = request(sub, T0 + 15_000, { limit: 5, windowSeconds: 60 }, null);
      const first = await store.consume(req);
      expect(first).toEqual({
        outcome: 'allowed',
        rate: { limit: 5, remaining: 4, resetMs: 45_000 },
        quota: null,
      });
      expect(await outcomes(store, req, 5)).toEqual([
        'allowed',
        'allowed',
        'allowed',
        'allowed',
        'rate_limited',
      ]);
      const denied = await store.consume(req);
      expect(denied.outcome).toBe('rate_limited');
      expect(denied.rate).toEqual({ limit: 5, remaining: 0, resetMs: 45_000 });
    });

    it('resets when the next window starts', async () => {
      const rate = { limit: 2, windowSeconds: 10 };
      expect(await outcomes(store, request(sub, T0 + 1_000, rate, null), 3)).toEqual([
        'allowed',
        'allowed',
        'rate_limited',
      ]);
      expect(await outcomes(store, request(sub, T0 + 9_999, rate, null), 1)).toEqual(['rate_limited']);
      const next = await store.consume(request(sub, T0 + 10_000, rate, null));
      expect(next.outcome).toBe('allowed');
      expect(next.rate?.remaining).toBe(1);
    });

    it('counts the quota across windows', async () => {
      const rate = { limit: 5, windowSeconds: 60 };
      const quota = { limit: 7 };
      expect(await outcomes(store, request(sub, T0, rate, quota), 6)).toEqual([
        ...Array<string>(5).fill('allowed'),
        'rate_limited',
      ]);
      const later = request(sub, T0 + 60_000, rate, quota);
      const third = await outcomes(store, later, 3);
      expect(third).toEqual(['allowed', 'allowed', 'quota_exceeded']);
      const denied = await store.consume(later);
      expect(denied.quota).toEqual({ limit: 7, remaining: 0, resetMs: MONTH_END - (T0 + 60_000) });
    });

    it('a quota denial does not consume the rate limit', async () => {
      const rate = { limit: 10, windowSeconds: 60 };
      expect(await outcomes(store, request(sub, T0, rate, { limit: 3 }), 6)).toEqual([
        'allowed',
        'allowed',
        'allowed',
        'quota_exceeded',
        'quota_exceeded',
        'quota_exceeded',
      ]);
      // A new period (fresh quota) in the same window sees only the 3 admitted requests in the window.
      const fresh = await store.consume(request(sub, T0, rate, { limit: 3, period: '2099-02' }));
      expect(fresh.outcome).toBe('allowed');
      expect(fresh.rate?.remaining).toBe(6);
    });

    it('a rate-limit denial does not consume the quota', async () => {
      const rate = { limit: 2, windowSeconds: 60 };
      const quota = { limit: 10 };
      expect(await outcomes(store, request(sub, T0, rate, quota), 7)).toEqual([
        'allowed',
        'allowed',
        ...Array<string>(5).fill('rate_limited'),
      ]);
      const next = await store.consume(request(sub, T0 + 60_000, rate, quota));
      expect(next.outcome).toBe('allowed');
      expect(next.quota?.remaining).toBe(7);
    });

    it('admits exactly the limit under 200 concurrent calls', async () => {
      const req = request(sub, T0, { limit: 50, windowSeconds: 60 }, { limit: 1000 });
      const decisions = await Promise.all(Array.from({ length: 200 }, () => store.consume(req)));
      expect(decisions.filter((d) => d.outcome === 'allowed')).toHaveLength(50);
      expect(decisions.filter((d) => d.outcome === 'rate_limited')).toHaveLength(150);
      const after = await store.consume(
        request(sub, T0 + 60_000, { limit: 50, windowSeconds: 60 }, { limit: 1000 }),
      );
      expect(after.quota?.remaining).toBe(1000 - 51);
    });

    it('admits exactly the quota under 200 concurrent calls', async () => {
      const req = request(sub, T0, { limit: 1000, windowSeconds: 60 }, { limit: 30 });
      const decisions = await Promise.all(Array.from({ length: 200 }, () => store.consume(req)));
      expect(decisions.filter((d) => d.outcome === 'allowed')).toHaveLength(30);
      expect(decisions.filter((d) => d.outcome === 'quota_exceeded')).toHaveLength(170);
    });

    it('seeds an absent quota counter from the base, and only once (SET NX)', async () => {
      const seeded = await store.consume(request(sub, T0, null, { limit: 100, base: 95 }));
      expect(seeded.outcome).toBe('allowed');
      expect(seeded.quota?.remaining).toBe(4);
      // A later, different base must not overwrite the live counter.
      const again = await outcomes(store, request(sub, T0, null, { limit: 100, base: 0 }), 5);
      expect(again).toEqual(['allowed', 'allowed', 'allowed', 'allowed', 'quota_exceeded']);
      const full = await store.consume(request(randomUUID(), T0, null, { limit: 100, base: 100 }));
      expect(full.outcome).toBe('quota_exceeded');
    });

    it('allows everything when the plan has neither limit nor quota', async () => {
      const decision = await store.consume(request(sub, T0, null, null));
      expect(decision).toEqual({ outcome: 'allowed', rate: null, quota: null });
    });

    it('keeps subscriptions apart', async () => {
      const rate = { limit: 1, windowSeconds: 60 };
      expect((await store.consume(request(sub, T0, rate, null))).outcome).toBe('allowed');
      expect((await store.consume(request(sub, T0, rate, null))).outcome).toBe('rate_limited');
      expect((await store.consume(request(randomUUID(), T0, rate, null))).outcome).toBe('allowed');
    });
  });
}
