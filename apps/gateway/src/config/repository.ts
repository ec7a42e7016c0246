import {
  type ApiPolicies,
  type PlanLimits,
  parseApiPolicies,
  parsePlanLimits,
  parseUpstreamConfig,
  type UpstreamConfig,
} from '@portcullis/core/policies';
import type { Db } from '@portcullis/db';
import type { ApiStatus } from '../pipeline/route.ts';

export interface RouteRecord {
  apiId: string;
  orgId: string;
  status: ApiStatus;
  upstreamUrl: string;
  /** parsed Api.upstream: extra targets, versions, timeouts, retries, health, breaker */
  upstream: UpstreamConfig;
  /** parsed Api.policies: IP rules, CORS, size limits, transforms, cache, Redis failure mode */
  policies: ApiPolicies;
  openapiSpec: unknown;
}

export interface KeyRecord {
  id: string;
  appId: string;
  revokedAt: number | null;
  expiresAt: number | null;
}

export type SubscriptionStatus = 'PENDING' | 'ACTIVE' | 'REJECTED' | 'SUSPENDED' | 'CANCELLED';

export interface SubscriptionRecord {
  id: string;
  status: SubscriptionStatus;
  planId: string;
  rateLimit: number | null;
  rateLimitWindowSeconds: number;
  /** parsed Plan.limits: further windows with their scopes */
  limits: PlanLimits;
  monthlyQuota: number | null;
  /** anchor of the billing period (quota resets monthly from this instant's day and time) */
  currentPeriodStart: number;
}

/** The gateway's only reads of configuration; everything else goes through the caches. */
export interface ConfigRepository {
  route(orgSlug: string, apiSlug: string): Promise<RouteRecord | null>;
  key(hash: string): Promise<KeyRecord | null>;
  /** Subscriptions of one app to any plan of one API, newest first. */
  subscriptions(appId: string, apiId: string): Promise<SubscriptionRecord[]>;
  /** Admitted requests already in Postgres for the period starting at `since`. */
  periodUsage(subscriptionId: string, since: Date): Promise<number>;
}

export function prismaConfigRepository(db: Db): ConfigRepository {
  return {
    async route(orgSlug, apiSlug) {
      const api = await db.api.findFirst({
        where: { slug: apiSlug, org: { slug: orgSlug } },
        select: {
          id: true,
          orgId: true,
          status: true,
          upstreamUrl: true,
          upstream: true,
          policies: true,
          openapiSpec: true,
        },
      });
      return api
        ? {
            apiId: api.id,
            orgId: api.orgId,
            status: api.status,
            upstreamUrl: api.upstreamUrl,
            upstream: parseUpstreamConfig(api.upstream),
            policies: parseApiPolicies(api.policies),
            openapiSpec: api.openapiSpec,
          }
        : null;
    },
    async key(hash) {
      const key = await db.apiKey.findUnique({
        where: { hash },
        select: { id: true, appId: true, revokedAt: true, expiresAt: true },
      });
      if (!key) return null;
      return {
        id: key.id,
        appId: key.appId,
        revokedAt: key.revokedAt?.getTime() ?? null,
        expiresAt: key.expiresAt?.getTime() ?? null,
      };
    },
    async subscriptions(appId, apiId) {
      const rows = await db.subscription.findMany({
        where: { appId, plan: { apiId } },
        orderBy: { createdAt: 'desc' },
        select: {
          id: true,
          status: true,
          planId: true,
          currentPeriodStart: true,
          plan: {
            select: { rateLimit: true, rateLimitWindowSeconds: true, monthlyQuota: true, limits: true },
          },
        },
      });
      return rows.map((row) => ({
        id: row.id,
        status: row.status,
        planId: row.planId,
        rateLimit: row.plan.rateLimit,
        rateLimitWindowSeconds: row.plan.rateLimitWindowSeconds,
        limits: parsePlanLimits(row.plan.limits),
        monthlyQuota: row.plan.monthlyQuota,
        currentPeriodStart: row.currentPeriodStart.getTime(),
      }));
    },
    async periodUsage(subscriptionId, since) {
      const sum = await db.usageRollup.aggregate({
        where: { subscriptionId, bucketStart: { gte: since } },
        _sum: { requests: true },
      });
      return Number(sum._sum.requests ?? 0n);
    },
  };
}
