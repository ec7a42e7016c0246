import { Redis } from 'ioredis';
import {
  decide,
  type LimitDecision,
  type LimitRequest,
  type LimitStore,
  limitKeys,
  windowBounds,
} from './types.ts';

/**
 * KEYS[1] window counter, KEYS[2] quota counter (same hash tag → same cluster slot).
 * ARGV: rateLimit (-1 = none), windowExpireAtMs, quotaLimit (-1 = none), quotaBase, quotaExpireAtMs.
 * Returns {outcome, rateUsed, quotaUsed}: outcome 0 allowed, 1 rate limited, 2 quota exceeded.
 * Both counters are read first and incremented only when both allow, so a denial consumes nothing.
 */
const CONSUME_SCRIPT = `
local rateLimit = tonumber(ARGV[1])
local quotaLimit = tonumber(ARGV[3])
local rateUsed = 0
local quotaUsed = 0
if rateLimit >= 0 then
  rateUsed = tonumber(redis.call('GET', KEYS[1]) or '0')
end
if quotaLimit >= 0 then
  redis.call('SET', KEYS[2], ARGV[4], 'NX', 'PXAT', ARGV[5])
  quotaUsed = tonumber(redis.call('GET', KEYS[2]))
  if quotaUsed >= quotaLimit then
    return {2, rateUsed, quotaUsed}
  end
end
if rateLimit >= 0 and rateUsed >= rateLimit then
  return {1, rateUsed, quotaUsed}
end
if rateLimit >= 0 then
  rateUsed = redis.call('INCR', KEYS[1])
  if rateUsed == 1 then
    redis.call('PEXPIREAT', KEYS[1], ARGV[2])
  end
end
if quotaLimit >= 0 then
  quotaUsed = redis.call('INCR', KEYS[2])
end
return {0, rateUsed, quotaUsed}
`;

type ConsumeReply = [number, number, number];

interface LimitCommands {
  portcullisConsume(
    windowKey: string,
    quotaKey: string,
    rateLimit: number,
    windowExpireAtMs: number,
    quotaLimit: number,
    quotaBase: number,
    quotaExpireAtMs: number,
  ): Promise<ConsumeReply>;
}

const OUTCOMES = ['allowed', 'rate_limited', 'quota_exceeded'] as const;
// Quota counters outlive their month by a day so a late request near midnight still finds its counter.
const QUOTA_GRACE_MS = 86_400_000;

export interface RedisLimitStoreOptions {
  url: string;
  /** Namespace for every key (tests use a unique one per run). */
  keyPrefix?: string;
  /** A hung Redis must not hang requests: fail the call (→ 503) after this long. */
  commandTimeoutMs?: number;
}

export class RedisLimitStore implements LimitStore {
  readonly kind = 'redis' as const;
  private readonly redis: Redis & LimitCommands;
  private readonly prefix: string;

  constructor(options: RedisLimitStoreOptions) {
    this.prefix = options.keyPrefix ?? 'portcullis:';
    // A request waits at most one retry for Redis; the gateway answers 503 rather than hang.
    const redis = new Redis(options.url, {
      maxRetriesPerRequest: 1,
      commandTimeout: options.commandTimeoutMs ?? 1_000,
      enableAutoPipelining: true,
    });
    // defineCommand loads the script once and calls it by EVALSHA, falling back to EVAL on NOSCRIPT.
    redis.defineCommand('portcullisConsume', { numberOfKeys: 2, lua: CONSUME_SCRIPT });
    redis.on('error', () => undefined);
    this.redis = redis as Redis & LimitCommands;
  }

  async consume(request: LimitRequest): Promise<LimitDecision> {
    const { rate, quota, nowMs } = request;
    const keys = limitKeys(this.prefix, request);
    const [code, rateUsed, quotaUsed] = await this.redis.portcullisConsume(
      keys.window,
      keys.quota,
      rate ? rate.limit : -1,
      rate ? windowBounds(nowMs, rate.windowSeconds).endMs : 0,
      quota ? quota.limit : -1,
      quota ? quota.base : 0,
      quota ? quota.resetAtMs + QUOTA_GRACE_MS : 0,
    );
    return decide(request, OUTCOMES[code] ?? 'allowed', rateUsed, quotaUsed);
  }

  /** Deletes every key under this store's prefix (tests only: never FLUSHALL a shared Redis). */
  async deleteNamespace(): Promise<number> {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await this.redis.del(...keys);
    } while (cursor !== '0');
    return deleted;
  }

  async ping(): Promise<boolean> {
    return (await this.redis.ping()) === 'PONG';
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
