import type { ModelRoute, RouteTarget } from '@portcullis/core/ai-config';
import { describe, expect, it } from 'vitest';
import { orderTargets, withoutCoolingDown } from './routing-order.ts';
import { LATENCY_STALE_MS, TargetStats } from './routing-stats.ts';
import { MemoryRouteUsage, type UsageCandidate } from './routing-usage.ts';

const a: RouteTarget = { credentialId: 'cred-a', model: 'm', weight: 1 };
const b: RouteTarget = { credentialId: 'cred-b', model: 'm', weight: 1 };
const spare: RouteTarget = { credentialId: 'cred-c', model: 'm', weight: 0 };
const keyOf = (t: RouteTarget) => t.credentialId;
const names = (order: RouteTarget[]) => order.map((t) => t.credentialId);
const cooldown = { cooldownFailures: 3, cooldownWindowSeconds: 60, cooldownSeconds: 30 };

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

const route = (strategy: ModelRoute['strategy'], targets = [a, b, spare]) => ({ strategy, targets });

describe('route target order by strategy', () => {
  it('weighted: random by weight, weight-0 targets last', () => {
    const stats = new TargetStats();
    expect(names(orderTargets(route('weighted'), keyOf, stats, () => 0))).toEqual([
      'cred-a',
      'cred-b',
      'cred-c',
    ]);
    expect(names(orderTargets(route('weighted'), keyOf, stats, () => 0.99))).toEqual([
      'cred-b',
      'cred-a',
      'cred-c',
    ]);
  });

  it('least-latency: untried targets first, then the lowest recent latency; stale ones explored again', () => {
    const c = clock();
    const stats = new TargetStats(c.now);
    stats.succeeded('cred-a', 400);
    // b has no latency yet: it is explored first
    expect(names(orderTargets(route('least-latency'), keyOf, stats, () => 0))).toEqual([
      'cred-b',
      'cred-a',
      'cred-c',
    ]);
    stats.succeeded('cred-b', 50);
    expect(names(orderTargets(route('least-latency'), keyOf, stats, () => 0))).toEqual([
      'cred-b',
      'cred-a',
      'cred-c',
    ]);
    // b slows down: the moving average follows it past a
    for (let i = 0; i < 10; i++) stats.succeeded('cred-b', 900);
    expect(names(orderTargets(route('least-latency'), keyOf, stats, () => 0))).toEqual([
      'cred-a',
      'cred-b',
      'cred-c',
    ]);
    // a's figure grows stale: it is tried again as if new
    c.t += LATENCY_STALE_MS / 2;
    stats.succeeded('cred-b', 900);
    c.t += LATENCY_STALE_MS / 2 + 1;
    expect(stats.latency('cred-a')).toBeNull();
    expect(names(orderTargets(route('least-latency'), keyOf, stats, () => 0))).toEqual([
      'cred-a',
      'cred-b',
      'cred-c',
    ]);
  });

  it('least-latency: a failing target counts as slow as the timeout, not as untried', () => {
    const stats = new TargetStats();
    stats.succeeded('cred-a', 800);
    stats.observeLatency('cred-b', 60_000);
    expect(names(orderTargets(route('least-latency'), keyOf, stats, () => 0))).toEqual([
      'cred-a',
      'cred-b',
      'cred-c',
    ]);
  });

  it('least-busy: the fewest calls in flight first; ties by weight', () => {
    const stats = new TargetStats();
    const endA = stats.started('cred-a');
    stats.started('cred-a');
    stats.started('cred-b');
    expect(names(orderTargets(route('least-busy'), keyOf, stats, () => 0))).toEqual([
      'cred-b',
      'cred-a',
      'cred-c',
    ]);
    endA();
    endA(); // ending twice counts once
    expect(stats.inFlight('cred-a')).toBe(1);
    expect(names(orderTargets(route('least-busy'), keyOf, stats, () => 0))).toEqual([
      'cred-a',
      'cred-b',
      'cred-c',
    ]);
    expect(names(orderTargets(route('least-busy'), keyOf, stats, () => 0.99))).toEqual([
      'cred-b',
      'cred-a',
      'cred-c',
    ]);
  });
});

describe('cooldown', () => {
  it('cools a target down after N retryable failures within the window, until the cooldown ends', () => {
    const c = clock();
    const stats = new TargetStats(c.now);
    stats.failed('cred-a', cooldown, null);
    c.t += 59_000;
    stats.failed('cred-a', cooldown, null);
    c.t += 2_000; // the first failure left the window
    stats.failed('cred-a', cooldown, null);
    expect(stats.coolingDown('cred-a')).toBe(false);
    stats.failed('cred-a', cooldown, null);
    expect(stats.coolingDown('cred-a')).toBe(true);
    expect(names(withoutCoolingDown([a, b], keyOf, stats))).toEqual(['cred-b']);
    c.t += 30_001;
    expect(stats.coolingDown('cred-a')).toBe(false);
    // it comes back with a clean count
    stats.failed('cred-a', cooldown, null);
    expect(stats.coolingDown('cred-a')).toBe(false);
  });

  it("lasts at least the provider's retry-after; a success forgives earlier failures; 0 turns it off", () => {
    const c = clock();
    const stats = new TargetStats(c.now);
    for (let i = 0; i < 3; i++) stats.failed('cred-a', cooldown, 120_000);
    c.t += 100_000;
    expect(stats.coolingDown('cred-a')).toBe(true);
    c.t += 20_001;
    expect(stats.coolingDown('cred-a')).toBe(false);

    stats.failed('cred-b', cooldown, null);
    stats.failed('cred-b', cooldown, null);
    stats.succeeded('cred-b', 10);
    stats.failed('cred-b', cooldown, null);
    expect(stats.coolingDown('cred-b')).toBe(false);

    for (let i = 0; i < 10; i++) stats.failed('cred-c', { ...cooldown, cooldownFailures: 0 }, null);
    expect(stats.coolingDown('cred-c')).toBe(false);
  });

  it('tries every target anyway, in order, when all of them are cooling down', () => {
    const stats = new TargetStats();
    for (const key of ['cred-a', 'cred-b']) for (let i = 0; i < 3; i++) stats.failed(key, cooldown, null);
    expect(names(withoutCoolingDown([b, a], keyOf, stats))).toEqual(['cred-b', 'cred-a']);
  });
});

describe('usage-based pick (memory counters)', () => {
  const candidate = (key: string, limits: Partial<UsageCandidate>): UsageCandidate => ({
    key,
    orgId: 'org',
    rpm: undefined,
    tpm: undefined,
    tier: 0,
    ...limits,
  });

  it('picks the least used target under its limits and skips those at a limit', async () => {
    const c = clock(60_000 * 1000);
    const usage = new MemoryRouteUsage(c.now);
    const x = candidate('x', { rpm: 2 });
    const y = candidate('y', { rpm: 4 });
    const picks: number[] = [];
    for (let i = 0; i < 6; i++) {
      const pick = await usage.pick([x, y]);
      picks.push('index' in pick ? pick.index : -1);
    }
    // shares: x 0/2, y 0/4 → x; x 1/2, y 0 → y; x .5, y .25 → y; x .5 = y .5 → x; x full → y, y
    expect(picks).toEqual([0, 1, 1, 0, 1, 1]);
    const full = await usage.pick([x, y]);
    expect(full).toEqual({ retryAfterMs: 60_000 });
    c.t += 60_000; // a new minute
    expect(await usage.pick([x, y])).toEqual({ index: 0 });
  });

  it('counts tokens against tpm, and picks fallback-only targets only when the others are used up', async () => {
    const c = clock(60_000 * 1000 + 15_000);
    const usage = new MemoryRouteUsage(c.now);
    const main = candidate('main', { tpm: 100 });
    const spareTarget = candidate('spare', { tier: 1 });
    expect(await usage.pick([main, spareTarget])).toEqual({ index: 0 });
    await usage.addTokens(main, 100);
    expect(await usage.pick([main, spareTarget])).toEqual({ index: 1 });
    expect(await usage.pick([main])).toEqual({ retryAfterMs: 45_000 });
  });
});
