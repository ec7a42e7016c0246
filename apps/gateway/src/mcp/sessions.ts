import { randomBytes } from 'node:crypto';
import { createRedis, type RedisLocation } from '@portcullis/db/redis';
import type { Cluster, Redis } from 'ioredis';

/**
 * MCP sessions (Mcp-Session-Id). An id is 256 random bits, bound to the key that opened it and to
 * what it serves (one API, or an app's subscriptions); a request with the id and another key is refused
 * as if the session did not exist. Shared in Redis so any gateway instance or worker can continue a
 * session; in this process only without Redis. Sessions idle for `idleMs` expire.
 *
 * initialize costs nothing on the plan, so one key could open sessions without end. Each key keeps at
 * most MAX_SESSIONS_PER_KEY: opening one more ends that key's least recently used, never another
 * key's. (New sessions per key and minute are limited too: mcp/session-limit.ts.)
 */
export interface McpSessionBinding {
  keyId: string;
  /** `api:{apiId}` (an API's MCP server) or `app:{appId}` (the app's /mcp) */
  scope: string;
  /** MCP APIs: the upstream server's own session id, never shown to the client */
  upstreamSessionId?: string | undefined;
  /** the protocol version agreed at initialize */
  protocolVersion?: string | undefined;
}

export interface McpSessionStore {
  create(binding: McpSessionBinding): Promise<string>;
  /** The session's binding (its idle time restarts), or null when it is unknown, ended or expired. */
  get(id: string): Promise<McpSessionBinding | null>;
  update(id: string, binding: McpSessionBinding): Promise<void>;
  end(id: string): Promise<void>;
  close(): Promise<void>;
}

const MCP_SESSION_ID = /^mcp_[A-Za-z0-9_-]{43}$/;
const DEFAULT_IDLE_MS = 60 * 60 * 1000;
const MAX_MEMORY_SESSIONS = 100_000;
export const MAX_SESSIONS_PER_KEY = 100;

const newSessionId = () => `mcp_${randomBytes(32).toString('base64url')}`;

export function createMcpSessionStore(options: {
  redis?: RedisLocation | undefined;
  redisKeyPrefix?: string | undefined;
  idleMs?: number;
  now?: () => number;
}): McpSessionStore {
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  const now = options.now ?? Date.now;
  return options.redis
    ? new RedisSessionStore(
        createRedis({
          ...options.redis,
          keyPrefix: options.redisKeyPrefix,
          command: { maxRetriesPerRequest: 1, commandTimeout: 1_000 },
        }),
        idleMs,
        now,
      )
    : new MemorySessionStore(idleMs, now);
}

/**
 * `mcp:session:{id}` holds a binding; `mcp:key-sessions:{keyId}` is the key's sessions by last use
 * (a sorted set, scored in ms). Entries idle past `idleMs` are dropped from it before counting, so it
 * counts the key's live sessions and holds at most MAX_SESSIONS_PER_KEY of them.
 */
class RedisSessionStore implements McpSessionStore {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly idleMs: number,
    private readonly now: () => number,
  ) {}

  private key = (id: string) => `mcp:session:${id}`;
  private keySessions = (keyId: string) => `mcp:key-sessions:${keyId}`;

  async create(binding: McpSessionBinding): Promise<string> {
    const id = newSessionId();
    await this.redis.set(this.key(id), JSON.stringify(binding), 'PX', this.idleMs);
    const now = this.now();
    const own = this.keySessions(binding.keyId);
    // one key, one slot: a pipeline is fine on a cluster too
    const replies = await this.redis
      .pipeline()
      .zremrangebyscore(own, '-inf', now - this.idleMs)
      .zadd(own, now, id)
      .pexpire(own, this.idleMs)
      .zrange(own, 0, -(MAX_SESSIONS_PER_KEY + 1))
      .exec();
    const [error, excess] = replies?.[3] ?? [null, []];
    if (error) throw error;
    const evicted = excess as string[];
    if (evicted.length > 0) {
      await this.redis.zrem(own, ...evicted);
      // sessions live in other slots than the set: one DEL each
      await Promise.all(evicted.map((old) => this.redis.del(this.key(old))));
    }
    return id;
  }

  async get(id: string): Promise<McpSessionBinding | null> {
    if (!MCP_SESSION_ID.test(id)) return null;
    const raw = await this.redis.getex(this.key(id), 'PX', this.idleMs);
    if (!raw) return null;
    const binding = JSON.parse(raw) as McpSessionBinding;
    const own = this.keySessions(binding.keyId);
    await this.redis.pipeline().zadd(own, this.now(), id).pexpire(own, this.idleMs).exec();
    return binding;
  }

  async update(id: string, binding: McpSessionBinding): Promise<void> {
    await this.redis.set(this.key(id), JSON.stringify(binding), 'PX', this.idleMs, 'XX');
  }

  async end(id: string): Promise<void> {
    if (!MCP_SESSION_ID.test(id)) return;
    const raw = await this.redis.get(this.key(id));
    await this.redis.del(this.key(id));
    if (raw) await this.redis.zrem(this.keySessions((JSON.parse(raw) as McpSessionBinding).keyId), id);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

class MemorySessionStore implements McpSessionStore {
  /** insertion order = creation order, so the oldest goes first when full */
  private readonly sessions = new Map<string, { binding: McpSessionBinding; expiresAt: number }>();
  /** each key's session ids, least recently used first */
  private readonly byKey = new Map<string, Set<string>>();

  constructor(
    private readonly idleMs: number,
    private readonly now: () => number,
  ) {}

  async create(binding: McpSessionBinding): Promise<string> {
    const mine = this.byKey.get(binding.keyId);
    while (mine !== undefined && mine.size >= MAX_SESSIONS_PER_KEY) {
      const oldest = mine.values().next().value;
      if (oldest === undefined) break;
      this.remove(oldest);
    }
    if (this.sessions.size >= MAX_MEMORY_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.remove(oldest);
    }
    const id = newSessionId();
    this.sessions.set(id, { binding, expiresAt: this.now() + this.idleMs });
    // looked up again: the evictions may have dropped the key's emptied set
    const own = this.byKey.get(binding.keyId) ?? new Set<string>();
    own.add(id);
    this.byKey.set(binding.keyId, own);
    return id;
  }

  async get(id: string): Promise<McpSessionBinding | null> {
    const entry = this.sessions.get(id);
    if (!entry) return null;
    const now = this.now();
    if (entry.expiresAt <= now) {
      this.remove(id);
      return null;
    }
    entry.expiresAt = now + this.idleMs;
    const own = this.byKey.get(entry.binding.keyId);
    own?.delete(id);
    own?.add(id);
    return entry.binding;
  }

  async update(id: string, binding: McpSessionBinding): Promise<void> {
    const entry = this.sessions.get(id);
    if (entry) entry.binding = { ...binding, keyId: entry.binding.keyId };
  }

  async end(id: string): Promise<void> {
    this.remove(id);
  }

  async close(): Promise<void> {
    this.sessions.clear();
    this.byKey.clear();
  }

  private remove(id: string): void {
    const entry = this.sessions.get(id);
    if (!entry) return;
    this.sessions.delete(id);
    const own = this.byKey.get(entry.binding.keyId);
    own?.delete(id);
    if (own?.size === 0) this.byKey.delete(entry.binding.keyId);
  }
}
