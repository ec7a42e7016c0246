import { describe, expect, it } from 'vitest';
import { SwrCache } from './swr-cache.ts';

function setup(ttlMs = 1_000) {
  let clock = 0;
  let loads = 0;
  let value = 'v1';
  const cache = new SwrCache<string>({ ttlMs, negativeTtlMs: 100, maxEntries: 3, now: () => clock });
  const load = async () => {
    loads++;
    return value;
  };
  return {
    cache,
    load,
    advance: (ms: number) => {
      clock += ms;
    },
    set: (v: string) => {
      value = v;
    },
    loads: () => loads,
  };
}

describe('SwrCache', () => {
  it('serves fresh entries without loading, stale ones while revalidating, expired ones after loading', async () => {
    const t = setup();
    expect(await t.cache.get('k', t.load)).toBe('v1');
    t.set('v2');
    t.advance(999);
    expect(await t.cache.get('k', t.load)).toBe('v1');
    expect(t.loads()).toBe(1);
    t.advance(2);
    expect(await t.cache.get('k', t.load)).toBe('v1'); // stale, refresh started
    await Promise.resolve();
    expect(t.loads()).toBe(2);
    expect(await t.cache.get('k', t.load)).toBe('v2');
    t.set('v3');
    t.advance(2_500);
    expect(await t.cache.get('k', t.load)).toBe('v3'); // beyond 2×ttl: waits for the load
  });

  it('caches unknown keys briefly', async () => {
    const t = setup();
    const none = async () => null;
    expect(await t.cache.get('x', none)).toBeNull();
    expect(await t.cache.get('x', t.load)).toBeNull();
    t.advance(100);
    expect(await t.cache.get('x', t.load)).toBe('v1');
  });

  it('does not let a load that raced an invalidation repopulate the cache', async () => {
    const t = setup();
    let release: (v: string) => void = () => undefined;
    const slow = () =>
      new Promise<string>((resolve) => {
        release = resolve;
      });
    const pending = t.cache.get('k', slow);
    t.cache.delete('k');
    release('old');
    expect(await pending).toBe('old');
    expect(await t.cache.get('k', t.load)).toBe('v1');
  });

  it('deletes by predicate and evicts the oldest beyond maxEntries', async () => {
    const t = setup();
    for (const k of ['a', 'b', 'c', 'd']) await t.cache.get(k, async () => k);
    expect(t.cache.size).toBe(3);
    expect(t.cache.deleteWhere((v) => v === 'c')).toBe(1);
    expect(await t.cache.get('a', async () => 'reloaded')).toBe('reloaded');
  });

  it('serves the last value while reloads fail, for as long as they fail, and recovers after', async () => {
    const errors: unknown[] = [];
    let clock = 0;
    let down = false;
    let loads = 0;
    const cache = new SwrCache<string>({
      ttlMs: 1_000,
      negativeTtlMs: 100,
      maxEntries: 10,
      now: () => clock,
      retryAfterFailureMs: 500,
      onRefreshError: (error) => errors.push(error),
    });
    const load = async () => {
      loads++;
      if (down) throw new Error('database down');
      return `v${loads}`;
    };
    expect(await cache.get('k', load)).toBe('v1');
    down = true;
    clock += 60 * 60_000; // an hour: far beyond 2×ttl
    expect(await cache.get('k', load)).toBe('v1');
    expect(loads).toBe(2);
    expect(errors).toHaveLength(1);
    clock += 100; // within retryAfterFailureMs: no new attempt
    expect(await cache.get('k', load)).toBe('v1');
    expect(loads).toBe(2);
    await expect(cache.get('never-loaded', load)).rejects.toThrow('database down');
    down = false;
    clock += 500;
    expect(await cache.get('k', load)).toBe('v4');
  });

  it('keeps expired entries as fallback after expireAll, and reloads them first when it can', async () => {
    const t = setup();
    expect(await t.cache.get('k', t.load)).toBe('v1');
    t.cache.expireAll();
    t.set('v2');
    expect(await t.cache.get('k', t.load)).toBe('v2'); // reloaded before answering
    t.cache.expireAll();
    expect(await t.cache.get('k', () => Promise.reject(new Error('down')))).toBe('v2');
  });

  it('answers with the old value when a reload hangs longer than fallbackWaitMs', async () => {
    const cache = new SwrCache<string>({ ttlMs: 10, negativeTtlMs: 10, maxEntries: 10, fallbackWaitMs: 20 });
    expect(await cache.get('k', async () => 'old')).toBe('old');
    cache.expireAll();
    const hang = () => new Promise<string>(() => undefined);
    const started = performance.now();
    expect(await cache.get('k', hang)).toBe('old');
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
