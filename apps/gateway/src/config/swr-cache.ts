import { ByteLru, stringBytes } from '../byte-lru.ts';

export interface SwrCacheOptions<V> {
  /** Entries younger than this are served without touching the database. */
  ttlMs: number;
  /** Unknown keys (null results) are remembered this long, so garbage cannot hammer Postgres. */
  negativeTtlMs: number;
  /** Bound of the entries with a value: their keys, values and bookkeeping, least recently used out. */
  maxBytes: number;
  /**
   * Bound of the remembered unknown keys, kept apart: a flood of unknown keys evicts other unknown keys,
   * never the entries real traffic needs.
   */
  negativeMaxBytes: number;
  /** The heap bytes one value holds (approximateBytes for plain data). */
  sizeOf: (value: V) => number;
  now?: () => number;
  onRefreshError?: (error: unknown) => void;
  /**
   * With an old entry to fall back on, wait at most this long for a reload before answering with the old
   * entry (a black-holed database must not stall requests). Default 1000.
   */
  fallbackWaitMs?: number;
  /** After a failed reload, retry it at most this often. Default 1000. */
  retryAfterFailureMs?: number;
  /**
   * A reload that failed (or hung past the wait) this recently means the database is in trouble: entries
   * are then served without waiting, and reloaded in the background. Default 10000.
   */
  outageMemoryMs?: number;
  /** Shared by caches that read the same database: one's failure spares the others' requests the wait. */
  failures?: ReloadFailures;
}

/** When a reload last failed or hung, among the caches sharing this; cleared by the next success. */
export interface ReloadFailures {
  lastAt?: number | undefined;
}

/** A key with nothing cached could not be loaded before the caller's deadline. */
export class ConfigWaitExceeded extends Error {
  constructor(key: string) {
    super(`configuration for ${key} did not load in time`);
    this.name = 'ConfigWaitExceeded';
  }
}

interface Entry<V> {
  value: V | null;
  fetchedAt: number;
  /** expireAll() bumps the cache's generation: older entries must be revalidated before use. */
  generation: number;
  /** the last reload failed or hung (then: when it did, or when it was last retried) */
  failedAt?: number;
}

interface Loading<V> {
  promise: Promise<V | null>;
  /** performance.now() at its start: callers waiting on the same reload all give up at the same time */
  startedAt: number;
}

const TIMED_OUT = Symbol('timed out');

/**
 * What an entry costs besides its key and value: the Map slot (key, value and chain link, at a load
 * factor of about a half), ByteLru's record, the Entry object and its boxed fetchedAt.
 */
export const ENTRY_OVERHEAD_BYTES = 64 + 40 + 56 + 16;

/** What the cache holds now, for the gateway_cache_* gauges. */
export interface SwrCacheUsage {
  bytes: number;
  entries: number;
  negativeBytes: number;
  negativeEntries: number;
}

/**
 * The config cache's store, one per kind of record: read-through with stale-while-revalidate: fresh for ttlMs; then served stale for up to another
 * ttlMs while one background reload runs; older than 2×ttlMs it is reloaded before answering (for at most
 * fallbackWaitMs). So a lost invalidation heals within 2×ttlMs even for idle keys, and hot keys never
 * wait for the database.
 *
 * Entries are never dropped for age: once a reload FAILS or hangs (database down or hung), the last known
 * value is served without waiting, for as long as the outage lasts, while reloads are retried in the
 * background at most once per retryAfterFailureMs per key; the first one that succeeds replaces it.
 * (An entry idle for longer than outageMemoryMs since its failure gets one bounded wait again.)
 * Keys never loaded have nothing to fall back on: their load error propagates (fail closed), and so does
 * running out of the caller's `deadline` (ConfigWaitExceeded).
 */
export class SwrCache<V> {
  private readonly found: ByteLru<Entry<V>>;
  private readonly missing: ByteLru<Entry<V>>;
  private readonly inflight = new Map<string, Loading<V>>();
  // Bumped by every invalidation: a load that started before it must not repopulate the cache.
  private epoch = 0;
  private generation = 0;
  private readonly now: () => number;
  private readonly failures: ReloadFailures;

  constructor(private readonly options: SwrCacheOptions<V>) {
    this.now = options.now ?? Date.now;
    this.failures = options.failures ?? {};
    this.found = new ByteLru(options.maxBytes);
    this.missing = new ByteLru(options.negativeMaxBytes);
  }

  get size(): number {
    return this.found.size + this.missing.size;
  }

  usage(): SwrCacheUsage {
    return {
      bytes: this.found.bytes,
      entries: this.found.size,
      negativeBytes: this.missing.bytes,
      negativeEntries: this.missing.size,
    };
  }

  /**
   * The cached value, loading it when needed. `deadline` (a performance.now() time) bounds the wait: an
   * entry that needs reloading falls back to its old value by then, a key never loaded throws
   * ConfigWaitExceeded. Without it, a key never loaded waits for its load however long it takes.
   */
  async get(key: string, load: () => Promise<V | null>, deadline?: number): Promise<V | null> {
    const entry = this.found.get(key) ?? this.missing.get(key);
    if (!entry) {
      return deadline === undefined ? this.load(key, load).promise : this.loadBefore(key, load, deadline);
    }
    const now = this.now();
    const age = entry.generation === this.generation ? now - entry.fetchedAt : Number.POSITIVE_INFINITY;
    if (entry.value === null) {
      if (age < this.options.negativeTtlMs) return null;
    } else if (age < this.options.ttlMs) {
      return entry.value;
    }
    const sinceFailure = now - (entry.failedAt ?? Number.NEGATIVE_INFINITY);
    if (sinceFailure < (this.options.retryAfterFailureMs ?? 1_000)) return entry.value;
    const sinceAnyFailure = now - (this.failures.lastAt ?? Number.NEGATIVE_INFINITY);
    if (Math.min(sinceFailure, sinceAnyFailure) < (this.options.outageMemoryMs ?? 10_000)) {
      // The database is failing: nobody waits on it for a snapshot until a reload succeeds again.
      entry.failedAt = now;
      this.refresh(key, entry, load);
      return entry.value;
    }
    if (entry.value !== null && age < 2 * this.options.ttlMs) {
      this.refresh(key, entry, load);
      return entry.value;
    }
    return this.reloadOrFallBack(key, entry, load, deadline);
  }

  /** Keeps every entry as a fallback but makes each one reload before its next use (after a gap). */
  expireAll(): void {
    this.epoch++;
    this.generation++;
    this.inflight.clear();
  }

  private refresh(key: string, entry: Entry<V>, load: () => Promise<V | null>): void {
    this.load(key, load).promise.catch((error: unknown) => this.failed(entry, error));
  }

  private async reloadOrFallBack(
    key: string,
    entry: Entry<V>,
    load: () => Promise<V | null>,
    deadline: number | undefined,
  ): Promise<V | null> {
    const loading = this.load(key, load);
    const until = Math.min(
      loading.startedAt + (this.options.fallbackWaitMs ?? 1_000),
      deadline ?? Number.POSITIVE_INFINITY,
    );
    try {
      const value = await settleBefore(loading.promise, until);
      if (value !== TIMED_OUT) return value;
      loading.promise.catch((error: unknown) => this.failed(entry, error));
      entry.failedAt = this.now();
      this.failures.lastAt = entry.failedAt;
      return entry.value;
    } catch (error) {
      this.failed(entry, error);
      return entry.value;
    }
  }

  private async loadBefore(key: string, load: () => Promise<V | null>, deadline: number) {
    const loading = this.load(key, load);
    const value = await settleBefore(loading.promise, deadline).catch((error: unknown) => {
      this.failures.lastAt = this.now();
      throw error;
    });
    if (value === TIMED_OUT) {
      this.failures.lastAt = this.now();
      throw new ConfigWaitExceeded(key);
    }
    return value;
  }

  private failed(entry: Entry<V>, error: unknown): void {
    entry.failedAt = this.now();
    this.failures.lastAt = entry.failedAt;
    this.options.onRefreshError?.(error);
  }

  delete(key: string): void {
    this.epoch++;
    this.found.delete(key);
    this.missing.delete(key);
    this.inflight.delete(key);
  }

  /** Deletes the entries whose value matches; returns how many went. Negative entries are passed as null. */
  deleteWhere(predicate: (value: V | null, key: string) => boolean): number {
    this.epoch++;
    const matches = (key: string, entry: Entry<V>) => {
      if (!predicate(entry.value, key)) return false;
      this.inflight.delete(key);
      return true;
    };
    return this.found.deleteWhere(matches) + this.missing.deleteWhere(matches);
  }

  clear(): void {
    this.epoch++;
    this.found.clear();
    this.missing.clear();
    this.inflight.clear();
  }

  private load(key: string, load: () => Promise<V | null>): Loading<V> {
    const running = this.inflight.get(key);
    if (running) return running;
    const startedEpoch = this.epoch;
    const promise = load()
      .then((value) => {
        this.failures.lastAt = undefined;
        if (this.epoch === startedEpoch) this.store(key, value);
        return value;
      })
      .finally(() => {
        if (this.inflight.get(key) === loading) this.inflight.delete(key);
      });
    const loading = { promise, startedAt: performance.now() };
    this.inflight.set(key, loading);
    return loading;
  }

  private store(key: string, value: V | null): void {
    const entry = { value, fetchedAt: this.now(), generation: this.generation };
    const bytes = ENTRY_OVERHEAD_BYTES + stringBytes(key);
    if (value === null) {
      this.found.delete(key);
      this.missing.set(key, entry, bytes);
    } else {
      this.missing.delete(key);
      // An entry larger than the whole budget is not kept: it is loaded again on its next use.
      this.found.set(key, entry, bytes + this.options.sizeOf(value));
    }
  }
}

/** The promise's value, or TIMED_OUT if it has not settled by `until` (a performance.now() time). */
async function settleBefore<T>(promise: Promise<T>, until: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, until - performance.now()));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
