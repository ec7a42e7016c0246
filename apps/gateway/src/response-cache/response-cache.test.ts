import { describe, expect, it } from 'vitest';
import { ByteLru } from '../byte-lru.ts';
import { parseCacheControl, requestCacheMode, responseTtlMs, varyNames } from './cache-control.ts';
import { decodeRecord, encodeRecord } from './entry.ts';
import { primaryCacheKey, variantCacheKey } from './key.ts';
import { ResponseCacheStore } from './store.ts';

describe('cache-control decisions', () => {
  it('parses directives', () => {
    expect(parseCacheControl('public, Max-Age=60, s-maxage="30"')).toEqual(
      new Map<string, string | true>([
        ['public', true],
        ['max-age', '60'],
        ['s-maxage', '30'],
      ]),
    );
  });
  it('maps client directives to use / refresh / bypass', () => {
    expect(requestCacheMode({})).toBe('use');
    expect(requestCacheMode({ 'cache-control': 'no-store' })).toBe('bypass');
    expect(requestCacheMode({ 'cache-control': 'no-cache' })).toBe('refresh');
    expect(requestCacheMode({ 'cache-control': 'max-age=0' })).toBe('refresh');
    expect(requestCacheMode({ pragma: 'no-cache' })).toBe('refresh');
  });
  it('caps the ttl by the upstream and refuses private, no-store, cookies and Vary: *', () => {
    expect(responseTtlMs(200, {}, 60)).toBe(60_000);
    expect(responseTtlMs(200, { 'cache-control': 'max-age=10' }, 60)).toBe(10_000);
    expect(responseTtlMs(200, { 'cache-control': 'max-age=10, s-maxage=5' }, 60)).toBe(5_000);
    expect(responseTtlMs(200, { 'cache-control': 'max-age=600' }, 60)).toBe(60_000);
    expect(responseTtlMs(200, { 'cache-control': 'max-age=0' }, 60)).toBeNull();
    expect(responseTtlMs(200, { 'cache-control': 'no-store' }, 60)).toBeNull();
    expect(responseTtlMs(200, { 'cache-control': 'private, max-age=60' }, 60)).toBeNull();
    expect(responseTtlMs(200, { 'set-cookie': ['a=1'] }, 60)).toBeNull();
    expect(responseTtlMs(200, { vary: '*' }, 60)).toBeNull();
    expect(responseTtlMs(500, {}, 60)).toBeNull();
    expect(responseTtlMs(404, {}, 60)).toBe(60_000);
  });
  it('normalises Vary', () => {
    expect(varyNames({ vary: 'Accept-Encoding, accept, Accept' })).toEqual(['accept', 'accept-encoding']);
    expect(varyNames({})).toEqual([]);
    expect(varyNames({ vary: 'accept, *' })).toBeNull();
  });
});

describe('cache keys', () => {
  const base = { method: 'GET', rest: '/items', query: 'a=1', appId: 'app1' };
  it('separates method, path, query and consumer, and shares when public', () => {
    const key = primaryCacheKey(base);
    expect(primaryCacheKey({ ...base })).toBe(key);
    expect(primaryCacheKey({ ...base, method: 'HEAD' })).not.toBe(key);
    expect(primaryCacheKey({ ...base, rest: '/items/' })).not.toBe(key);
    expect(primaryCacheKey({ ...base, query: 'a=2' })).not.toBe(key);
    expect(primaryCacheKey({ ...base, appId: 'app2' })).not.toBe(key);
    expect(primaryCacheKey({ ...base, appId: null })).toBe(primaryCacheKey({ ...base, appId: null }));
    expect(primaryCacheKey({ ...base, rest: '/a\nb', query: '' })).not.toBe(
      primaryCacheKey({ ...base, rest: '/a', query: 'b' }),
    );
  });
  it('adds the values of Vary headers', () => {
    expect(variantCacheKey('k', [], { accept: 'x' })).toBe('k');
    const json = variantCacheKey('k', ['accept'], { accept: 'application/json' });
    expect(json).not.toBe(variantCacheKey('k', ['accept'], { accept: 'text/html' }));
    expect(json).toBe(variantCacheKey('k', ['accept'], { accept: 'application/json', other: '1' }));
  });
});

describe('ByteLru', () => {
  it('evicts least recently used entries beyond the byte bound', () => {
    const lru = new ByteLru<string>(10);
    lru.set('a', 'A', 4);
    lru.set('b', 'B', 4);
    lru.get('a');
    lru.set('c', 'C', 4);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe('A');
    expect(lru.bytes).toBe(8);
    lru.set('huge', 'H', 11);
    expect(lru.get('huge')).toBeUndefined();
  });
});

describe('ResponseCacheStore (memory)', () => {
  const response = (body: string, now: number) => ({
    kind: 'response' as const,
    status: 200,
    headers: { 'content-type': 'text/plain' },
    body: Buffer.from(body),
    storedAt: now,
    expiresAt: now + 1_000,
  });
  it('round-trips records through the wire form', () => {
    const record = response('hi', 5);
    expect(decodeRecord(encodeRecord(record))).toEqual(record);
    expect(decodeRecord(Buffer.from('junk'))).toBeNull();
  });
  it('serves fresh variants, expires them, and drops an API on config change', async () => {
    let now = 1_000;
    const store = new ResponseCacheStore({ maxBytes: 1_000_000, now: () => now, onError: () => undefined });
    const scope = { apiId: 'api1', configVersion: 'v1' };
    store.store(scope, '', 'k', ['accept'], { accept: 'json' }, response('json', now));
    expect((await store.lookup(scope, 'k', { accept: 'json' })).response?.body.toString()).toBe('json');
    expect((await store.lookup(scope, 'k', { accept: 'html' })).response).toBeNull();
    expect(
      (await store.lookup({ ...scope, configVersion: 'v2' }, 'k', { accept: 'json' })).response,
    ).toBeNull();
    await store.dropApi('api1');
    expect((await store.lookup(scope, 'k', { accept: 'json' })).response).toBeNull();
    store.store(scope, '', 'k', [], {}, response('plain', now));
    now += 1_001;
    expect((await store.lookup(scope, 'k', {})).response).toBeNull();
  });
});
