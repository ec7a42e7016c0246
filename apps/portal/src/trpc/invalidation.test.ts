import { describe, expect, it } from 'vitest';
import { affectedDomains, inDomains } from './invalidation';

describe('mutation → query invalidation', () => {
  it('makes the catalog and the app picker stale after an app or subscription changes', () => {
    const afterApp = inDomains(affectedDomains([['app', 'create']]));
    expect(afterApp({ queryKey: [['app', 'subscribable'], { type: 'query' }] })).toBe(true);
    expect(afterApp({ queryKey: [['catalog', 'get'], { input: { orgSlug: 'a', apiSlug: 'b' } }] })).toBe(
      true,
    );
    expect(afterApp({ queryKey: [['analytics', 'overview'], { type: 'query' }] })).toBe(false);

    const afterSubscribe = inDomains(affectedDomains([['subscription', 'create']]));
    expect(afterSubscribe({ queryKey: [['catalog', 'myApps'], {}] })).toBe(true);
    expect(afterSubscribe({ queryKey: [['subscription', 'listMine'], {}] })).toBe(true);
    expect(afterSubscribe({ queryKey: [['app', 'list'], {}] })).toBe(true);

    expect(inDomains(affectedDomains([['key', 'create']]))({ queryKey: [['catalog', 'myApps'], {}] })).toBe(
      true,
    );
  });

  it('leaves the cache alone for other domains and for keys that are not tRPC paths', () => {
    expect(affectedDomains([['api', 'update']]).size).toBe(0);
    expect(affectedDomains(undefined).size).toBe(0);
    expect(affectedDomains(['plain-key']).size).toBe(0);
    expect(inDomains(affectedDomains([['app', 'create']]))({ queryKey: ['plain-key'] })).toBe(false);
  });
});
