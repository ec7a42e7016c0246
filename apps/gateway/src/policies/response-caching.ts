/** The response cache as a policy step: whether a request may be answered from it, and filling it. */
import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ApiPolicies } from '@portcullis/core/policies';
import { requestCacheMode, responseTtlMs, varyNames } from '../response-cache/cache-control.ts';
import type { CachedResponse } from '../response-cache/entry.ts';
import type { CacheScope, ResponseCacheStore } from '../response-cache/store.ts';
import { ok } from '../result.ts';
import type { ForwardOutcome } from './forward-outcome.ts';

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

/**
 * RFC 9110 §13.1: If-None-Match (weak comparison, a list, or *) wins over If-Modified-Since; either one
 * satisfied by the cached validators turns a hit into a 304 without a body.
 */
function notModified(request: IncomingHttpHeaders, cached: CachedResponse): boolean {
  const etag = headerText(cached.headers.etag);
  const ifNoneMatch = request['if-none-match'];
  if (ifNoneMatch !== undefined) {
    if (etag === undefined) return false;
    const wanted = ifNoneMatch.split(',').map((tag) => tag.trim());
    const opaque = (tag: string) => tag.replace(/^W\//, '');
    return wanted.some((tag) => tag === '*' || opaque(tag) === opaque(etag));
  }
  const since = request['if-modified-since'];
  const lastModified = headerText(cached.headers['last-modified']);
  if (since === undefined || lastModified === undefined) return false;
  const sinceMs = Date.parse(since);
  const modifiedMs = Date.parse(lastModified);
  return Number.isFinite(sinceMs) && Number.isFinite(modifiedMs) && modifiedMs <= sinceMs;
}

const headerText = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** Headers a 304 repeats (RFC 9110 §15.4.5); the body's own framing headers are left out. */
const NOT_MODIFIED_HEADERS = [
  'cache-control',
  'content-location',
  'date',
  'etag',
  'expires',
  'vary',
  'last-modified',
];

/** Answers from a cached response; `finishHead` adds what is per request (CORS, transforms, limits, x-cache). */
export function serveFromCache(
  res: ServerResponse,
  method: string,
  requestHeaders: IncomingHttpHeaders,
  cached: CachedResponse,
  nowMs: number,
  finishHead: (headers: OutgoingHttpHeaders) => void,
): ForwardOutcome {
  if (notModified(requestHeaders, cached)) {
    const kept: OutgoingHttpHeaders = {};
    for (const name of NOT_MODIFIED_HEADERS)
      if (cached.headers[name] !== undefined) kept[name] = cached.headers[name];
    finishHead(kept);
    res.setHeader('age', String(Math.max(0, Math.floor((nowMs - cached.storedAt) / 1000))));
    res.writeHead(304);
    res.end();
    return ok({ status: 304, upstreamMs: 0, bytesIn: 0, bytesOut: 0 });
  }
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
