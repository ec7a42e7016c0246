export interface SwrCacheOptions {
  /** Entries younger than this are served without touching the database. */
  ttlMs: number;
  /** Unknown keys (null results) are remembered this long, so garbage cannot hammer Postgres. */
  negativeTtlMs: number;
  maxEntries: number;
  now?: () => number;
  onRefreshError?: (error: unknown) => void;
  /**
   * With an old entry to fall back on, wait at most this long for a reload before answering with the old
   * entry (a black-holed database must not stall requests). Default 1000.
   */
  fallbackWaitMs?: number;
  /** After a failed reload, serve the old entry without retrying for this long. Default 1000. */
  retryAfterFailureMs?: number;
}

interface Entry<V> {
  value: V | null;
  fetchedAt: number;
  /** expireAll() bumps the cache's generation: older entries must be revalidated before use. */
  generation: number;
  failedAt?: number;
}

const TIMED_OUT = Symbol('timed out');

/**
 * Read-through cache with stale-while-revalidate: fresh for ttlMs; then served stale for up to another
 * ttlMs while one background reload runs; older than 2×ttlMs it is reloaded before answering. So a lost
 * invalidation heals within 2×ttlMs even for idle keys, and hot keys never wait for the database.
 *
 * Entries are never dropped for age: when a reload FAILS (database down), the last known value is served,
 * for as long as the outage lasts, and reloads are retried at most once per retryAfterFailureMs per key.
 * Keys never loaded have nothing to fall back on: their load error propagates (fail closed).
 */
export class SwrCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly inflight = new Map<string, Promise<V | null>>();
  // Bumped by every invalidation: a load that started before it must not repopulate the cache.
  private epoch = 0;
  private generation = 0;
  private readonly now: () => number;

  constructor(private readonly options: SwrCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  async get(key: string, load: () => Promise<V | null>): Promise<V | null> {
    const entry = this.entries.get(key);
    if (!entry) return this.load(key, load);
    const now = this.now();
    const age = entry.generation === this.generation ? now - entry.fetchedAt : Number.POSITIVE_INFINITY;
    if (entry.value === null) {
      if (age < this.options.negativeTtlMs) return null;
    } else if (age < this.options.ttlMs) {
      return entry.value;
    }
    const recentlyFailed =
      entry.failedAt !== undefined && now - entry.failedAt < (this.options.retryAfterFailureMs ?? 1_000);
    if (recentlyFailed) return entry.value;
    if (entry.value !== null && age < 2 * this.options.ttlMs) {
      this.load(key, load).catch((error: unknown) => this.failed(entry, error));
      return entry.value;
    }
    return this.reloadOrFallBack(key, entry, load);
  }

  /** Keeps every entry as a fallback but makes each one reload before its next use (after a gap). */
  expireAll(): void {
    this.epoch++;
    this.generation++;
    this.inflight.clear();
  }

  private async reloadOrFallBack(key: string, entry: Entry<V>, load: () => Promise<V | null>) {
    let timer: NodeJS.Timeout | undefined;
    const loading = this.load(key, load);
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), this.options.fallbackWaitMs ?? 1_000);
    });
    try {
      const value = await Promise.race([loading, timeout]);
      if (value !== TIMED_OUT) return value;
      loading.catch((error: unknown) => this.failed(entry, error));
      entry.failedAt = this.now();
      return entry.value;
    } catch (error) {
      this.failed(entry, error);
      return entry.value;
    } finally {
      clearTimeout(timer);
    }
  }

  private failed(entry: Entry<V>, error: unknown): void {
    entry.failedAt = this.now();
    this.options.onRefreshError?.(error);
  }

  delete(key: string): void {
    this.epoch++;
    this.entries.delete(key);
    this.inflight.delete(key);
  }

  /** Deletes the entries whose value matches; returns how many went. Negative entries are passed as null. */
  deleteWhere(predicate: (value: V | null, key: string) => boolean): number {
    this.epoch++;
    let deleted = 0;
    for (const [key, entry] of this.entries) {
      if (predicate(entry.value, key)) {
        this.entries.delete(key);
        this.inflight.delete(key);
        deleted++;
      }
    }
    return deleted;
  }

  clear(): void {
    this.epoch++;
    this.entries.clear();
    this.inflight.clear();
  }

  private load(key: string, load: () => Promise<V | null>): Promise<V | null> {
    const running = this.inflight.get(key);
    if (running) return running;
    const startedEpoch = this.epoch;
    const promise = load()
      .then((value) => {
        if (this.epoch === startedEpoch) this.store(key, value);
        return value;
      })
      .finally(() => {
        if (this.inflight.get(key) === promise) this.inflight.delete(key);
      });
    this.inflight.set(key, promise);
    return promise;
  }

  private store(key: string, value: V | null): void {
    this.entries.delete(key);
    if (this.entries.size >= this.options.maxEntries) {
      // Maps iterate in insertion order, so the first key is the least recently (re)loaded one.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, fetchedAt: this.now(), generation: this.generation });
  }
}
