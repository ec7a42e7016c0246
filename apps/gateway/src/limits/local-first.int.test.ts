import { randomBytes } from 'node:crypto';
import { setImmediate as turn } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { readGatewayEnv } from '../env.ts';
import { leaseLifetimeMs, overshootBound } from './local-first.ts';
import { RedisLimitStore } from './redis.ts';
import { ResilientLimitStore } from './resilient.ts';
import { gcraParams, type LimitRequest, type LimitWindowSpec, type RateLimitAccuracy } from './types.ts';

const redisUrl = readGatewayEnv().REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = `portcullis-test:${randomBytes(6).toString('hex')}:`;
const opened: ResilientLimitStore[] = [];

/** One gateway instance's limit store: its own Redis connection, the shared Redis and namespace. */
async function instance(): Promise<ResilientLimitStore> {
  const redis = new RedisLimitStore({ url: redisUrl, keyPrefix });
  await redis.ready();
  const store = new ResilientLimitStore(redis);
  opened.push(store);
  return store;
}

function request(
  subscriptionId: string,
  accuracy: RateLimitAccuracy,
  windows: LimitWindowSpec[],
  quota: LimitRequest['quota'] = null,
): LimitRequest {
  return {
    subscriptionId,
    nowMs: Date.now(),
    identity: { keyId: 'k1' },
    windows,
    quota,
    failureMode: 'deny',
    accuracy,
  };
}

/**
 * Both instances send `concurrency` requests at a time, round after round, for `durationMs`: the load
 * of two gateways behind one balancer. Returns what each admitted and the span the requests covered.
 */
async function hammer(
  stores: ResilientLimitStore[],
  make: () => LimitRequest,
  durationMs: number,
  concurrency = 16,
): Promise<{ admitted: number; refused: number; spanMs: number }> {
  let admitted = 0;
  let refused = 0;
  const started = Date.now();
  await Promise.all(
    stores.map(async (store) => {
      while (Date.now() - started < durationMs) {
        const decisions = await Promise.all(Array.from({ length: concurrency }, () => store.consume(make())));
        for (const decision of decisions) {
          if (decision.outcome === 'allowed') admitted++;
          else refused++;
        }
        await turn();
      }
    }),
  );
  return { admitted, refused, spanMs: Date.now() - started };
}

/** What exact GCRA admits at most over a span: the full burst plus one interval's refill per interval. */
const exactAllowance = (window: { limit: number; windowSeconds: number }, spanMs: number) =>
  window.limit + Math.ceil((spanMs * 1000) / gcraParams(window).intervalUs) + 1;

describe('local-first limits across two gateway instances sharing one Redis', () => {
  afterAll(async () => {
    await Promise.all(opened.map((store) => store.close()));
    const cleaner = new RedisLimitStore({ url: redisUrl, keyPrefix });
    await cleaner.deleteNamespace();
    await cleaner.close();
  });

  it('overshoots a rate window by at most the stated bound under concurrent load', async () => {
    const stores = [await instance(), await instance()];
    const window: LimitWindowSpec = { name: 'w10', limit: 200, windowSeconds: 10, scope: 'subscription' };
    const bound = overshootBound(window);
    expect(leaseLifetimeMs({ windows: [window] })).toBe(100);
    expect(bound).toBe(2); // ⌈1 % of 200⌉

    const localSub = `lf-${randomBytes(4).toString('hex')}`;
    const local = await hammer(stores, () => request(localSub, 'LOCAL_FIRST', [window]), 1_500);
    const exactSub = `ex-${randomBytes(4).toString('hex')}`;
    const exact = await hammer(stores, () => request(exactSub, 'EXACT', [window]), 1_500);

    expect(local.refused).toBeGreaterThan(0);
    expect(local.admitted).toBeLessThanOrEqual(exactAllowance(window, local.spanMs) + bound);
    expect(exact.admitted).toBeLessThanOrEqual(exactAllowance(window, exact.spanMs));
    // Leased units held unused are the cost: still, the burst is admitted in full.
    expect(local.admitted).toBeGreaterThanOrEqual(window.limit);
  });

  it('never exceeds a quota, whichever instance admits', async () => {
    const stores = [await instance(), await instance()];
    const sub = `lfq-${randomBytes(4).toString('hex')}`;
    const now = Date.now();
    const quota = { limit: 500, periodStartMs: now - 1_000, resetAtMs: now + 3_600_000, base: 0 };
    const result = await hammer(stores, () => request(sub, 'LOCAL_FIRST', [], quota), 600);
    expect(result.admitted).toBeLessThanOrEqual(500);
    // Units still leased when the load stopped (≤ 2 leases of 5 per instance) are all that is missing.
    expect(result.admitted).toBeGreaterThanOrEqual(500 - 2 * 2 * 5);
  });

  it('decides in process: one Redis lease serves many requests', async () => {
    const [store] = [await instance()];
    const sub = `lfl-${randomBytes(4).toString('hex')}`;
    const window: LimitWindowSpec = {
      name: 'w60',
      limit: 1_000_000,
      windowSeconds: 60,
      scope: 'subscription',
    };
    const before = store?.localFirst.leasesTaken ?? 0;
    for (let i = 0; i < 2_000; i++) {
      expect((await store?.consume(request(sub, 'LOCAL_FIRST', [window])))?.outcome).toBe('allowed');
    }
    // 1,000 units per lease, the next asked for when half is gone.
    expect((store?.localFirst.leasesTaken ?? 0) - before).toBeLessThanOrEqual(4);
  });

  it('gives unused units back, so the other instance can use them', async () => {
    const [first, second] = [await instance(), await instance()];
    const sub = `lfr-${randomBytes(4).toString('hex')}`;
    const window: LimitWindowSpec = { name: 'w3600', limit: 300, windowSeconds: 3600, scope: 'subscription' };
    // The first instance takes a lease of 3 units and hands out one; the other two are held.
    expect((await first?.consume(request(sub, 'LOCAL_FIRST', [window])))?.outcome).toBe('allowed');
    await first?.localFirst.releaseAll();
    let admitted = 0;
    for (let i = 0; i < 400; i++) {
      if ((await second?.consume(request(sub, 'EXACT', [window])))?.outcome === 'allowed') admitted++;
    }
    // 300 in the window (and a fraction of one interval's refill): nothing lost to the first's lease.
    expect(admitted).toBeGreaterThanOrEqual(299);
    expect(admitted).toBeLessThanOrEqual(300);
  });
});
