import type { IncomingHttpHeaders } from 'node:http';
import { createRedis } from '@portcullis/db/redis';
import type { Redis } from 'ioredis';
import { ByteLru } from '../byte-lru.ts';
import { type CachedResponse, type CacheRecord, decodeRecord, encodeRecord, recordBytes } from './entry.ts';
import { variantCacheKey } from './key.ts';

/**
 * KEYS[1] the API's generation counter. ARGV: key head (up to the generation), key tail.
 * Returns {generation, record or nil}: one round trip for the common (no Vary) case.
 */
const LOOKUP_SCRIPT = `
local gen = redis.call('GET', KEYS[1]) or '0'
return {gen, redis.call('GET', ARGV[1] .. gen .. ':' .. ARGV[2])}
`;

/**
 * KEYS[1] generation counter. ARGV: expected generation ('' = current), key head, ttl ms, then pairs of
 * key tail + record. Nothing is written when the API's config changed since the lookup.
 */
const STORE_SCRIPT = `
local gen = redis.call('GET', KEYS[1]) or '0'
if ARGV[1] ~= '' and ARGV[1] ~= gen then return 0 end
for i = 4, #ARGV, 2 do
  redis.call('SET', ARGV[2] .. gen .. ':' .. ARGV[i], ARGV[i + 1], 'PX', ARGV[3])
end
return 1
`;

interface CacheCommands {
  responseCacheLookupBuffer(genKey: string, head: string, tail: string): Promise<[Buffer, Buffer | null]>;
  responseCacheStore(genKey: string, ...args: (string | Buffer | number)[]): Promise<number>;
}

export interface ResponseCacheOptions {
  /** L1 bound */
  maxBytes: number;
  now: () => number;
  /** L2, shared between gateway instances */
  redis?: { url: string; keyPrefix: string } | undefined;
  onError: (error: unknown) => void;
}

/** Which API and config version a cached response belongs to. */
export interface CacheScope {
  apiId: string;
  /** fingerprint of the API's config: responses never outlive the config that produced them */
  configVersion: string;
}

export interface Lookup {
  response: CachedResponse | null;
  /** the L2 generation seen, so a store is dropped when the config changed meanwhile */
  generation: string;
}

/** Response cache: in-process LRU (L1) in front of Redis (L2). Redis failures degrade to misses. */
export class ResponseCacheStore {
  private readonly l1: ByteLru<CacheRecord>;
  private readonly redis: (Redis & CacheCommands) | undefined;
  private readonly prefix: string;

  constructor(private readonly options: ResponseCacheOptions) {
    this.l1 = new ByteLru(options.maxBytes);
    this.prefix = `${options.redis?.keyPrefix ?? ''}rc:`;
    if (options.redis) {
      // a single server only: on a Cluster the response cache stays in-process
      const redis = createRedis({
        url: options.redis.url,
        command: { maxRetriesPerRequest: 1, commandTimeout: 1_000 },
        onError: options.onError,
      }) as Redis;
      redis.defineCommand('responseCacheLookup', { numberOfKeys: 1, lua: LOOKUP_SCRIPT });
      redis.defineCommand('responseCacheStore', { numberOfKeys: 1, lua: STORE_SCRIPT });
      this.redis = redis as Redis & CacheCommands;
    }
  }

  get kind(): 'redis' | 'memory' {
    return this.redis ? 'redis' : 'memory';
  }

  async lookup(scope: CacheScope, primary: string, headers: IncomingHttpHeaders): Promise<Lookup> {
    const now = this.options.now();
    const local = this.fresh(this.l1.get(this.l1Key(scope, primary)), now);
    if (local?.kind === 'response') return { response: local, generation: '' };
    if (local?.kind === 'vary') {
      const variant = this.fresh(
        this.l1.get(this.l1Key(scope, variantCacheKey(primary, local.vary, headers))),
        now,
      );
      if (variant?.kind === 'response') return { response: variant, generation: '' };
    }
    if (!this.redis) return { response: null, generation: '' };
    try {
      const [rawGen, raw] = await this.redis.responseCacheLookupBuffer(
        this.genKey(scope),
        this.keyHead(scope),
        this.keyTail(scope, primary),
      );
      const generation = rawGen.toString();
      let record = raw ? this.fresh(decodeRecord(raw), now) : null;
      let key = primary;
      if (record?.kind === 'vary') {
        key = variantCacheKey(primary, record.vary, headers);
        this.l1.set(this.l1Key(scope, primary), record, recordBytes(record));
        const variant = await this.redis.getBuffer(
          `${this.keyHead(scope)}${generation}:${this.keyTail(scope, key)}`,
        );
        record = variant ? this.fresh(decodeRecord(variant), now) : null;
      }
      if (record?.kind !== 'response') return { response: null, generation };
      this.l1.set(this.l1Key(scope, key), record, recordBytes(record));
      return { response: record, generation };
    } catch (error) {
      this.options.onError(error);
      return { response: null, generation: '' };
    }
  }

  /** Stores in L1 now and in L2 off the response path. */
  store(
    scope: CacheScope,
    generation: string,
    primary: string,
    vary: string[],
    headers: IncomingHttpHeaders,
    response: CachedResponse,
  ): void {
    const ttlMs = Math.max(1, response.expiresAt - response.storedAt);
    const records: [string, CacheRecord][] = [];
    const variant = variantCacheKey(primary, vary, headers);
    if (vary.length > 0) records.push([primary, { kind: 'vary', vary, expiresAt: response.expiresAt }]);
    records.push([variant, response]);
    for (const [key, record] of records) this.l1.set(this.l1Key(scope, key), record, recordBytes(record));
    if (!this.redis) return;
    const args = records.flatMap(([key, record]) => [this.keyTail(scope, key), encodeRecord(record)]);
    this.redis
      .responseCacheStore(this.genKey(scope), generation, this.keyHead(scope), ttlMs, ...args)
      .catch(this.options.onError);
  }

  /** The API's config changed: forget local copies and move every instance to a new L2 generation. */
  async dropApi(apiId: string): Promise<void> {
    this.l1.deleteWhere((key) => key.startsWith(`${apiId}|`));
    await this.redis?.incr(`${this.prefix}{${apiId}}:gen`).catch(this.options.onError);
  }

  async close(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }

  private fresh(record: CacheRecord | null | undefined, now: number): CacheRecord | null {
    return record && record.expiresAt > now ? record : null;
  }

  private l1Key(scope: CacheScope, key: string): string {
    return `${scope.apiId}|${scope.configVersion}|${key}`;
  }

  // One hash tag per API: its counter and entries share a cluster slot, as the scripts need.
  private genKey(scope: CacheScope): string {
    return `${this.prefix}{${scope.apiId}}:gen`;
  }

  private keyHead(scope: CacheScope): string {
    return `${this.prefix}{${scope.apiId}}:`;
  }

  private keyTail(scope: CacheScope, key: string): string {
    return `${scope.configVersion}:${key}`;
  }
}
