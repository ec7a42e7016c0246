import { describe, expect, it } from 'vitest';
import { ConfigCache } from './config-cache.ts';
import type { ConfigRepository, ProviderCredentialRecord } from './repository.ts';
import { ConfigWaitExceeded } from './swr-cache.ts';

/** A repository that counts the credential and price loads the cache makes. */
function countingRepo() {
  const loads = { credential: 0, price: 0 };
  const repo = {
    credential: async (orgId: string, id: string) => {
      loads.credential++;
      return { id, orgId, provider: 'openai' } as unknown as ProviderCredentialRecord;
    },
    price: async () => {
      loads.price++;
      return { inputPerMillion: '1', outputPerMillion: '2' };
    },
  } as unknown as ConfigRepository;
  return { repo, loads };
}

describe('ConfigCache invalidation of AI configuration', () => {
  it('reloads credentials on providerCredential and prices on aiPrice, each leaving the other cached', async () => {
    const { repo, loads } = countingRepo();
    const cache = new ConfigCache(repo, { ttlMs: 60_000 });
    const load = async () => {
      await cache.credential('org1', 'cred1');
      await cache.price('org1', 'openai', 'gpt-4o-mini');
    };
    await load();
    await load();
    expect(loads).toEqual({ credential: 1, price: 1 });

    cache.apply({ kind: 'providerCredential', id: 'cred1' });
    await load();
    expect(loads).toEqual({ credential: 2, price: 1 });

    cache.apply({ kind: 'aiPrice', id: 'price1' });
    await load();
    expect(loads).toEqual({ credential: 2, price: 2 });
  });
});

describe('ConfigCache.forRequest', () => {
  it('gives all lookups of one request one wait for a hung database, not one wait each', async () => {
    const hang = () => new Promise<never>(() => undefined);
    const repo = { route: hang, key: hang, subscriptions: hang } as unknown as ConfigRepository;
    const cache = new ConfigCache(repo, { ttlMs: 60_000, requestWaitMs: 100 });
    const request = cache.forRequest();
    const started = performance.now();
    await expect(request.route('org', 'api')).rejects.toBeInstanceOf(ConfigWaitExceeded);
    await expect(request.key('hash')).rejects.toBeInstanceOf(ConfigWaitExceeded);
    await expect(request.subscriptions('app', 'api')).rejects.toBeInstanceOf(ConfigWaitExceeded);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(250);
    // The next request has a wait of its own.
    const next = performance.now();
    await expect(cache.forRequest().key('other')).rejects.toBeInstanceOf(ConfigWaitExceeded);
    expect(performance.now() - next).toBeGreaterThanOrEqual(95);
  });
});

describe("ConfigCache: an app's active APIs (its /mcp tools)", () => {
  it('reloads the list on any subscription or API change, not on a key or plan change', async () => {
    let loads = 0;
    const repo = {
      activeApis: async () => {
        loads++;
        return [{ apiId: 'api1', orgSlug: 'org', apiSlug: 'api', subscriptionId: 'sub1' }];
      },
    } as unknown as ConfigRepository;
    const cache = new ConfigCache(repo, { ttlMs: 60_000 });
    await cache.activeApis('app1');
    await cache.activeApis('app1');
    expect(loads).toBe(1);
    cache.apply({ kind: 'key', hash: 'h' });
    cache.apply({ kind: 'plan', id: 'plan1' });
    await cache.activeApis('app1');
    expect(loads).toBe(1);
    // a subscription the list never held may be the app's new one
    cache.apply({ kind: 'subscription', id: 'sub-new' });
    await cache.activeApis('app1');
    expect(loads).toBe(2);
    cache.apply({ kind: 'api', id: 'api1' });
    await cache.activeApis('app1');
    expect(loads).toBe(3);
  });
});
