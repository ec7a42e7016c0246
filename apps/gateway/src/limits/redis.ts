import { randomUUID } from 'node:crypto';
import { createRedis } from '@portcullis/db/redis';
import { RedisTurnWriter } from '@portcullis/db/redis-turn';
import { type ChainableCommander, Cluster, type Redis } from 'ioredis';
import { CONSUME_SCRIPT, LEASE_SCRIPT, RELEASE_SCRIPT } from './scripts.ts';
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

type Client = Redis | Cluster;
/** The scripts, as ioredis adds them to a pipeline (EVALSHA, falling back to EVAL on NOSCRIPT). */
type ScriptPipeline = ChainableCommander & {
  portcullisLimit(numberOfKeys: number, ...keysAndArgs: (string | number)[]): ChainableCommander;
  portcullisLease(numberOfKeys: number, ...keysAndArgs: (string | number)[]): ChainableCommander;
  portcullisRelease(numberOfKeys: number, ...keysAndArgs: (string | number)[]): ChainableCommander;
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
  private readonly redis: Client;
  /**
   * The turn's pipeline on this store's connection: limit scripts go out with everything else sent in
   * the same event-loop turn (the gateway's usage XADDs share it), one socket write per turn.
   */
  readonly turn: RedisTurnWriter;
  private readonly commandTimeoutMs: number;
  private readonly prefix: string;
  private readonly heartbeatTimer: NodeJS.Timeout | undefined;
  private suspectUntil = 0;
  private instances = 1;
  private readyEvents = 0;
  private readonly serverClock: boolean;

  constructor(options: RedisLimitStoreOptions) {
    this.prefix = options.keyPrefix ?? 'portcullis:';
    this.serverClock = (options.clock ?? 'redis') === 'redis';
    this.commandTimeoutMs = options.commandTimeoutMs ?? 500;
    // No offline queue: while disconnected, calls fail at once instead of waiting for a reconnect.
    // Reconnects keep being tried (at most 500 ms apart) so Redis is picked up again without a restart.
    const retryStrategy = (times: number) => Math.min(50 * times, 500);
    // Connection state is read from client.status; errors surface on the calls that hit them.
    const client: Client = createRedis({
      url: options.url,
      clusterNodes: options.clusterNodes,
      // Timeouts per batch (RedisTurnWriter), not a timer per command.
      command: { maxRetriesPerRequest: 0 },
      enableOfflineQueue: false,
      retryStrategy,
      slotsRefreshTimeout: 1_000,
    });
    // defineCommand loads the script once and calls it by EVALSHA, falling back to EVAL on NOSCRIPT.
    client.defineCommand('portcullisLimit', { lua: CONSUME_SCRIPT });
    client.defineCommand('portcullisLease', { lua: LEASE_SCRIPT });
    client.defineCommand('portcullisRelease', { lua: RELEASE_SCRIPT });
    client.on('ready', () => {
      this.readyEvents++;
    });
    this.redis = client;
    this.turn = new RedisTurnWriter(client);
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
      const args = this.scriptArgs(request, [units]);
      const reply = await this.script<(string | number)[]>(keys.quota, (pipeline) =>
        pipeline.portcullisLease(1 + request.windows.length, keys.quota, ...keys.windows, ...args),
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
    const args = [
      this.serverClock ? -1 : toMicros(request.nowMs),
      units,
      request.quota ? 1 : 0,
      ...request.windows.map((window) => gcraParams(window).intervalUs),
    ];
    await this.script<number>(keys.quota, (pipeline) =>
      pipeline.portcullisRelease(1 + request.windows.length, keys.quota, ...keys.windows, ...args),
    );
  }

  async consume(request: LimitRequest): Promise<LimitDecision> {
    const keys = limitKeys(this.prefix, request);
    const { quota, windows } = request;
    const args = this.scriptArgs(request);
    try {
      const reply = await this.script<(string | number)[]>(keys.quota, (pipeline) =>
        pipeline.portcullisLimit(1 + windows.length, keys.quota, ...keys.windows, ...args),
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

  private script<T>(routeKey: string, add: (pipeline: ScriptPipeline) => void): Promise<T> {
    return this.turn.send<T>(routeKey, (pipeline) => add(pipeline as ScriptPipeline), {
      timeoutMs: this.commandTimeoutMs,
    });
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
