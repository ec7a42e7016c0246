import { describe, expect, it } from 'vitest';
import { approximateBytes, stringBytes } from '../byte-lru.ts';
import { ConfigWaitExceeded, ENTRY_OVERHEAD_BYTES, type ReloadFailures, SwrCache } from './swr-cache.ts';

/** What one entry with a one-letter key and value costs. */
const ONE_LETTER_ENTRY = ENTRY_OVERHEAD_BYTES + 2 * stringBytes('a');
const roomFor = (entries: number) => ({
  maxBytes: entries * ONE_LETTER_ENTRY,
  negativeMaxBytes: entries * (ENTRY_OVERHEAD_BYTES + stringBytes('a')),
  sizeOf: approximateBytes,
});

function setup(ttlMs = 1_000) {
  let clock = 0;
  let loads = 0;
  let value = 'v1';
  const cache = new SwrCache<string>({ ttlMs, negativeTtlMs: 100, ...roomFor(3), now: () => clock });
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

  it('deletes by predicate and evicts the least recently used beyond its byte budget', async () => {
    const t = setup();
    for (const k of ['a', 'b', 'c']) await t.cache.get(k, async () => k);
    expect(await t.cache.get('a', t.load)).toBe('a'); // used: 'b' is now the least recent
    await t.cache.get('d', async () => 'd');
    expect(t.cache.size).toBe(3);
    expect(t.cache.usage()).toMatchObject({ bytes: 3 * ONE_LETTER_ENTRY, entries: 3 });
    expect(await t.cache.get('b', async () => 'reloaded')).toBe('reloaded');
    expect(t.cache.deleteWhere((v) => v === 'd')).toBe(1);
    expect(await t.cache.get('d', async () => 'reloaded')).toBe('reloaded');
  });

  it('counts each entry by its key and value, larger values evicting more', async () => {
    const cache = new SwrCache<string>({ ttlMs: 1_000, negativeTtlMs: 100, ...roomFor(10) });
    for (const k of 'abcdefghij') await cache.get(k, async () => k);
    expect(cache.usage().bytes).toBe(10 * ONE_LETTER_ENTRY);
    // Three letters' worth of extra characters: the three least recent entries make room.
    const big = 'x'.repeat(1 + ((3 * ONE_LETTER_ENTRY) >> 1));
    await cache.get('k', async () => big);
    expect(cache.usage().entries).toBeLessThanOrEqual(7);
    expect(cache.usage().bytes).toBeLessThanOrEqual(10 * ONE_LETTER_ENTRY);
    expect(await cache.get('a', async () => 'reloaded')).toBe('reloaded');
    // A value larger than the whole budget is served but not kept.
    const huge = 'x'.repeat(10 * ONE_LETTER_ENTRY);
    expect(await cache.get('z', async () => huge)).toBe(huge);
    expect(await cache.get('z', async () => 'again')).toBe('again');
  });

  it('keeps unknown keys in a budget of their own: a flood of them evicts none of the known', async () => {
    const cache = new SwrCache<string>({ ttlMs: 60_000, negativeTtlMs: 60_000, ...roomFor(3) });
    for (const k of ['a', 'b', 'c']) await cache.get(k, async () => k);
    for (let i = 0; i < 1_000; i++) await cache.get(`unknown-${i}`, async () => null);
    const usage = cache.usage();
    expect(usage).toMatchObject({ entries: 3, bytes: 3 * ONE_LETTER_ENTRY });
    expect(usage.negativeBytes).toBeLessThanOrEqual(3 * (ENTRY_OVERHEAD_BYTES + stringBytes('a')));
    for (const k of ['a', 'b', 'c']) expect(await cache.get(k, async () => 'reloaded')).toBe(k);
  });

  it('serves the last value while reloads fail, for as long as they fail, and recovers after', async () => {
    const errors: unknown[] = [];
    let clock = 0;
    let down = false;
    let loads = 0;
    const cache = new SwrCache<string>({
      ttlMs: 1_000,
      negativeTtlMs: 100,
      ...roomFor(10),
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
    // The database just failed: the snapshot is served while the reload runs, its result right after.
    expect(await cache.get('k', load)).toBe('v1');
    await Promise.resolve();
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
    const cache = new SwrCache<string>({ ttlMs: 10, negativeTtlMs: 10, ...roomFor(10), fallbackWaitMs: 20 });
    expect(await cache.get('k', async () => 'old')).toBe('old');
    cache.expireAll();
    const hang = () => new Promise<string>(() => undefined);
    const started = performance.now();
    expect(await cache.get('k', hang)).toBe('old');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('gives up on a key never loaded at the deadline, and the load still fills the cache', async () => {
    const cache = new SwrCache<string>({ ttlMs: 1_000, negativeTtlMs: 100, ...roomFor(10) });
    let release: (v: string) => void = () => undefined;
    const slow = () =>
      new Promise<string>((resolve) => {
        release = resolve;
      });
    const started = performance.now();
    await expect(cache.get('k', slow, started + 30)).rejects.toBeInstanceOf(ConfigWaitExceeded);
    expect(performance.now() - started).toBeLessThan(500);
    release('late');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(await cache.get('k', slow, performance.now())).toBe('late');
  });

  it('bounds the wait for a reload by the deadline, and callers of one reload give up together', async () => {
    const cache = new SwrCache<string>({ ttlMs: 10, negativeTtlMs: 10, ...roomFor(10), fallbackWaitMs: 200 });
    expect(await cache.get('k', async () => 'old')).toBe('old');
    cache.expireAll();
    const hang = () => new Promise<string>(() => undefined);
    const started = performance.now();
    expect(await cache.get('k', hang, started + 30)).toBe('old');
    expect(performance.now() - started).toBeLessThan(150);

    cache.expireAll();
    const first = cache.get('k', hang);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = cache.get('k', hang); // joins the reload 100 ms in: waits the remaining 100 ms only
    const joined = performance.now();
    expect(await Promise.all([first, second])).toEqual(['old', 'old']);
    expect(performance.now() - joined).toBeLessThan(180);
  });

  it('serves every cache sharing a database without waiting once one reload there failed', async () => {
    let clock = 0;
    const failures: ReloadFailures = {};
    const options = { ttlMs: 10, negativeTtlMs: 10, ...roomFor(10), now: () => clock, failures };
    const keys = new SwrCache<string>(options);
    const routes = new SwrCache<string>(options);
    expect(await keys.get('k', async () => 'key')).toBe('key');
    expect(await routes.get('r', async () => 'route')).toBe('route');
    clock += 1_000;
    expect(await keys.get('k', () => Promise.reject(new Error('down')))).toBe('key');
    expect(failures.lastAt).toBe(clock);

    let loads = 0;
    const hang = () => {
      loads++;
      return new Promise<string>(() => undefined);
    };
    const started = performance.now();
    expect(await routes.get('r', hang)).toBe('route'); // no wait: reloaded in the background
    expect(performance.now() - started).toBeLessThan(100);
    expect(loads).toBe(1);

    // A success anywhere ends it: expired entries are reloaded before answering again.
    clock += 1_000;
    expect(await keys.get('k', async () => 'key2')).toBe('key');
    await Promise.resolve();
    expect(failures.lastAt).toBeUndefined();
    clock += 20_000;
    expect(await keys.get('k', async () => 'key3')).toBe('key3');
  });
});
