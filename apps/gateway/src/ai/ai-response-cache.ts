import { createHash } from 'node:crypto';
import type { ChatCompletion } from '@portcullis/ai/types';
import { ByteLru } from '../byte-lru.ts';

/** What a cache hit answers with: the completion and who produced it (for the call log). */
export interface CachedCompletion {
  completion: ChatCompletion;
  provider: string;
  providerModel: string;
  expiresAt: number;
}

/** The shared L2: a Redis client or cluster (both answer get/set with PX). */
export interface CacheRedis {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: 'PX', ms: number): Promise<unknown>;
}

/**
 * AI response cache: exact-match cache of non-streamed chat completions (a route's cacheTtlSeconds). The key is the API and
 * the whole request JSON as received: any difference in messages or parameters is a different entry.
 * In-process LRU in front of Redis when the gateway has one; Redis failures are misses.
 */
export class AiResponseCache {
  private readonly l1: ByteLru<CachedCompletion>;

  constructor(
    private readonly options: {
      maxBytes: number;
      now: () => number;
      redis?: CacheRedis | undefined;
      onError: (error: unknown) => void;
    },
  ) {
    this.l1 = new ByteLru(options.maxBytes);
  }

  static key(apiId: string, requestJson: string): string {
    return `ai-cache:${createHash('sha256').update(apiId).update('\n').update(requestJson).digest('hex')}`;
  }

  async get(key: string): Promise<CachedCompletion | null> {
    const nowMs = this.options.now();
    const local = this.l1.get(key);
    if (local && local.expiresAt > nowMs) return local;
    if (local) this.l1.delete(key);
    if (!this.options.redis) return null;
    try {
      const text = await this.options.redis.get(key);
      if (!text) return null;
      const entry = JSON.parse(text) as CachedCompletion;
      if (entry.expiresAt <= nowMs) return null;
      this.l1.set(key, entry, text.length);
      return entry;
    } catch (error) {
      this.options.onError(error);
      return null;
    }
  }

  async set(key: string, entry: Omit<CachedCompletion, 'expiresAt'>, ttlSeconds: number): Promise<void> {
    const value: CachedCompletion = { ...entry, expiresAt: this.options.now() + ttlSeconds * 1000 };
    const text = JSON.stringify(value);
    this.l1.set(key, value, text.length);
    if (!this.options.redis) return;
    await this.options.redis.set(key, text, 'PX', ttlSeconds * 1000).catch(this.options.onError);
  }
}
