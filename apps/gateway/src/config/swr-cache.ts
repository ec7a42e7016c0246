export interface SwrCacheOptions {
  /** Entries younger than this are served without touching the database. */
  ttlMs: number;
  /** Unknown keys (null results) are remembered this long, so garbage cannot hammer Postgres. */
  negativeTtlMs: number;
  maxEntries: number;
  now?: () => number;
  onRefreshError?: (error: unknown) => void;
}

interface Entry<V> {
  value: V | null;
  fetchedAt: number;
}

/**
 * Read-through cache with stale-while-revalidate: fresh for ttlMs; then served stale for up to another
 * ttlMs while one background reload runs; older than 2×ttlMs it is reloaded before answering. So a lost
 * invalidation heals within 2×ttlMs even for idle keys, and hot keys never wait for the database.
 */
export class SwrCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly inflight = new Map<string, Promise<V | null>>();
  // Bumped by every invalidation: a load that started before it must not repopulate the cache.
  private epoch = 0;
  private readonly now: () => number;

  constructor(private readonly options: SwrCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  async get(key: string, load: () => Promise<V | null>): Promise<V | null> {
    const entry = this.entries.get(key);
    if (entry) {
      const age = this.now() - entry.fetchedAt;
      if (entry.value === null) {
        if (age < this.options.negativeTtlMs) return null;
      } else if (age < this.options.ttlMs) {
        return entry.value;
      } else if (age < 2 * this.options.ttlMs) {
        this.load(key, load).catch((error: unknown) => this.options.onRefreshError?.(error));
        return entry.value;
      }
    }
    return this.load(key, load);
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
    this.entries.set(key, { value, fetchedAt: this.now() });
  }
}
