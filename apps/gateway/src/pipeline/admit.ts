import type { IncomingHttpHeaders } from 'node:http';
import type { ConfigCache } from '../config/config-cache.ts';
import type { KeyRecord, RouteRecord, SubscriptionRecord } from '../config/repository.ts';
import { type GatewayProblem, problem } from '../http/problem.ts';
import { limitRequestFor } from '../limits/plan.ts';
import type { LimitDecision, LimitStore } from '../limits/types.ts';
import { err, ok, type Result } from '../result.ts';
import { verifyKey } from './key.ts';
import { limitHeaders } from './limit-headers.ts';
import { checkRoutable, type ParsedPath } from './route.ts';
import { checkSubscription } from './subscription.ts';

export interface AdmitDeps {
  cache: ConfigCache;
  limits: LimitStore;
  now: () => number;
  onInfraError: (what: 'config' | 'limits', error: unknown) => void;
}

export interface Admission {
  route: RouteRecord;
  key: KeyRecord;
  subscription: SubscriptionRecord;
  /** RateLimit / quota headers for the response. */
  headers: Record<string, string>;
}

/** A refusal, with whatever context was established before it (for the request log). */
export interface Rejection {
  problem: GatewayProblem;
  route?: RouteRecord;
  key?: KeyRecord;
  subscription?: SubscriptionRecord;
}

/**
 * The fixed chain: route → key → subscription → rate limit + quota. The first refusal wins. A key never
 * seen that Postgres cannot load within the request's config wait is refused 503 config_unavailable.
 */
export async function admit(
  deps: AdmitDeps,
  path: ParsedPath,
  headers: IncomingHttpHeaders,
  /** The peer address, for ip-scoped windows (the socket's, never a client-supplied header). */
  client: { ip?: string | undefined } = {},
  /** this request's view of the config cache (ConfigCache.forRequest), shared with earlier steps */
  config: ConfigCache = deps.cache.forRequest(),
): Promise<Result<Admission, Rejection>> {
  const nowMs = deps.now();
  try {
    const routed = checkRoutable(await config.route(path.orgSlug, path.apiSlug));
    if (!routed.ok) {
      return err({
        problem:
          routed.error.code === 'api_retired'
            ? problem('api_retired', `The API ${path.orgSlug}/${path.apiSlug} has been retired.`)
            : problem('route_not_found', `No API is published at /${path.orgSlug}/${path.apiSlug}.`),
      });
    }
    const route = routed.value;

    const key = await verifyKey(config, headers, nowMs);
    if (!key.ok) return err({ problem: key.error, route });

    const subscription = checkSubscription(await config.subscriptions(key.value.appId, route.apiId));
    if (!subscription.ok) return err({ problem: subscription.error, route, key: key.value });
    const sub = subscription.value;

    const context = { route, key: key.value, subscription: sub };
    // MCP APIs: only tools/call messages are charged to rate limits and quota (mcp-proxy charges them
    // with chargeLimits once the body says what the message is); why: mcp-proxy/serve.ts.
    if (route.kind === 'MCP') return ok({ ...context, headers: {} });
    const charged = await chargeLimits(deps, context, client, config, nowMs);
    if (!charged.ok) return err({ problem: charged.error, ...context });
    return ok({ ...context, headers: charged.value });
  } catch (error) {
    deps.onInfraError('config', error); // chargeLimits reports its own failures
    return err({ problem: configUnavailable() });
  }
}

/**
 * Rate limits + quota for one admitted call, in one store round trip: the RateLimit headers, or the
 * refusal (429 / quota / limiter_unavailable). A store failure is reported through onInfraError.
 */
export async function chargeLimits(
  deps: AdmitDeps,
  admitted: Pick<Admission, 'route' | 'key' | 'subscription'>,
  client: { ip?: string | undefined },
  config: ConfigCache,
  nowMs: number = deps.now(),
): Promise<Result<Record<string, string>, GatewayProblem>> {
  const { route, key, subscription: sub } = admitted;
  let stage: 'config' | 'limits' = 'config';
  try {
    const request = await limitRequestFor(sub, nowMs, {
      keyId: key.id,
      appId: key.appId,
      ip: client.ip,
      failureMode: route.policies.redisFailureMode,
      accuracy: route.rateLimitAccuracy,
      quotaBase: (startMs) => config.quotaBase(sub.id, String(startMs), new Date(startMs)),
    });
    stage = 'limits';
    const decision = await deps.limits.consume(request);
    const headers = limitHeaders(decision);
    const refusal = refusalOf(decision, headers, nowMs);
    return refusal ? err(refusal) : ok(headers);
  } catch (error) {
    deps.onInfraError(stage, error);
    return err(stage === 'limits' ? limiterUnavailable() : configUnavailable());
  }
}

const limiterUnavailable = () =>
  problem('limiter_unavailable', 'Rate limits cannot be checked right now; retry shortly.', {
    'retry-after': '1',
  });
const configUnavailable = () =>
  problem('config_unavailable', 'Configuration cannot be loaded right now; retry shortly.', {
    'retry-after': '1',
  });

function refusalOf(
  decision: LimitDecision,
  headers: Record<string, string>,
  nowMs: number,
): GatewayProblem | null {
  switch (decision.outcome) {
    case 'allowed':
      return null;
    case 'rate_limited': {
      const windows = decision.windows
        .filter((w) => w.retryAfterMs > 0)
        .map(
          (w) =>
            `${w.limit} requests per ${w.windowSeconds}s${w.scope === 'subscription' ? '' : ` per ${w.scope}`}`,
        );
      return problem('rate_limited', `Rate limit reached: ${windows.join(', ') || 'window full'}.`, headers);
    }
    case 'quota_exceeded': {
      const resetAt = new Date(nowMs + (decision.quota?.resetMs ?? 0)).toISOString();
      return problem(
        'quota_exceeded',
        `Quota of ${decision.quota?.limit} requests for this billing period used up; it resets at ${resetAt}.`,
        headers,
      );
    }
    case 'limiter_unavailable':
      return limiterUnavailable();
  }
}
