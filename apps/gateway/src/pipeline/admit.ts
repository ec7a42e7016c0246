import type { IncomingHttpHeaders } from 'node:http';
import { monthStart, nextMonthStart, periodKey } from '@portcullis/core/periods';
import type { ConfigCache } from '../config/config-cache.ts';
import type { KeyRecord, RouteRecord, SubscriptionRecord } from '../config/repository.ts';
import { type GatewayProblem, problem } from '../http/problem.ts';
import type { LimitRequest, LimitStore } from '../limits/types.ts';
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

/** The fixed chain: route → key → subscription → rate limit + quota. The first refusal wins. */
export async function admit(
  deps: AdmitDeps,
  path: ParsedPath,
  headers: IncomingHttpHeaders,
): Promise<Result<Admission, Rejection>> {
  const nowMs = deps.now();
  let stage: 'config' | 'limits' = 'config';
  try {
    const routed = checkRoutable(await deps.cache.route(path.orgSlug, path.apiSlug));
    if (!routed.ok) {
      return err({
        problem:
          routed.error.code === 'api_retired'
            ? problem('api_retired', `The API ${path.orgSlug}/${path.apiSlug} has been retired.`)
            : problem('route_not_found', `No API is published at /${path.orgSlug}/${path.apiSlug}.`),
      });
    }
    const route = routed.value;

    const key = await verifyKey(deps.cache, headers, nowMs);
    if (!key.ok) return err({ problem: key.error, route });

    const subscription = checkSubscription(await deps.cache.subscriptions(key.value.appId, route.apiId));
    if (!subscription.ok) return err({ problem: subscription.error, route, key: key.value });
    const sub = subscription.value;

    const request = await limitRequest(deps.cache, sub, nowMs);
    stage = 'limits';
    const decision = await deps.limits.consume(request);
    const limitResponseHeaders = limitHeaders(decision, sub.rateLimitWindowSeconds);
    const context = { route, key: key.value, subscription: sub };
    if (decision.outcome === 'rate_limited') {
      const detail = `Rate limit of ${sub.rateLimit} requests per ${sub.rateLimitWindowSeconds}s reached.`;
      return err({ problem: problem('rate_limited', detail, limitResponseHeaders), ...context });
    }
    if (decision.outcome === 'quota_exceeded') {
      const detail = `Monthly quota of ${sub.monthlyQuota} requests used up; it resets at the start of next month (UTC).`;
      return err({ problem: problem('quota_exceeded', detail, limitResponseHeaders), ...context });
    }
    return ok({ ...context, headers: limitResponseHeaders });
  } catch (error) {
    deps.onInfraError(stage, error);
    return err({
      problem:
        stage === 'limits'
          ? problem('limiter_unavailable', 'Rate limits cannot be checked right now; retry shortly.', {
              'retry-after': '1',
            })
          : problem('config_unavailable', 'Configuration cannot be loaded right now; retry shortly.', {
              'retry-after': '1',
            }),
    });
  }
}

async function limitRequest(
  cache: ConfigCache,
  sub: SubscriptionRecord,
  nowMs: number,
): Promise<LimitRequest> {
  const now = new Date(nowMs);
  let quota: LimitRequest['quota'] = null;
  if (sub.monthlyQuota !== null) {
    const period = periodKey(now);
    quota = {
      limit: sub.monthlyQuota,
      period,
      resetAtMs: nextMonthStart(now).getTime(),
      base: await cache.quotaBase(sub.id, period, monthStart(now)),
    };
  }
  return {
    subscriptionId: sub.id,
    nowMs,
    rate: sub.rateLimit === null ? null : { limit: sub.rateLimit, windowSeconds: sub.rateLimitWindowSeconds },
    quota,
  };
}
