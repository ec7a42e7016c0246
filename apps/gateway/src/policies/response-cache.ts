import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ApiPolicies } from '@portcullis/core/policies';
import { requestCacheMode, responseTtlMs, varyNames } from '../cache/cache-control.ts';
import type { CachedResponse } from '../cache/entry.ts';
import type { CacheScope, ResponseCacheStore } from '../cache/store.ts';
import { ok } from '../result.ts';
import type { ForwardOutcome } from './engine.ts';

/**
 * off: the API does not cache (no x-cache header); bypass: not consulted nor filled (method, or the
 * client's no-store); refresh: not consulted but filled (the client's no-cache); lookup: the normal case.
 */
export type CacheDecision = 'off' | 'bypass' | 'refresh' | 'lookup';

export function decideCaching(
  policies: ApiPolicies,
  method: string,
  headers: IncomingHttpHeaders,
): CacheDecision {
  if (!policies.cache.enabled) return 'off';
  if (method !== 'GET' && method !== 'HEAD') return 'bypass';
  const mode = requestCacheMode(headers);
  return mode === 'use' ? 'lookup' : mode;
}

/** Per-request or per-connection headers that must never be replayed from the cache. */
const NOT_STORED = new Set([
  'x-request-id',
  'x-cache',
  'age',
  'connection',
  'keep-alive',
  'transfer-encoding',
]);

/** Answers from a cached response; `finishHead` adds what is per request (CORS, transforms, limits, x-cache). */
export function serveFromCache(
  res: ServerResponse,
  method: string,
  cached: CachedResponse,
  nowMs: number,
  finishHead: (headers: OutgoingHttpHeaders) => void,
): ForwardOutcome {
  finishHead(cached.headers);
  res.setHeader('age', String(Math.max(0, Math.floor((nowMs - cached.storedAt) / 1000))));
  res.writeHead(cached.status);
  const body = method === 'HEAD' ? undefined : cached.body;
  res.end(body);
  return ok({ status: cached.status, upstreamMs: 0, bytesIn: 0, bytesOut: body?.length ?? 0 });
}

export interface CacheFillOptions {
  cache: ResponseCacheStore;
  scope: CacheScope;
  generation: string;
  primary: string;
  requestHeaders: IncomingHttpHeaders;
  ttlSeconds: number;
  /** larger bodies stream through uncached */
  maxBytes: number;
  /** names the gateway added for this request only (RateLimit…) */
  perRequestHeaders: string[];
  now: () => number;
}

/** Decides at the response head whether to keep the upstream response, and stores it once fully sent. */
export class CacheFill {
  private pending: Omit<CachedResponse, 'body'> | null = null;
  private vary: string[] = [];
  readonly capture: { maxBytes: number; complete: (body: Buffer | null) => void };

  constructor(private readonly options: CacheFillOptions) {
    this.capture = { maxBytes: options.maxBytes, complete: (body) => this.complete(body) };
  }

  onHead(status: number, upstreamHeaders: OutgoingHttpHeaders): void {
    const ttlMs = responseTtlMs(status, upstreamHeaders, this.options.ttlSeconds);
    const length = Number(upstreamHeaders['content-length'] ?? 0);
    if (ttlMs === null || length > this.options.maxBytes) return;
    const skip = new Set([...NOT_STORED, ...this.options.perRequestHeaders.map((h) => h.toLowerCase())]);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(upstreamHeaders)) {
      if (value === undefined || skip.has(name.toLowerCase())) continue;
      headers[name.toLowerCase()] = typeof value === 'number' ? String(value) : value;
    }
    const now = this.options.now();
    this.vary = varyNames(upstreamHeaders) ?? [];
    this.pending = { kind: 'response', status, headers, storedAt: now, expiresAt: now + ttlMs };
  }

  private complete(body: Buffer | null): void {
    if (!this.pending || body === null) return;
    const { cache, scope, generation, primary, requestHeaders } = this.options;
    cache.store(scope, generation, primary, this.vary, requestHeaders, { ...this.pending, body });
  }
}
