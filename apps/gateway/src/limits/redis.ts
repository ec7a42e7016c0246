import { randomUUID } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
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

/**
 * A lease for local-first limits: up to ARGV[6] requests' worth of every window and of the quota, taken
 * at once (as many as all of them allow, all or nothing per unit), for the instance to hand out itself.
 * Same keys and ARGV[1..5] as CONSUME_SCRIPT; per window i: ARGV[5+2i] interval (µs), ARGV[6+2i] capacity.
 * Returns {outcome, granted, quotaUsed, now, tat_1 … tat_n}: on a grant (outcome 0) the TATs and quota
 * count after it, on a refusal (1 rate limited, 2 quota exceeded) the state before, nothing written.
 */
const LEASE_SCRIPT = `
local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local quotaLimit = tonumber(ARGV[2])
local grant = tonumber(ARGV[6])
local n = #KEYS - 1
local reply = {0, 0, 0, string.format('%.0f', now)}
local tats = {}
for i = 1, n do
  local tat = tonumber(redis.call('GET', KEYS[i + 1]) or '0')
  if tat < now then tat = now end
  tats[i] = tat
  reply[i + 4] = string.format('%.0f', tat)
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
  reply[3] = tonumber(redis.call('GET', KEYS[1]))
  if reply[3] >= quotaLimit then
    reply[1] = 2
    return reply
  end
  if quotaLimit - reply[3] < grant then grant = quotaLimit - reply[3] end
end
for i = 1, n do
  local room = math.floor((tonumber(ARGV[6 + 2 * i]) - (tats[i] - now)) / tonumber(ARGV[5 + 2 * i]))
  if room < grant then grant = room end
end
if grant < 1 then
  reply[1] = 1
  return reply
end
for i = 1, n do
  local nextTat = tats[i] + grant * tonumber(ARGV[5 + 2 * i])
  redis.call('SET', KEYS[i + 1], string.format('%.0f', nextTat), 'PXAT', string.format('%.0f', math.ceil(nextTat / 1000)))
  reply[i + 4] = string.format('%.0f', nextTat)
end
if quotaLimit >= 0 then
  reply[3] = redis.call('INCRBY', KEYS[1], grant)
end
reply[2] = grant
return reply
`;

/**
 * Gives back the unused part of a lease: ARGV[1] now (µs, -1 = TIME), ARGV[2] units, ARGV[3] 1 when
 * KEYS[1] is a quota counter; per window i: ARGV[3+i] interval (µs). A TAT moved back to or before now
 * is an empty window and is deleted; the quota counter never goes below 0.
 */
const RELEASE_SCRIPT = `
local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local units = tonumber(ARGV[2])
for i = 2, #KEYS do
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  local back = tat - units * tonumber(ARGV[2 + i])
  if back <= now then
    redis.call('DEL', KEYS[i])
  else
    redis.call('SET', KEYS[i], string.format('%.0f', back), 'PXAT', string.format('%.0f', math.ceil(back / 1000)))
  end
end
if ARGV[3] == '1' then
  local used = tonumber(redis.call('GET', KEYS[1]) or '-1')
  if used >= 0 then
    local left = used - units
    if left < 0 then left = 0 end
    redis.call('SET', KEYS[1], left, 'KEEPTTL')
  end
end
return 1
`;

type Client = Redis | Cluster;
type ScriptClient = Client & {
  portcullisLimit(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<number[]>;
  portcullisLease(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<(string | number)[]>;
  portcullisRelease(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<number>;
};

/** What a lease attempt answered (see LEASE_SCRIPT). */
export interface LeaseReply {
  /** Units granted; 0 with a refusal. */
  granted: number;
  /** The refusal when nothing could be granted; its windows and quota carry Retry-After and headers. */
  refusal: LimitDecision | null;
  /** After the grant: each window's TAT (µs, on the clock the script ran on) and the quota count. */
  tatsUs: number[];
  quotaUsed: number;
  /** The script's clock (µs) when it ran. */
  nowUs: number;
}

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
    const client: Client = options.clusterNodes?.length
      ? new Cluster(options.clusterNodes, {
          enableOfflineQueue: false,
          clusterRetryStrategy: retryStrategy,
          slotsRefreshTimeout: 1_000,
          redisOptions: { commandTimeout, enableAutoPipelining: true, maxRetriesPerRequest: 0 },
        })
      : new Redis(options.url ?? 'redis://127.0.0.1:6379', {
          commandTimeout,
          enableOfflineQueue: false,
          enableAutoPipelining: true,
          maxRetriesPerRequest: 0,
          retryStrategy,
        });
    // defineCommand loads the script once and calls it by EVALSHA, falling back to EVAL on NOSCRIPT.
    client.defineCommand('portcullisLimit', { lua: CONSUME_SCRIPT });
    client.defineCommand('portcullisLease', { lua: LEASE_SCRIPT });
    client.defineCommand('portcullisRelease', { lua: RELEASE_SCRIPT });
    // Connection state is read from client.status; errors surface on the calls that hit them.
    client.on('error', () => undefined);
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

  /** The Redis keys of a request under this store's namespace. */
  keysOf(request: LimitRequest): { quota: string; windows: string[] } {
    return limitKeys(this.prefix, request);
  }

  private scriptArgs(request: LimitRequest, extra: number[] = []): (string | number)[] {
    const { quota, windows } = request;
    const args: (string | number)[] = [
      this.serverClock ? -1 : toMicros(request.nowMs),
      quota ? quota.limit : -1,
      quota ? quota.base : 0,
      quota ? quota.resetAtMs + QUOTA_GRACE_MS : 0,
      quota?.raise ? 1 : 0,
      ...extra,
    ];
    for (const window of windows) {
      const { intervalUs, capacityUs } = gcraParams(window);
      args.push(intervalUs, capacityUs);
    }
    return args;
  }

  /**
   * Takes up to `units` requests' worth of every window and the quota of `request` at once (local-first
   * limits hand them out in process). Counted in Redis like `units` admitted requests.
   */
  async lease(request: LimitRequest, units: number): Promise<LeaseReply> {
    const keys = limitKeys(this.prefix, request);
    try {
      const reply = await this.redis.portcullisLease(
        1 + request.windows.length,
        keys.quota,
        ...keys.windows,
        ...this.scriptArgs(request, [units]),
      );
      const [code = 0, granted = 0, quotaUsed = 0, nowUs = 0, ...tatsUs] = reply.map(Number);
      if (code === 0) return { granted, refusal: null, tatsUs, quotaUsed, nowUs };
      const decision = decide(
        { ...request, nowMs: nowUs / 1000 },
        OUTCOMES[code] ?? 'rate_limited',
        quotaUsed,
        tatsUs,
      );
      if (decision.quota && request.quota)
        decision.quota.resetMs = Math.max(0, request.quota.resetAtMs - request.nowMs);
      return { granted: 0, refusal: decision, tatsUs, quotaUsed, nowUs };
    } catch (error) {
      this.suspectUntil = Date.now() + SUSPECT_MS;
      throw error;
    }
  }

  /** Gives back `units` of a lease taken for `request` that were never handed out. */
  async release(request: LimitRequest, units: number): Promise<void> {
    if (units <= 0) return;
    const keys = limitKeys(this.prefix, request);
    await this.redis.portcullisRelease(
      1 + request.windows.length,
      keys.quota,
      ...keys.windows,
      this.serverClock ? -1 : toMicros(request.nowMs),
      units,
      request.quota ? 1 : 0,
      ...request.windows.map((window) => gcraParams(window).intervalUs),
    );
  }

  async consume(request: LimitRequest): Promise<LimitDecision> {
    const keys = limitKeys(this.prefix, request);
    const { quota, windows } = request;
    const args = this.scriptArgs(request);
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
