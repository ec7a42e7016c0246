import type { ModelPrice } from '@portcullis/core/ai-config';
import type { ConfigChange } from '@portcullis/db/notify';
import type {
  ConfigRepository,
  KeyRecord,
  ProviderCredentialRecord,
  RouteRecord,
  SubscriptionRecord,
} from './repository.ts';
import { SwrCache } from './swr-cache.ts';

export interface ConfigCacheOptions {
  ttlMs: number;
  now?: () => number;
  onRefreshError?: (error: unknown) => void;
}

/** The gateway's view of configuration: cached reads plus invalidation by config-change events. */
export class ConfigCache {
  private readonly routes: SwrCache<RouteRecord>;
  private readonly keys: SwrCache<KeyRecord>;
  private readonly subs: SwrCache<SubscriptionRecord[]>;
  private readonly quotaBases: SwrCache<number>;
  private readonly credentials: SwrCache<ProviderCredentialRecord>; // ai
  private readonly prices: SwrCache<ModelPrice>; // ai

  constructor(
    private readonly repo: ConfigRepository,
    options: ConfigCacheOptions,
  ) {
    const common = {
      ttlMs: options.ttlMs,
      negativeTtlMs: Math.min(5_000, options.ttlMs),
      ...(options.now ? { now: options.now } : {}),
      ...(options.onRefreshError ? { onRefreshError: options.onRefreshError } : {}),
    };
    this.routes = new SwrCache({ ...common, maxEntries: 10_000 });
    this.keys = new SwrCache({ ...common, maxEntries: 100_000 });
    this.subs = new SwrCache({ ...common, maxEntries: 100_000 });
    this.quotaBases = new SwrCache({ ...common, maxEntries: 100_000 });
    this.credentials = new SwrCache({ ...common, maxEntries: 10_000 }); // ai
    this.prices = new SwrCache({ ...common, maxEntries: 100_000 }); // ai
  }

  /** A provider credential of one tenant (a route naming another tenant's credential gets null). */
  credential(orgId: string, id: string): Promise<ProviderCredentialRecord | null> {
    return this.credentials.get(`${orgId}:${id}`, () => this.repo.credential(orgId, id));
  }

  price(orgId: string, provider: string, model: string): Promise<ModelPrice | null> {
    return this.prices.get(`${orgId}:${provider}:${model}`, () => this.repo.price(orgId, provider, model));
  }

  route(orgSlug: string, apiSlug: string): Promise<RouteRecord | null> {
    return this.routes.get(`${orgSlug}/${apiSlug}`, () => this.repo.route(orgSlug, apiSlug));
  }

  key(hash: string): Promise<KeyRecord | null> {
    return this.keys.get(hash, () => this.repo.key(hash));
  }

  async subscriptions(appId: string, apiId: string): Promise<SubscriptionRecord[]> {
    // An empty list is stored as a negative entry so it expires on the short negative TTL.
    const found = await this.subs.get(`${appId}:${apiId}`, async () => {
      const rows = await this.repo.subscriptions(appId, apiId);
      return rows.length > 0 ? rows : null;
    });
    return found ?? [];
  }

  async quotaBase(subscriptionId: string, period: string, since: Date): Promise<number> {
    return (
      (await this.quotaBases.get(`${subscriptionId}:${period}`, () =>
        this.repo.periodUsage(subscriptionId, since),
      )) ?? 0
    );
  }

  apply(change: ConfigChange): void {
    switch (change.kind) {
      case 'key':
        this.keys.delete(change.hash);
        return;
      case 'subscription': {
        let matched = 0;
        this.subs.deleteWhere((list) => {
          if (list === null) return true;
          const hit = list.some((s) => s.id === change.id);
          if (hit) matched++;
          return hit;
        });
        // An id we never loaded may be a new subscription next to a cached one: start over.
        if (matched === 0) this.subs.clear();
        return;
      }
      case 'plan':
        this.subs.deleteWhere((list) => list === null || list.some((s) => s.planId === change.id));
        return;
      case 'api':
        // Negative route entries carry no id, and a slug may have moved: routes are few, drop them all.
        this.routes.clear();
        // a route's credentials and prices are edited next to it; they are few and cheap to reload.
        this.credentials.clear();
        this.prices.clear();
        return;
      // provider credentials and the price table
      case 'providerCredential':
        this.credentials.clear();
        return;
      case 'aiPrice':
        this.prices.clear();
        return;
    }
  }

  /**
   * After a listener gap, events may have been lost: every entry is reloaded before its next use, but kept
   * as the fallback while Postgres cannot answer (the gateway serves its last snapshot during an outage).
   */
  expireAll(): void {
    this.routes.expireAll();
    this.keys.expireAll();
    this.subs.expireAll();
    this.quotaBases.expireAll();
    this.credentials.expireAll();
    this.prices.expireAll();
  }

  /** Forgets everything. */
  reset(): void {
    this.routes.clear();
    this.keys.clear();
    this.subs.clear();
    this.quotaBases.clear();
    this.credentials.clear();
    this.prices.clear();
  }
}
