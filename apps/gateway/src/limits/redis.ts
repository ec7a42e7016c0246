import { randomUUID } from 'node:crypto';
import { createRedis } from '@portcullis/db/redis';
import { Cluster, type Redis } from 'ioredis';
import {
  decide,
  gcraParams,
  type LimitDecision,
  type LimitRequest,
  type LimitStore,
  limitKeys,
  QUOTA_GRACE_MS,
  toMicros,
} from './types.ts';

/**
 * KEYS[1] quota counter, KEYS[2..] one GCRA TAT (µs) per window — one hash tag, one cluster slot.
 * ARGV[1] now (µs), or -1 to use Redis' own clock (TIME), ARGV[2] quota limit (-1 = none), ARGV[3] quota
 * base, ARGV[4] quota expiry (ms), ARGV[5] 1 to raise a live quota counter to the base (else SET NX);
 * then per window i: ARGV[4+2i] emission interval (µs), ARGV[5+2i] capacity (µs).
 * Returns {outcome, quotaUsed, now, tat_1 … tat_n} with each TAT as before this request (raised to now);
 * outcome 0 allowed, 1 rate limited, 2 quota exceeded. Everything is read and checked before anything
 * is written, so a refusal consumes nothing. Numbers are written with %.0f: Lua's default tostring
 * keeps only 14 significant digits, too few for microsecond timestamps.
 */
const CONSUME_SCRIPT = `
local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local quotaLimit = tonumber(ARGV[2])
local n = #KEYS - 1
local reply = {0, 0, string.format('%.0f', now)}
local tats = {}
for i = 1, n do
  local tat = tonumber(redis.call('GET', KEYS[i + 1]) or '0')
  if tat < now then tat = now end
  tats[i] = tat
  reply[i + 3] = string.format('%.0f', tat)
end
if quotaLimit >= 0 then
  if ARGV[5] == '1' then
    local current = redis.call('GET', KEYS[1])
    if not current or tonumber(current) < tonumber(ARGV[3]) then
      redis.call('SET', KEYS[1], ARGV[3], 'PXAT', ARGV[4])
    end
  else
    redis.call('SET', KEYS[1], ARGV[3], 'NX', 'PXAT', ARGV[4])
  end
  reply[2] = tonumber(redis.call('GET', KEYS[1]))
  if reply[2] >= quotaLimit then
    reply[1] = 2
    return reply
  end
end
for i = 1, n do
  if tats[i] + tonumber(ARGV[4 + 2 * i]) - now > tonumber(ARGV[5 + 2 * i]) then
    reply[1] = 1
    return reply
  end
end
for i = 1, n do
  local nextTat = tats[i] + tonumber(ARGV[4 + 2 * i])
  redis.call('SET', KEYS[i + 1], string.format('%.0f', nextTat), 'PXAT', string.format('%.0f', math.ceil(nextTat / 1000)))
end
if quotaLimit >= 0 then
  reply[2] = redis.call('INCR', KEYS[1])
end
return reply
`;

type Client = Redis | Cluster;
type ScriptClient = Client & {
  portcullisLimit(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<number[]>;
};

const OUTCOMES = ['allowed', 'rate_limited', 'quota_exceeded'] as const;
const HEARTBEAT_INTERVAL_MS = 1_000;
/** An instance counts as live while its heartbeat is younger than this. */
const INSTANCE_TTL_MS = 5_000;
/** After a failed call (e.g. a hung Redis timing out), skip Redis this long before trying again. */
const SUSPECT_MS = 1_000;

export interface RedisLimitStoreOptions {
  url?: string;
  /** Redis Cluster seed nodes; when given, `url` is ignored. */
  clusterNodes?: { host: string; port: number }[];
  /** Namespace for every key (tests use a unique one per run). */
  keyPrefix?: string;
  /** A hung Redis must not hang requests: fail the call after this long (≤ 500 ms keeps detection < 1 s). */
  commandTimeoutMs?: number;
  /** Publish this instance in the live-instance set (local failure mode shares limits by it). */
  heartbeat?: boolean;
  /**
   * Whose clock GCRA runs on. `redis` (default): Redis' TIME inside the script, so gateways with skewed
   * clocks still share one timeline; `caller`: the request's nowMs (tests that simulate time).
   */
  clock?: 'redis' | 'caller';
}

export class RedisLimitStore implements LimitStore {
  readonly kind = 'redis' as const;
  readonly instanceId = randomUUID();
  private readonly redis: ScriptClient;
  private readonly prefix: string;
  private readonly heartbeatTimer: NodeJS.Timeout | undefined;
  private suspectUntil = 0;
  private instances = 1;
  private readyEvents = 0;
  private readonly serverClock: boolean;

  constructor(options: RedisLimitStoreOptions) {
    this.prefix = options.keyPrefix ?? 'portcullis:';
    this.serverClock = (options.clock ?? 'redis') === 'redis';
    const commandTimeout = options.commandTimeoutMs ?? 500;
    // No offline queue: while disconnected, calls fail at once instead of waiting for a reconnect.
    // Reconnects keep being tried (at most 500 ms apart) so Redis is picked up again without a restart.
    const retryStrategy = (times: number) => Math.min(50 * times, 500);
    // Connection state is read from client.status; errors surface on the calls that hit them.
    const client: Client = createRedis({
      url: options.url,
      clusterNodes: options.clusterNodes,
      command: { commandTimeout, enableAutoPipelining: true, maxRetriesPerRequest: 0 },
      enableOfflineQueue: false,
      retryStrategy,
      slotsRefreshTimeout: 1_000,
    });
    // defineCommand loads the script once and calls it by EVALSHA, falling back to EVAL on NOSCRIPT.
    client.defineCommand('portcullisLimit', { lua: CONSUME_SCRIPT });
    client.on('ready', () => {
      this.readyEvents++;
    });
    this.redis = client as ScriptClient;
    if (options.heartbeat) {
      client.on('ready', () => void this.beat());
      this.heartbeatTimer = setInterval(() => void this.beat(), HEARTBEAT_INTERVAL_MS);
      this.heartbeatTimer.unref();
    }
  }

  /** Connected and not recently failing: worth sending the request's script to. */
  get available(): boolean {
    return this.redis.status === 'ready' && Date.now() >= this.suspectUntil;
  }

  /**
   * How many times the connection became ready: a change means Redis was away in between (and may have
   * come back empty), even when no request noticed.
   */
  get connectionEpoch(): number {
    return this.readyEvents;
  }

  /** Live gateway instances sharing this Redis (≥ 1), as last seen while Redis was reachable. */
  get liveInstances(): number {
    return this.instances;
  }

  async consume(request: LimitRequest): Promise<LimitDecision> {
    const keys = limitKeys(this.prefix, request);
    const { quota, windows } = request;
    const args: (string | number)[] = [
      this.serverClock ? -1 : toMicros(request.nowMs),
      quota ? quota.limit : -1,
      quota ? quota.base : 0,
      quota ? quota.resetAtMs + QUOTA_GRACE_MS : 0,
      quota?.raise ? 1 : 0,
    ];
    for (const window of windows) {
      const { intervalUs, capacityUs } = gcraParams(window);
      args.push(intervalUs, capacityUs);
    }
    try {
      const reply = await this.redis.portcullisLimit(
        1 + windows.length,
        keys.quota,
        ...keys.windows,
        ...args,
      );
      const [code = 0, quotaUsed = 0, nowUs = 0, ...tats] = reply.map(Number);
      // Headers (remaining, reset, Retry-After) are computed on the clock the decision was made on.
      if (!this.serverClock) return decide(request, OUTCOMES[code] ?? 'allowed', quotaUsed, tats);
      const decision = decide(
        { ...request, nowMs: nowUs / 1000 },
        OUTCOMES[code] ?? 'allowed',
        quotaUsed,
        tats,
      );
      // The quota's period is wall-clock (the caller's, like its reset instant), not GCRA time.
      if (decision.quota && quota) decision.quota.resetMs = Math.max(0, quota.resetAtMs - request.nowMs);
      return decision;
    } catch (error) {
      this.suspectUntil = Date.now() + SUSPECT_MS;
      throw error;
    }
  }

  private async beat(): Promise<void> {
    if (this.redis.status !== 'ready') return;
    const key = `${this.prefix}{gateway}:instances`;
    const now = Date.now();
    try {
      const results = await this.redis
        .pipeline()
        .zadd(key, now, this.instanceId)
        .zremrangebyscore(key, '-inf', now - INSTANCE_TTL_MS)
        .zcount(key, now - INSTANCE_TTL_MS, '+inf')
        .pexpire(key, INSTANCE_TTL_MS * 2)
        .exec();
      const count = Number(results?.[2]?.[1] ?? 1);
      this.instances = Math.max(1, count);
    } catch {
      // Keep the last known count: it is what the local failure mode needs while Redis is away.
    }
  }

  /** Deletes every key under this store's prefix (tests only: never FLUSHALL a shared Redis). */
  async deleteNamespace(): Promise<number> {
    await this.ready();
    const nodes = this.redis instanceof Cluster ? this.redis.nodes('master') : [this.redis];
    let deleted = 0;
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
        cursor = next;
        // One DEL per key: in a cluster, keys of one batch may live in different slots.
        for (const key of keys) deleted += await node.del(key);
      } while (cursor !== '0');
    }
    return deleted;
  }

  /** Resolves once connected (tests and startup checks); rejects after `timeoutMs`. */
  async ready(timeoutMs = 5_000): Promise<void> {
    const started = Date.now();
    while (this.redis.status !== 'ready') {
      if (Date.now() - started > timeoutMs) throw new Error(`Redis not ready: ${this.redis.status}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async ping(): Promise<boolean> {
    await this.ready();
    return (await this.redis.ping()) === 'PONG';
  }

  async close(): Promise<void> {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.heartbeatTimer && this.redis.status === 'ready') {
      await this.redis.zrem(`${this.prefix}{gateway}:instances`, this.instanceId).catch(() => undefined);
    }
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
