import { createRedis } from '@portcullis/db/redis';
import type { Cluster, Redis } from 'ioredis';
import { AddBacklog } from './budget-backlog.ts';

/** One counter's share of a reservation: `amount` fits when the counter stays at or under `limit`. */
export interface CounterReservation {
  key: string;
  amount: bigint;
  limit: bigint;
  ttlMs: number;
}

/** Counters by key. Every counter is one key (one Redis Cluster slot): no step spans two of them. */
export interface BudgetCounterStore {
  readonly kind: 'redis' | 'memory';
  get(keys: readonly string[]): Promise<bigint[]>;
  /**
   * All or nothing: adds every entry's amount when each counter stays within its limit, and returns -1;
   * otherwise adds none of them and returns the index of an entry that did not fit.
   */
  reserve(entries: readonly CounterReservation[]): Promise<number>;
  /** Adds (or, negative, subtracts) amounts unconditionally; sets each key's expiry in the same step. */
  add(entries: readonly { key: string; amount: bigint; ttlMs: number }[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Whether a counter at `used` takes a reservation: it must stay within the limit, and a counter already
 * at its limit takes nothing more, not even a call that costs nothing (a $0 budget refuses every call).
 */
const fits = (used: bigint, e: CounterReservation): boolean => used + e.amount <= e.limit && used < e.limit;

/** Single-gateway mode: counters in this process, reserved synchronously (nothing interleaves). */
export class MemoryBudgetStore implements BudgetCounterStore {
  readonly kind = 'memory' as const;
  private readonly counters = new Map<string, { value: bigint; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  private live(key: string, nowMs: number): bigint {
    const entry = this.counters.get(key);
    return entry && entry.expiresAt > nowMs ? entry.value : 0n;
  }

  get(keys: readonly string[]): Promise<bigint[]> {
    const nowMs = this.now();
    return Promise.resolve(keys.map((key) => this.live(key, nowMs)));
  }

  reserve(entries: readonly CounterReservation[]): Promise<number> {
    const nowMs = this.now();
    const refused = entries.findIndex((e) => !fits(this.live(e.key, nowMs), e));
    if (refused === -1) this.addNow(entries, nowMs);
    return Promise.resolve(refused);
  }

  add(entries: readonly { key: string; amount: bigint; ttlMs: number }[]): Promise<void> {
    this.addNow(entries, this.now());
    return Promise.resolve();
  }

  private addNow(entries: readonly { key: string; amount: bigint; ttlMs: number }[], nowMs: number): void {
    for (const { key, amount, ttlMs } of entries) {
      this.counters.set(key, { value: this.live(key, nowMs) + amount, expiresAt: nowMs + ttlMs });
    }
    if (this.counters.size > 100_000) {
      for (const [key, entry] of this.counters) if (entry.expiresAt <= nowMs) this.counters.delete(key);
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Takes `amount` only if the counter stays within `limit` (as `fits`): the check and the increment are one step, so
 * concurrent calls on any number of gateways cannot both take the last of a budget. Lua numbers are
 * doubles: exact up to 2^53 (9 billion USD in micro-dollars).
 */
const RESERVE_SCRIPT = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local limit = tonumber(ARGV[2])
if used + tonumber(ARGV[1]) > limit or used >= limit then return 0 end
redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

interface BudgetCommands {
  aiBudgetReserve(key: string, amount: string, limit: string, ttlMs: number): Promise<number>;
}

/**
 * Shared counters. Each counter is reserved by its own script (the scopes hash-tag different slots, so
 * one script cannot span them); they go out together, and the ones taken are given back when another
 * refused or failed.
 */
export class RedisBudgetStore implements BudgetCounterStore {
  readonly kind = 'redis' as const;
  private readonly redis: (Redis | Cluster) & BudgetCommands;
  /** give-backs of a refused reservation that failed, retried until they land */
  private readonly rollbacks: AddBacklog;

  /** the connection, shared with the AI response cache */
  get client(): Redis | Cluster {
    return this.redis;
  }

  constructor(options: {
    redisUrl?: string | undefined;
    redisClusterNodes?: { host: string; port: number }[] | undefined;
    keyPrefix: string;
    onError?: ((error: unknown) => void) | undefined;
  }) {
    const redis = createRedis({
      url: options.redisUrl,
      clusterNodes: options.redisClusterNodes,
      keyPrefix: options.keyPrefix,
      command: { enableAutoPipelining: true, maxRetriesPerRequest: 1 },
    });
    redis.defineCommand('aiBudgetReserve', { numberOfKeys: 1, lua: RESERVE_SCRIPT });
    this.redis = redis as (Redis | Cluster) & BudgetCommands;
    this.rollbacks = new AddBacklog({
      add: (entry) => this.add([entry]),
      now: Date.now,
      onError: options.onError ?? (() => undefined),
    });
  }

  async get(keys: readonly string[]): Promise<bigint[]> {
    const values = await Promise.all(keys.map((key) => this.redis.get(key)));
    return values.map((value) => (value ? BigInt(value) : 0n));
  }

  async reserve(entries: readonly CounterReservation[]): Promise<number> {
    const results = await Promise.allSettled(
      entries.map((e) => this.redis.aiBudgetReserve(e.key, e.amount.toString(), e.limit.toString(), e.ttlMs)),
    );
    const taken = entries.filter((_, i) => {
      const result = results[i];
      return result?.status === 'fulfilled' && result.value === 1;
    });
    if (taken.length === entries.length) return -1;
    // Each give-back that fails is retried in the background: the reservation it undoes never ran.
    this.rollbacks.submit(taken.map((e) => ({ key: e.key, amount: -e.amount, ttlMs: e.ttlMs })));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return results.findIndex((r) => r.status === 'fulfilled' && r.value !== 1);
  }

  async add(entries: readonly { key: string; amount: bigint; ttlMs: number }[]): Promise<void> {
    await Promise.all(
      entries.map(({ key, amount, ttlMs }) =>
        this.redis.multi().incrby(key, amount.toString()).pexpire(key, ttlMs).exec(),
      ),
    );
  }

  async close(): Promise<void> {
    await this.rollbacks.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
