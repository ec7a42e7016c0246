import { randomUUID } from 'node:crypto';
import type { LimitScope } from '@portcullis/core/policies';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LimitDecision, LimitRequest, LimitStore, LimitWindowSpec } from './types.ts';

// The next hour boundary plus one: in the future for Redis' expiry clock, aligned to every window used.
const T0 = Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 3_600_000;
const PERIOD_START = T0 - 86_400_000;
const PERIOD_END = T0 + 30 * 86_400_000;

type WindowArg = [limit: number, windowSeconds: number, scope?: LimitScope];

function request(
  subscriptionId: string,
  nowMs: number,
  windows: WindowArg[],
  quota: { limit: number; base?: number; periodStartMs?: number; raise?: boolean } | null = null,
  identity: LimitRequest['identity'] = {},
): LimitRequest {
  return {
    subscriptionId,
    nowMs,
    identity,
    windows: windows.map(
      ([limit, windowSeconds, scope = 'subscription']): LimitWindowSpec => ({
        name: `${scope}-w${windowSeconds}`,
        limit,
        windowSeconds,
        scope,
      }),
    ),
    quota: quota
      ? {
          limit: quota.limit,
          base: quota.base ?? 0,
          periodStartMs: quota.periodStartMs ?? PERIOD_START,
          resetAtMs: PERIOD_END,
          ...(quota.raise ? { raise: true } : {}),
        }
      : null,
  };
}

async function outcomes(store: LimitStore, req: LimitRequest, times: number): Promise<string[]> {
  const result: string[] = [];
  for (let i = 0; i < times; i++) result.push((await store.consume(req)).outcome);
  return result;
}

const allowed = (n: number) => Array<string>(n).fill('allowed');
const windowOf = (decision: LimitDecision, seconds: number) =>
  decision.windows.find((w) => w.windowSeconds === seconds);

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

    it('admits a burst of exactly the limit, then refuses with Retry-After one emission interval', async () => {
      const req = request(sub, T0 + 15_000, [[5, 60]]);
      const first = await store.consume(req);
      expect(first).toEqual({
        outcome: 'allowed',
        windows: [
          {
            name: 'subscription-w60',
            scope: 'subscription',
            windowSeconds: 60,
            limit: 5,
            remaining: 4,
            resetMs: 12_000,
            retryAfterMs: 0,
          },
        ],
        quota: null,
      });
      expect(await outcomes(store, req, 5)).toEqual([...allowed(4), 'rate_limited']);
      const denied = await store.consume(req);
      expect(denied.outcome).toBe('rate_limited');
      expect(denied.windows[0]).toMatchObject({ remaining: 0, resetMs: 60_000, retryAfterMs: 12_000 });
    });

    it('refills one request per interval and allows no 2× burst at a window edge (GCRA)', async () => {
      const rate: WindowArg[] = [[6, 60]]; // one request per 10 s
      // A full burst just before where a fixed window would end…
      expect(await outcomes(store, request(sub, T0 + 59_000, rate), 7)).toEqual([
        ...allowed(6),
        'rate_limited',
      ]);
      // …buys nothing just after it.
      expect(await outcomes(store, request(sub, T0 + 60_001, rate), 1)).toEqual(['rate_limited']);
      // One interval after the burst, exactly one more.
      expect(await outcomes(store, request(sub, T0 + 69_000, rate), 2)).toEqual(['allowed', 'rate_limited']);
      // A full window after the last admission, a full burst again.
      expect(await outcomes(store, request(sub, T0 + 129_000, rate), 7)).toEqual([
        ...allowed(6),
        'rate_limited',
      ]);
    });

    it('checks every window and consumes none of them when one refuses (all-or-nothing)', async () => {
      const windows: WindowArg[] = [
        [3, 60],
        [5, 3600],
      ];
      expect(await outcomes(store, request(sub, T0, windows), 3)).toEqual(allowed(3));
      const byMinute = await store.consume(request(sub, T0, windows));
      expect(byMinute.outcome).toBe('rate_limited');
      expect(windowOf(byMinute, 60)).toMatchObject({ remaining: 0, retryAfterMs: 20_000 });
      // The hour window was not charged for the refused request.
      expect(windowOf(byMinute, 3600)).toMatchObject({ remaining: 2, retryAfterMs: 0 });

      const later = request(sub, T0 + 60_000, windows);
      expect(await outcomes(store, later, 2)).toEqual(allowed(2));
      for (let i = 0; i < 3; i++) {
        const byHour = await store.consume(later);
        expect(byHour.outcome).toBe('rate_limited');
        expect(windowOf(byHour, 3600)).toMatchObject({ remaining: 0, retryAfterMs: 660_000 });
        expect(windowOf(byHour, 60)).toMatchObject({ remaining: 1, retryAfterMs: 0 });
      }
      // Those refusals did not charge the minute window either: it still has its one request.
      expect(await outcomes(store, request(sub, T0 + 60_000, [[3, 60]]), 2)).toEqual([
        'allowed',
        'rate_limited',
      ]);
    });

    it('a quota refusal consumes no window, and a window refusal consumes no quota', async () => {
      const windows: WindowArg[] = [[10, 3600]];
      expect(await outcomes(store, request(sub, T0, windows, { limit: 3 }), 5)).toEqual([
        ...allowed(3),
        'quota_exceeded',
        'quota_exceeded',
      ]);
      // A new billing period (fresh quota, keyed by its start) sees only the 3 admitted requests.
      const fresh = await store.consume(request(sub, T0, windows, { limit: 3, periodStartMs: T0 }));
      expect(fresh.outcome).toBe('allowed');
      expect(fresh.windows[0]?.remaining).toBe(6);

      const other = randomUUID();
      const tight: WindowArg[] = [[2, 3600]];
      expect(await outcomes(store, request(other, T0, tight, { limit: 10 }), 6)).toEqual([
        ...allowed(2),
        ...Array<string>(4).fill('rate_limited'),
      ]);
      const next = await store.consume(request(other, T0 + 3_600_000, tight, { limit: 10 }));
      expect(next.outcome).toBe('allowed');
      expect(next.quota).toEqual({ limit: 10, remaining: 7, resetMs: PERIOD_END - (T0 + 3_600_000) });
    });

    it('counts ip, key and app windows per value and subscription windows across them', async () => {
      const a = { keyId: 'k1', appId: 'app1', ip: '10.0.0.1' };
      const b = { keyId: 'k2', appId: 'app2', ip: '2001:db8::2' };
      for (const scope of ['ip', 'key', 'app'] as const) {
        const windows: WindowArg[] = [[2, 3600, scope]];
        expect(await outcomes(store, request(sub, T0, windows, null, a), 3)).toEqual([
          ...allowed(2),
          'rate_limited',
        ]);
        expect(await outcomes(store, request(sub, T0, windows, null, b), 3)).toEqual([
          ...allowed(2),
          'rate_limited',
        ]);
      }
      const shared: WindowArg[] = [[2, 3600, 'subscription']];
      expect(await outcomes(store, request(sub, T0, shared, null, a), 1)).toEqual(['allowed']);
      expect(await outcomes(store, request(sub, T0, shared, null, b), 2)).toEqual([
        'allowed',
        'rate_limited',
      ]);
    });

    it('keeps windows of equal length but different limits apart', async () => {
      const windows: WindowArg[] = [
        [2, 3600],
        [4, 3600],
      ];
      expect(await outcomes(store, request(sub, T0, windows), 3)).toEqual([...allowed(2), 'rate_limited']);
      expect(await outcomes(store, request(sub, T0, [[4, 3600]]), 3)).toEqual([
        ...allowed(2),
        'rate_limited',
      ]);
    });

    it('admits exactly the strictest limit under 200 concurrent calls', async () => {
      const windows: WindowArg[] = [
        [80, 3600],
        [50, 3600, 'key'],
      ];
      const req = request(sub, T0, windows, { limit: 1000 }, { keyId: 'k' });
      const decisions = await Promise.all(Array.from({ length: 200 }, () => store.consume(req)));
      expect(decisions.filter((d) => d.outcome === 'allowed')).toHaveLength(50);
      expect(decisions.filter((d) => d.outcome === 'rate_limited')).toHaveLength(150);
      const after = await store.consume(
        request(sub, T0 + 3_600_000, windows, { limit: 1000 }, { keyId: 'k' }),
      );
      expect(after.quota?.remaining).toBe(1000 - 51);
      expect(windowOf(after, 3600)?.remaining).toBe(79);
    });

    it('admits exactly the quota under 200 concurrent calls', async () => {
      const req = request(sub, T0, [[1000, 60]], { limit: 30 });
      const decisions = await Promise.all(Array.from({ length: 200 }, () => store.consume(req)));
      expect(decisions.filter((d) => d.outcome === 'allowed')).toHaveLength(30);
      expect(decisions.filter((d) => d.outcome === 'quota_exceeded')).toHaveLength(170);
    });

    it('seeds an absent quota counter from the base, and only once (SET NX)', async () => {
      const seeded = await store.consume(request(sub, T0, [], { limit: 100, base: 95 }));
      expect(seeded.outcome).toBe('allowed');
      expect(seeded.quota?.remaining).toBe(4);
      // A later, different base must not overwrite the live counter.
      const again = await outcomes(store, request(sub, T0, [], { limit: 100, base: 0 }), 5);
      expect(again).toEqual([...allowed(4), 'quota_exceeded']);
      const full = await store.consume(request(randomUUID(), T0, [], { limit: 100, base: 100 }));
      expect(full.outcome).toBe('quota_exceeded');
    });

    it('raises a live quota counter to a higher base when asked, and never lowers it', async () => {
      const seeded = await store.consume(request(sub, T0, [], { limit: 100, base: 10 }));
      expect(seeded.quota?.remaining).toBe(89);
      const raise = (base: number) => request(sub, T0, [], { limit: 100, base, raise: true });
      expect((await store.consume(raise(97))).quota?.remaining).toBe(2);
      expect((await store.consume(raise(5))).quota?.remaining).toBe(1);
      expect((await store.consume(raise(100))).outcome).toBe('quota_exceeded');
      // An absent counter takes the base, as with SET NX.
      const other = request(randomUUID(), T0, [], { limit: 100, base: 60, raise: true });
      expect((await store.consume(other)).quota?.remaining).toBe(39);
    });

    it('allows everything when the plan has neither windows nor quota', async () => {
      const decision = await store.consume(request(sub, T0, []));
      expect(decision).toEqual({ outcome: 'allowed', windows: [], quota: null });
    });

    it('keeps subscriptions apart', async () => {
      const rate: WindowArg[] = [[1, 60]];
      expect((await store.consume(request(sub, T0, rate))).outcome).toBe('allowed');
      expect((await store.consume(request(sub, T0, rate))).outcome).toBe('rate_limited');
      expect((await store.consume(request(randomUUID(), T0, rate))).outcome).toBe('allowed');
    });
  });
}
