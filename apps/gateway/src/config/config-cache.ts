import type { ModelPrice } from '@portcullis/core/ai-config';
import type { ConfigChange } from '@portcullis/db/notify';
import { approximateBytes } from '../byte-lru.ts';
import type {
  ActiveApiRecord,
  ConfigRepository,
  KeyRecord,
  ProviderCredentialRecord,
  RouteRecord,
  SubscriptionRecord,
} from './repository.ts';
import { SwrCache, type SwrCacheUsage } from './swr-cache.ts';

/**
 * Byte bounds of the config cache's stores (GATEWAY_*_CACHE_MAX_BYTES). `unknown` bounds each store's
 * remembered unknown keys (routes, keys… that do not exist) apart from its entries.
 */
export interface ConfigCacheBudgets {
  routes: number;
  keys: number;
  subscriptions: number;
  quotaBases: number;
  /** each of the AI stores: provider credentials, model prices */
  ai: number;
  unknown: number;
}

const MB = 1024 * 1024;

export const DEFAULT_CONFIG_CACHE_BUDGETS: ConfigCacheBudgets = {
  routes: 16 * MB,
  keys: 8 * MB,
  subscriptions: 8 * MB,
  quotaBases: 2 * MB,
  ai: 2 * MB,
  unknown: 2 * MB,
};

/** The stores by the name the gateway_cache_* metrics give them. */
export const CONFIG_CACHE_STORES = [
  'routes',
  'keys',
  'subscriptions',
  'app_apis',
  'quota_bases',
  'ai_credentials',
  'ai_prices',
] as const;
export type ConfigCacheStore = (typeof CONFIG_CACHE_STORES)[number];

export interface ConfigCacheOptions {
  ttlMs: number;
  /** byte bounds per store; default DEFAULT_CONFIG_CACHE_BUDGETS */
  budgets?: Partial<ConfigCacheBudgets> | undefined;
  /**
   * The longest one request waits for configuration in total (forRequest): route, key, subscriptions and
   * quota usage share it. Past it a key never loaded fails (ConfigWaitExceeded); cached ones fall back.
   */
  requestWaitMs?: number;
  now?: () => number;
  onRefreshError?: (error: unknown) => void;
}

interface Stores {
  routes: SwrCache<RouteRecord>;
  keys: SwrCache<KeyRecord>;
  subs: SwrCache<SubscriptionRecord[]>;
  /** mcp: an app's actively subscribed APIs (its /mcp tool list) */
  appApis: SwrCache<ActiveApiRecord[]>;
  quotaBases: SwrCache<number>;
  credentials: SwrCache<ProviderCredentialRecord>; // ai
  prices: SwrCache<ModelPrice>; // ai
}

/**
 * An app's subscribed APIs are subscription data read another way: their store takes a quarter of the
 * subscriptions' bounds, so the cache budget (and the heap check in env.ts) stays what it was.
 */
const appApisShare = (bytes: number) => Math.floor(bytes / 4);

function createStores(options: ConfigCacheOptions): Stores {
  const budgets = { ...DEFAULT_CONFIG_CACHE_BUDGETS, ...options.budgets };
  const common = {
    ttlMs: options.ttlMs,
    negativeMaxBytes: budgets.unknown,
    sizeOf: approximateBytes,
    negativeTtlMs: Math.min(5_000, options.ttlMs),
    // One database behind them all: a reload failing for one spares the others' requests the wait.
    failures: {},
    ...(options.now ? { now: options.now } : {}),
    ...(options.onRefreshError ? { onRefreshError: options.onRefreshError } : {}),
  };
  return {
    routes: new SwrCache<RouteRecord>({ ...common, maxBytes: budgets.routes }),
    keys: new SwrCache<KeyRecord>({ ...common, maxBytes: budgets.keys }),
    subs: new SwrCache<SubscriptionRecord[]>({
      ...common,
      maxBytes: budgets.subscriptions - appApisShare(budgets.subscriptions),
      negativeMaxBytes: budgets.unknown - appApisShare(budgets.unknown),
    }),
    appApis: new SwrCache<ActiveApiRecord[]>({
      ...common,
      maxBytes: appApisShare(budgets.subscriptions),
      negativeMaxBytes: appApisShare(budgets.unknown),
    }),
    quotaBases: new SwrCache<number>({ ...common, maxBytes: budgets.quotaBases }),
    credentials: new SwrCache<ProviderCredentialRecord>({ ...common, maxBytes: budgets.ai }), // ai
    prices: new SwrCache<ModelPrice>({ ...common, maxBytes: budgets.ai }), // ai
  };
}

const DEFAULT_REQUEST_WAIT_MS = 1_000;

/** Config cache: the gateway's view of configuration, cached reads invalidated by config-change events. */
export class ConfigCache {
  constructor(
    private readonly repo: ConfigRepository,
    private readonly options: ConfigCacheOptions,
    private readonly stores: Stores = createStores(options),
    /** performance.now() time by which this view's lookups give up (forRequest); none: unbounded */
    private readonly deadline?: number,
  ) {}

  /**
   * The same caches for one request, whose lookups together wait at most `requestWaitMs` for Postgres:
   * a hung database then costs a request that much, not a wait per lookup.
   */
  forRequest(): ConfigCache {
    const waitMs = this.options.requestWaitMs ?? DEFAULT_REQUEST_WAIT_MS;
    return new ConfigCache(this.repo, this.options, this.stores, performance.now() + waitMs);
  }

  /** A provider credential of one tenant (a route naming another tenant's credential gets null). */
  credential(orgId: string, id: string): Promise<ProviderCredentialRecord | null> {
    return this.stores.credentials.get(`${orgId}:${id}`, () => this.repo.credential(orgId, id));
  }

  price(orgId: string, provider: string, model: string): Promise<ModelPrice | null> {
    return this.stores.prices.get(`${orgId}:${provider}:${model}`, () =>
      this.repo.price(orgId, provider, model),
    );
  }

  route(orgSlug: string, apiSlug: string): Promise<RouteRecord | null> {
    return this.stores.routes.get(
      `${orgSlug}/${apiSlug}`,
      () => this.repo.route(orgSlug, apiSlug),
      this.deadline,
    );
  }

  key(hash: string): Promise<KeyRecord | null> {
    return this.stores.keys.get(hash, () => this.repo.key(hash), this.deadline);
  }

  async subscriptions(appId: string, apiId: string): Promise<SubscriptionRecord[]> {
    // An empty list is stored as a negative entry so it expires on the short negative TTL.
    const found = await this.stores.subs.get(
      `${appId}:${apiId}`,
      async () => {
        const rows = await this.repo.subscriptions(appId, apiId);
        return rows.length > 0 ? rows : null;
      },
      this.deadline,
    );
    return found ?? [];
  }

  /** mcp: the APIs the app has an ACTIVE subscription to, newest subscription per API. */
  async activeApis(appId: string): Promise<ActiveApiRecord[]> {
    const found = await this.stores.appApis.get(
      appId,
      async () => {
        const rows = await this.repo.activeApis(appId);
        return rows.length > 0 ? rows : null;
      },
      this.deadline,
    );
    return found ?? [];
  }

  async quotaBase(subscriptionId: string, period: string, since: Date): Promise<number> {
    return (
      (await this.stores.quotaBases.get(
        `${subscriptionId}:${period}`,
        () => this.repo.periodUsage(subscriptionId, since),
        this.deadline,
      )) ?? 0
    );
  }

  apply(change: ConfigChange): void {
    switch (change.kind) {
      case 'key':
        this.stores.keys.delete(change.hash);
        return;
      case 'subscription': {
        let matched = 0;
        this.stores.subs.deleteWhere((list) => {
          if (list === null) return true;
          const hit = list.some((s) => s.id === change.id);
          if (hit) matched++;
          return hit;
        });
        // An id we never loaded may be a new subscription next to a cached one: start over.
        if (matched === 0) this.stores.subs.clear();
        // A status change adds or removes an API from its app's list; the new one may be in no list yet.
        this.stores.appApis.clear();
        return;
      }
      case 'plan':
        this.stores.subs.deleteWhere((list) => list === null || list.some((s) => s.planId === change.id));
        return;
      case 'api':
        // Negative route entries carry no id, and a slug may have moved: routes are few, drop them all.
        this.stores.routes.clear();
        // an app's API list names APIs by slug
        this.stores.appApis.clear();
        // a route's credentials and prices are edited next to it; they are few and cheap to reload.
        this.stores.credentials.clear();
        this.stores.prices.clear();
        return;
      // provider credentials and the price table
      case 'providerCredential':
        this.stores.credentials.clear();
        return;
      case 'aiPrice':
        this.stores.prices.clear();
        return;
    }
  }

  /**
   * After a listener gap, events may have been lost: every entry is reloaded before its next use, but kept
   * as the fallback while Postgres cannot answer (the gateway serves its last snapshot during an outage).
   */
  expireAll(): void {
    this.stores.routes.expireAll();
    this.stores.keys.expireAll();
    this.stores.subs.expireAll();
    this.stores.appApis.expireAll();
    this.stores.quotaBases.expireAll();
    this.stores.credentials.expireAll();
    this.stores.prices.expireAll();
  }

  /** What each store holds now (the gateway_cache_* gauges). */
  usage(): Record<ConfigCacheStore, SwrCacheUsage> {
    return {
      routes: this.stores.routes.usage(),
      keys: this.stores.keys.usage(),
      subscriptions: this.stores.subs.usage(),
      app_apis: this.stores.appApis.usage(),
      quota_bases: this.stores.quotaBases.usage(),
      ai_credentials: this.stores.credentials.usage(),
      ai_prices: this.stores.prices.usage(),
    };
  }

  /** The byte bounds in force, per store: entries with a value, and remembered unknown keys. */
  budgets(): Record<ConfigCacheStore, { bytes: number; negativeBytes: number }> {
    const budgets = { ...DEFAULT_CONFIG_CACHE_BUDGETS, ...this.options.budgets };
    const of = (bytes: number) => ({ bytes, negativeBytes: budgets.unknown });
    return {
      routes: of(budgets.routes),
      keys: of(budgets.keys),
      subscriptions: {
        bytes: budgets.subscriptions - appApisShare(budgets.subscriptions),
        negativeBytes: budgets.unknown - appApisShare(budgets.unknown),
      },
      app_apis: {
        bytes: appApisShare(budgets.subscriptions),
        negativeBytes: appApisShare(budgets.unknown),
      },
      quota_bases: of(budgets.quotaBases),
      ai_credentials: of(budgets.ai),
      ai_prices: of(budgets.ai),
    };
  }

  /** Forgets everything. */
  reset(): void {
    this.stores.routes.clear();
    this.stores.keys.clear();
    this.stores.subs.clear();
    this.stores.appApis.clear();
    this.stores.quotaBases.clear();
    this.stores.credentials.clear();
    this.stores.prices.clear();
  }
}
