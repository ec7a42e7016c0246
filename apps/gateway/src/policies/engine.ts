import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ApiPolicies } from '@portcullis/core/policies';
import type { ConfigCache } from '../config/config-cache.ts';
import type { RouteRecord } from '../config/repository.ts';
import { type GatewayProblem, problem } from '../http/problem.ts';
import type { Logger } from '../log.ts';
import { checkRoutable, type ParsedPath } from '../pipeline/route.ts';
import { primaryCacheKey } from '../response-cache/key.ts';
import type { CacheScope, ResponseCacheStore } from '../response-cache/store.ts';
import { err } from '../result.ts';
import { corsResponseHeaders, decidePreflight, isPreflight } from './cors.ts';
import type { ForwardOutcome } from './forward-outcome.ts';
import { checkIp, compileIpMatcher, type IpMatcher, normalizeIp, resolveClientIp } from './ip.ts';
import { CacheFill, decideCaching, serveFromCache } from './response-caching.ts';
import { tapResponse } from './response-tap.ts';
import { checkRequestHead, limitBody, tooLarge } from './size-limits.ts';
import { applyHeaderTransform, isEmptyTransform, recordAccess } from './transforms.ts';
import { ValidatorCache, validateRequest } from './validation.ts';

export type { ForwardOutcome } from './forward-outcome.ts';

/** Outcome of the steps between route resolve and key verification. */
export type Screened =
  | { kind: 'continue' }
  | { kind: 'rejected'; route: RouteRecord; problem: GatewayProblem }
  /** a CORS preflight, answered by the gateway itself */
  | { kind: 'answered'; route: RouteRecord };

export interface ProxyContext {
  route: RouteRecord;
  appId: string;
  path: ParsedPath;
  /** RateLimit headers and the request id: per request, never cached */
  extraHeaders: Record<string, string>;
}

export interface PolicyEngineOptions {
  trustedProxies: readonly string[];
  cache: ResponseCacheStore;
  log: Logger;
  now: () => number;
  /** larger responses stream through uncached */
  maxCachedBodyBytes?: number;
}

interface CompiledRoute {
  version: string;
  allow: IpMatcher;
  deny: IpMatcher;
}

const DEFAULT_MAX_CACHED_BODY = 1024 * 1024;

/** Per-API request policies (Api.policies) and the response cache, as steps of the gateway chain. */
export class PolicyEngine {
  private readonly trusted: IpMatcher;
  private readonly compiled = new WeakMap<RouteRecord, CompiledRoute>();
  /** last config version seen per API: a change drops its cached responses and validators */
  private readonly versions = new Map<string, string>();
  private readonly validators = new ValidatorCache();

  constructor(private readonly options: PolicyEngineOptions) {
    this.trusted = compileIpMatcher(options.trustedProxies);
  }

  /**
   * The client's address: the socket peer, or, when the peer is a trusted proxy, the right-most untrusted
   * X-Forwarded-For hop. IP rules, ip-scoped rate limits and the request log all use this one.
   */
  clientIp(req: IncomingMessage): string | null {
    return (
      resolveClientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], this.trusted)?.address ?? null
    );
  }

  /** IP rules, CORS preflight, method allow-list, header and declared body limits. */
  async screen(
    req: IncomingMessage,
    res: ServerResponse,
    path: ParsedPath,
    routes: ConfigCache,
    options: {
      /**
       * The request's client address when the chain already knows it (its clientIp): an MCP tool call the
       * gateway makes itself stands for the MCP client's address, not its own loopback peer.
       */
      clientIp?: string | null;
      /** the API's MCP endpoint: its methods are the protocol's, not the API's method allow-list */
      anyMethod?: boolean;
    } = {},
  ): Promise<Screened> {
    let route: RouteRecord | null;
    try {
      route = await routes.route(path.orgSlug, path.apiSlug);
    } catch {
      return { kind: 'continue' }; // admission reports the config failure
    }
    // Unroutable APIs get the same 404/410 as before: policies must not reveal that a draft exists.
    if (!route || !checkRoutable(route).ok) return { kind: 'continue' };
    const policies = route.policies;
    const compiled = this.compile(route);
    const { clientIp } = options;
    const client =
      clientIp === undefined
        ? resolveClientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], this.trusted)
        : normalizeIp(clientIp ?? undefined);
    if (checkIp(client, compiled.allow, compiled.deny) === 'denied') {
      return {
        kind: 'rejected',
        route,
        problem: problem('ip_denied', 'Requests from your address are not allowed.'),
      };
    }
    if (policies.cors.enabled) {
      if (isPreflight(req.method, req.headers)) {
        const decision = decidePreflight(policies.cors, req.headers);
        if (!decision.allowed)
          return { kind: 'rejected', route, problem: problem('cors_rejected', decision.reason) };
        res.writeHead(204, { ...decision.headers, 'content-length': '0' });
        res.end();
        return { kind: 'answered', route };
      }
      // Set now so refusals further down the chain (401, 429…) are readable by the browser too.
      for (const [name, value] of Object.entries(corsResponseHeaders(policies.cors, req.headers) ?? {})) {
        res.setHeader(name, value);
      }
    }
    const head = checkRequestHead(
      options.anyMethod ? { ...policies, allowedMethods: [] } : policies,
      req.method ?? 'GET',
      req.rawHeaders,
      req.headers['content-length'],
    );
    if (!head.ok) return { kind: 'rejected', route, problem: head.error };
    return { kind: 'continue' };
  }

  /**
   * After admission: OpenAPI validation, the response cache, header transforms and the body limit around
   * `forward`, which sends the given request (the original, or a stand-in carrying its body) upstream.
   */
  async proxy(
    req: IncomingMessage,
    res: ServerResponse,
    ctx: ProxyContext,
    forward: (request: IncomingMessage) => Promise<ForwardOutcome>,
  ): Promise<ForwardOutcome> {
    const { route } = ctx;
    const policies = route.policies;
    const compiled = this.compile(route);
    const method = req.method ?? 'GET';
    let request = req;

    if (policies.validateRequests && route.openapiSpec) {
      const validator = this.validators.get(
        route.apiId,
        compiled.version,
        route.openapiSpec,
        this.options.log,
      );
      if (validator) {
        const validated = await validateRequest(validator, req, ctx.path, policies.maxBodyBytes);
        if (!validated.ok) return this.refuse(res, validated.error);
        request = validated.value;
      }
    }

    const scope: CacheScope = { apiId: route.apiId, configVersion: compiled.version };
    const decision = decideCaching(policies, method, req.headers);
    let generation = '';
    let primary = '';
    if (decision !== 'off' && decision !== 'bypass') {
      primary = primaryCacheKey({
        method,
        rest: ctx.path.rest,
        query: ctx.path.query,
        appId: policies.cache.public ? null : ctx.appId,
      });
    }
    if (decision === 'lookup') {
      const found = await this.options.cache.lookup(scope, primary, req.headers);
      if (found.response) {
        req.resume();
        return serveFromCache(res, method, req.headers, found.response, this.options.now(), (headers) =>
          this.finishHead(res, policies, req, { ...headers, ...ctx.extraHeaders }, 'HIT'),
        );
      }
      generation = found.generation;
    }

    if (!isEmptyTransform(policies.requestHeaders))
      applyHeaderTransform(recordAccess(request.headers), policies.requestHeaders, 'request');
    // A declared length was checked already; an unframed (chunked) body is counted as it streams.
    const limited =
      request === req && req.headers['transfer-encoding'] !== undefined
        ? limitBody(req, policies.maxBodyBytes)
        : null;
    const xCache = decision === 'off' ? null : decision === 'lookup' ? 'MISS' : 'BYPASS';
    const fill =
      decision === 'lookup' || decision === 'refresh'
        ? new CacheFill({
            cache: this.options.cache,
            scope,
            generation,
            primary,
            requestHeaders: req.headers,
            ttlSeconds: policies.cache.ttlSeconds,
            maxBytes: this.options.maxCachedBodyBytes ?? DEFAULT_MAX_CACHED_BODY,
            perRequestHeaders: Object.keys(ctx.extraHeaders),
            now: this.options.now,
          })
        : null;
    // Wrapping the response costs on every request: only when something has to change its head or copy it.
    const tapped =
      fill !== null ||
      xCache !== null ||
      policies.cors.enabled ||
      !isEmptyTransform(policies.responseHeaders);
    const untap = tapped
      ? tapResponse(res, {
          onHead: (status, passed) => {
            fill?.onHead(status, passed);
            this.finishHead(res, policies, req, null, xCache);
          },
          ...(fill ? { capture: fill.capture } : {}),
        })
      : null;
    let outcome: ForwardOutcome;
    try {
      outcome = await forward(limited ? limited.body : request);
    } finally {
      untap?.();
    }
    if (!outcome.ok && limited?.exceeded()) {
      return this.refuse(res, {
        ...tooLarge(policies),
        upstreamMs: outcome.error.upstreamMs,
        bytesIn: outcome.error.bytesIn,
      });
    }
    return outcome;
  }

  async close(): Promise<void> {
    await this.options.cache.close();
  }

  /** CORS (the gateway's, not the upstream's), response transforms and x-cache on a response head. */
  private finishHead(
    res: ServerResponse,
    policies: ApiPolicies,
    req: IncomingMessage,
    headers: OutgoingHttpHeaders | null,
    xCache: string | null,
  ): void {
    for (const [name, value] of Object.entries(headers ?? {}))
      if (value !== undefined) res.setHeader(name, value);
    const cors = policies.cors.enabled ? corsResponseHeaders(policies.cors, req.headers) : null;
    if (policies.cors.enabled) {
      for (const name of res.getHeaderNames()) if (name.startsWith('access-control-')) res.removeHeader(name);
      for (const [name, value] of Object.entries(cors ?? {})) {
        if (name === 'vary') appendVary(res, value);
        else res.setHeader(name, value);
      }
    }
    applyHeaderTransform(
      {
        get: (name) => res.getHeader(name),
        set: (name, value) => res.setHeader(name, value),
        delete: (name) => res.removeHeader(name),
      },
      policies.responseHeaders,
      'response',
    );
    if (xCache) res.setHeader('x-cache', xCache);
  }

  /** A refusal after admission; its own headers (Connection: close on a 413) are set here. */
  private refuse(
    res: ServerResponse,
    refusal: GatewayProblem & { upstreamMs?: number; bytesIn?: number },
  ): ForwardOutcome {
    for (const [name, value] of Object.entries(refusal.headers ?? {})) res.setHeader(name, value);
    return err({ ...refusal, upstreamMs: refusal.upstreamMs ?? 0, bytesIn: refusal.bytesIn ?? 0 });
  }

  private compile(route: RouteRecord): CompiledRoute {
    const known = this.compiled.get(route);
    if (known) return known;
    const version = createHash('sha256')
      .update(JSON.stringify([route.upstreamUrl, route.upstream, route.policies, route.openapiSpec ?? null]))
      .digest('base64url')
      .slice(0, 22);
    const previous = this.versions.get(route.apiId);
    if (previous !== undefined && previous !== version) {
      void this.options.cache.dropApi(route.apiId);
      this.validators.drop(route.apiId);
    }
    this.versions.set(route.apiId, version);
    const compiled = {
      version,
      allow: compileIpMatcher(route.policies.ipAllow),
      deny: compileIpMatcher(route.policies.ipDeny),
    };
    const invalid = [...compiled.allow.invalid, ...compiled.deny.invalid];
    if (invalid.length > 0 && previous !== version) {
      this.options.log('warn', 'API policies list invalid CIDRs; they match nothing', {
        apiId: route.apiId,
        invalid,
      });
    }
    this.compiled.set(route, compiled);
    return compiled;
  }
}

function appendVary(res: ServerResponse, name: string): void {
  const current = res.getHeader('vary');
  const list = (Array.isArray(current) ? current.join(',') : String(current ?? ''))
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (!list.some((v) => v.toLowerCase() === name.toLowerCase() || v === '*')) list.push(name);
  res.setHeader('vary', list.join(', '));
}
