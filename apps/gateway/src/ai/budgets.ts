import { type AiLimit, type AiLimits, usdToMicros } from '@portcullis/core/ai-config';
import { createRedis } from '@portcullis/db/redis';
import type { Cluster, Redis } from 'ioredis';
import { type AiFailure, aiFailure } from './errors.ts';

/*
 * Token limits and USD budgets (Plan.aiLimits), per key, app or consumer org, over a minute, a UTC day or
 * a UTC calendar month. A limit belongs to its plan (and through it to one API of one tenant), so every
 * counter is kept within that plan: a key's calls to one API never use up its limit on another, and a
 * consumer org subscribed to two tenants' APIs has a separate budget on each. Checked before the call (a counter already at or over its limit refuses it with
 * 429) and added to after it with what the call really used. Calls in flight are not counted until they
 * finish, so concurrent calls can overshoot a limit by at most what those in-flight calls use: a pre-call
 * reservation would need a token count the provider only knows afterwards.
 */

export interface BudgetCallers {
  /** the plan whose limits apply (it belongs to one API of one tenant) */
  planId: string;
  /** the subscription (app × plan) the call was admitted under */
  subscriptionId: string;
  keyId: string;
  /** the consumer org of the subscription's app */
  orgId: string | undefined;
}

/** Counters by key; `add` increments and sets the expiry in one step per key. */
export interface BudgetCounterStore {
  readonly kind: 'redis' | 'memory';
  get(keys: readonly string[]): Promise<bigint[]>;
  add(entries: readonly { key: string; amount: bigint; ttlMs: number }[]): Promise<void>;
  close(): Promise<void>;
}

function windowBounds(window: AiLimit['window'], nowMs: number): { start: number; end: number } {
  if (window === 'minute') {
    const start = Math.floor(nowMs / 60_000) * 60_000;
    return { start, end: start + 60_000 };
  }
  const d = new Date(nowMs);
  if (window === 'day') {
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    return { start, end: start + 86_400_000 };
  }
  return {
    start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
    end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1),
  };
}

/**
 * Whose counter a limit reads, within its plan: `key` → that key within its subscription, `app` → the
 * subscription (app × plan), `org` → the consumer org within the plan. undefined when the caller has no
 * such owner (a key without a known consumer org).
 */
function owner(limit: AiLimit, callers: BudgetCallers): string | undefined {
  switch (limit.scope) {
    case 'key':
      return `plan:${callers.planId}:sub:${callers.subscriptionId}:key:${callers.keyId}`;
    case 'app':
      return `plan:${callers.planId}:sub:${callers.subscriptionId}`;
    case 'org':
      return callers.orgId ? `plan:${callers.planId}:org:${callers.orgId}` : undefined;
  }
}

/**
 * One counter per owner, metric, window kind and window start, hash-tagged on the owner (one Redis
 * Cluster slot per counter). Counters written under the earlier format (`ai:{<scope>:<id>}:…`, without
 * the plan) are no longer read and simply expire with their windows.
 */
const counterKey = (limit: AiLimit, ownerId: string, windowStart: number): string =>
  `ai:{${ownerId}}:${limit.metric}:${limit.window}:${windowStart}`;

const limitAmount = (limit: AiLimit): bigint =>
  limit.metric === 'usd' ? usdToMicros(limit.limit) : BigInt(limit.limit);

export class AiBudgets {
  constructor(
    private readonly store: BudgetCounterStore,
    private readonly now: () => number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** null when every counter is under its limit; otherwise the refusal for the first one that is not. */
  async check(limits: AiLimits, callers: BudgetCallers): Promise<AiFailure | null> {
    if (limits.length === 0) return null;
    const nowMs = this.now();
    const checks = limits.flatMap((limit) => {
      const id = owner(limit, callers);
      if (!id) return [];
      const bounds = windowBounds(limit.window, nowMs);
      return [{ limit, key: counterKey(limit, id, bounds.start), end: bounds.end }];
    });
    let used: bigint[];
    try {
      used = await this.store.get(checks.map((c) => c.key));
    } catch (error) {
      // Budgets fail open: an unreachable counter store must not take every AI call down with it.
      this.onError(error);
      return null;
    }
    for (const [i, check] of checks.entries()) {
      if ((used[i] ?? 0n) < limitAmount(check.limit)) continue;
      const retryAfter = String(Math.max(1, Math.ceil((check.end - nowMs) / 1000)));
      const what =
        check.limit.metric === 'usd'
          ? `USD budget of ${check.limit.limit} per ${check.limit.window} per ${check.limit.scope}`
          : `token limit of ${check.limit.limit} per ${check.limit.window} per ${check.limit.scope}`;
      return aiFailure(
        429,
        check.limit.metric === 'usd' ? 'budget_exceeded' : 'token_limit_exceeded',
        `The ${what} is used up; it resets at ${new Date(check.end).toISOString()}.`,
        { headers: { 'retry-after': retryAfter } },
      );
    }
    return null;
  }

  /** Adds a finished call's tokens (in + out) and cost to every counter of the plan's limits. */
  async add(limits: AiLimits, callers: BudgetCallers, tokens: number, costMicros: bigint): Promise<void> {
    if (limits.length === 0) return;
    const nowMs = this.now();
    const entries = limits.flatMap((limit) => {
      const id = owner(limit, callers);
      const amount = limit.metric === 'usd' ? costMicros : BigInt(tokens);
      if (!id || amount <= 0n) return [];
      const bounds = windowBounds(limit.window, nowMs);
      // Kept a minute past the window's end so a late add cannot resurrect a fresh key for an old window.
      return [{ key: counterKey(limit, id, bounds.start), amount, ttlMs: bounds.end - nowMs + 60_000 }];
    });
    if (entries.length === 0) return;
    await this.store.add(entries).catch(this.onError);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/** Single-gateway mode: counters in this process. */
export class MemoryBudgetStore implements BudgetCounterStore {
  readonly kind = 'memory' as const;
  private readonly counters = new Map<string, { value: bigint; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  get(keys: readonly string[]): Promise<bigint[]> {
    const nowMs = this.now();
    return Promise.resolve(
      keys.map((key) => {
        const entry = this.counters.get(key);
        return entry && entry.expiresAt > nowMs ? entry.value : 0n;
      }),
    );
  }

  add(entries: readonly { key: string; amount: bigint; ttlMs: number }[]): Promise<void> {
    const nowMs = this.now();
    for (const { key, amount, ttlMs } of entries) {
      const entry = this.counters.get(key);
      const live = entry && entry.expiresAt > nowMs ? entry.value : 0n;
      this.counters.set(key, { value: live + amount, expiresAt: nowMs + ttlMs });
    }
    if (this.counters.size > 100_000) {
      for (const [key, entry] of this.counters) if (entry.expiresAt <= nowMs) this.counters.delete(key);
    }
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Shared counters: INCRBY + PEXPIRE per key (one slot each, so a MULTI works on a cluster too). */
export class RedisBudgetStore implements BudgetCounterStore {
  readonly kind = 'redis' as const;
  private readonly redis: Redis | Cluster;

  /** the connection, shared with the AI response cache */
  get client(): Redis | Cluster {
    return this.redis;
  }

  constructor(options: {
    redisUrl?: string | undefined;
    redisClusterNodes?: { host: string; port: number }[] | undefined;
    keyPrefix: string;
  }) {
    this.redis = createRedis({
      url: options.redisUrl,
      clusterNodes: options.redisClusterNodes,
      keyPrefix: options.keyPrefix,
      command: { enableAutoPipelining: true, maxRetriesPerRequest: 1 },
    });
  }

  async get(keys: readonly string[]): Promise<bigint[]> {
    const values = await Promise.all(keys.map((key) => this.redis.get(key)));
    return values.map((value) => (value ? BigInt(value) : 0n));
  }

  async add(entries: readonly { key: string; amount: bigint; ttlMs: number }[]): Promise<void> {
    await Promise.all(
      entries.map(({ key, amount, ttlMs }) =>
        this.redis.multi().incrby(key, amount.toString()).pexpire(key, ttlMs).exec(),
      ),
    );
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
