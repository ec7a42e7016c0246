import { randomBytes } from 'node:crypto';
import { createRedis, type RedisLocation } from '@portcullis/db/redis';
import type { Cluster, Redis } from 'ioredis';

/**
 * MCP sessions (Mcp-Session-Id). An id is 256 random bits, bound to the key that opened it and to
 * what it serves (one API, or an app's subscriptions); a request with the id and another key is refused
 * as if the session did not exist. Shared in Redis so any gateway instance or worker can continue a
 * session; in this process only without Redis. Sessions idle for `idleMs` expire.
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

const newSessionId = () => `mcp_${randomBytes(32).toString('base64url')}`;

export function createMcpSessionStore(options: {
  redis?: RedisLocation | undefined;
  redisKeyPrefix?: string | undefined;
  idleMs?: number;
  now?: () => number;
}): McpSessionStore {
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  return options.redis
    ? new RedisSessionStore(
        createRedis({
          ...options.redis,
          keyPrefix: options.redisKeyPrefix,
          command: { maxRetriesPerRequest: 1, commandTimeout: 1_000 },
        }),
        idleMs,
      )
    : new MemorySessionStore(idleMs, options.now ?? Date.now);
}

class RedisSessionStore implements McpSessionStore {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly idleMs: number,
  ) {}

  private key = (id: string) => `mcp:session:${id}`;

  async create(binding: McpSessionBinding): Promise<string> {
    const id = newSessionId();
    await this.redis.set(this.key(id), JSON.stringify(binding), 'PX', this.idleMs);
    return id;
  }

  async get(id: string): Promise<McpSessionBinding | null> {
    if (!MCP_SESSION_ID.test(id)) return null;
    const raw = await this.redis.getex(this.key(id), 'PX', this.idleMs);
    return raw ? (JSON.parse(raw) as McpSessionBinding) : null;
  }

  async update(id: string, binding: McpSessionBinding): Promise<void> {
    await this.redis.set(this.key(id), JSON.stringify(binding), 'PX', this.idleMs, 'XX');
  }

  async end(id: string): Promise<void> {
    if (MCP_SESSION_ID.test(id)) await this.redis.del(this.key(id));
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

class MemorySessionStore implements McpSessionStore {
  /** insertion order = creation order, so the oldest goes first when full */
  private readonly sessions = new Map<string, { binding: McpSessionBinding; expiresAt: number }>();

  constructor(
    private readonly idleMs: number,
    private readonly now: () => number,
  ) {}

  async create(binding: McpSessionBinding): Promise<string> {
    if (this.sessions.size >= MAX_MEMORY_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    const id = newSessionId();
    this.sessions.set(id, { binding, expiresAt: this.now() + this.idleMs });
    return id;
  }

  async get(id: string): Promise<McpSessionBinding | null> {
    const entry = this.sessions.get(id);
    if (!entry) return null;
    const now = this.now();
    if (entry.expiresAt <= now) {
      this.sessions.delete(id);
      return null;
    }
    entry.expiresAt = now + this.idleMs;
    return entry.binding;
  }

  async update(id: string, binding: McpSessionBinding): Promise<void> {
    const entry = this.sessions.get(id);
    if (entry) entry.binding = binding;
  }

  async end(id: string): Promise<void> {
    this.sessions.delete(id);
  }

  async close(): Promise<void> {
    this.sessions.clear();
  }
}
