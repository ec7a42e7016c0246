import {
  type AiGatewayConfig,
  type AiLimits,
  type ModelPrice,
  type PromptConfig,
  parseAiLimits,
  ZAiGatewayConfig,
  ZPromptConfig,
} from '@portcullis/core/ai-config';
import { DEFAULT_PLAN_PRICING, type PlanPricing, ZPlanPricing } from '@portcullis/core/billing/pricing';
import { hourStart } from '@portcullis/core/periods';
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

/** The audit action whose time is an API's deprecation date (DEPRECATE_ACTION in core's lifecycle verb). */
const DEPRECATE_ACTION = 'api.deprecate';

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
  /** epoch ms the API was deprecated (DEPRECATED only): the `Deprecation` header */
  deprecatedAt: number | null;
  /** epoch ms the API stops answering (Api.sunsetAt): the `Sunset` header */
  sunsetAt: number | null;
  /** ai: REST (absent) proxies to upstreams; AI and PROMPT are served by src/ai */
  kind?: 'REST' | 'AI' | 'PROMPT';
  /** ai: parsed Api.ai of an AI or PROMPT API; null when the stored document does not parse (aiInvalid) */
  ai?: AiApiConfig | null;
  aiInvalid?: string | null;
}

// ai: begin
export type AiApiConfig = { kind: 'AI'; gateway: AiGatewayConfig } | { kind: 'PROMPT'; prompt: PromptConfig };

/** A tenant's provider account; the secret stays encrypted until the call that needs it. */
export interface ProviderCredentialRecord {
  id: string;
  orgId: string;
  provider: string;
  baseUrl: string | null;
  apiVersion: string | null;
  headers: Record<string, string>;
  secretEncrypted: string;
}

function parseAiDocument(
  kind: 'REST' | 'AI' | 'PROMPT',
  json: unknown,
): { ai: AiApiConfig | null; aiInvalid: string | null } {
  if (kind === 'REST') return { ai: null, aiInvalid: null };
  const parsed = kind === 'AI' ? ZAiGatewayConfig.safeParse(json ?? {}) : ZPromptConfig.safeParse(json ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ai: null, aiInvalid: `${issue?.path.join('.') || 'ai'}: ${issue?.message ?? 'invalid'}` };
  }
  return {
    ai:
      kind === 'AI'
        ? { kind, gateway: parsed.data as AiGatewayConfig }
        : { kind, prompt: parsed.data as PromptConfig },
    aiInvalid: null,
  };
}

function stringHeaders(json: unknown): Record<string, string> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return {};
  return Object.fromEntries(
    Object.entries(json as Record<string, unknown>).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}
// ai: end

export interface KeyRecord {
  id: string;
  appId: string;
  /** ai: the consumer organisation owning the key's app (org-scoped token limits and budgets) */
  consumerOrgId?: string;
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
  /** "payment_failed" when billing suspended it (answered 402), "manual" or null otherwise */
  suspendedReason: string | null;
  /** Plan.pricing.quotaMode: hard_cap refuses at the quota; bill_overage admits and bills beyond it */
  quotaMode: PlanPricing['quotaMode'];
  /** Plan.pricing.billable: which admitted responses are billed */
  billable: PlanPricing['billable'];
  /** ai: parsed Plan.aiLimits: token limits and USD budgets */
  aiLimits?: AiLimits;
}

/** The gateway's only reads of configuration; everything else goes through the caches. */
export interface ConfigRepository {
  route(orgSlug: string, apiSlug: string): Promise<RouteRecord | null>;
  key(hash: string): Promise<KeyRecord | null>;
  /** Subscriptions of one app to any plan of one API, newest first. */
  subscriptions(appId: string, apiId: string): Promise<SubscriptionRecord[]>;
  /** Admitted requests already in Postgres for the period starting at `since`. */
  periodUsage(subscriptionId: string, since: Date): Promise<number>;
  // ai: begin
  credential(orgId: string, id: string): Promise<ProviderCredentialRecord | null>;
  price(orgId: string, provider: string, model: string): Promise<ModelPrice | null>;
  // ai: end
}

/** A stored pricing the gateway cannot read must not stop traffic: it falls back to the defaults. */
function billingRules(stored: unknown): Pick<PlanPricing, 'quotaMode' | 'billable'> {
  const parsed = ZPlanPricing.safeParse(stored ?? {});
  return parsed.success ? parsed.data : DEFAULT_PLAN_PRICING;
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
          sunsetAt: true,
          updatedAt: true,
          kind: true, // ai
          ai: true, // ai
        },
      });
      if (!api) return null;
      // Only deprecated APIs pay for the second read; the deprecation is the audit row written with it.
      const deprecation =
        api.status === 'DEPRECATED'
          ? await db.auditLog.findFirst({
              where: { orgId: api.orgId, targetType: 'Api', targetId: api.id, action: DEPRECATE_ACTION },
              orderBy: { at: 'desc' },
              select: { at: true },
            })
          : null;
      return {
        apiId: api.id,
        orgId: api.orgId,
        status: api.status,
        upstreamUrl: api.upstreamUrl,
        upstream: parseUpstreamConfig(api.upstream),
        policies: parseApiPolicies(api.policies),
        openapiSpec: api.openapiSpec,
        deprecatedAt: api.status === 'DEPRECATED' ? (deprecation?.at ?? api.updatedAt).getTime() : null,
        sunsetAt: api.sunsetAt?.getTime() ?? null,
        kind: api.kind, // ai
        ...parseAiDocument(api.kind, api.ai), // ai
      };
    },
    async key(hash) {
      const key = await db.apiKey.findUnique({
        where: { hash },
        select: { id: true, appId: true, revokedAt: true, expiresAt: true, app: { select: { orgId: true } } },
      });
      if (!key) return null;
      return {
        id: key.id,
        appId: key.appId,
        consumerOrgId: key.app.orgId, // ai
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
          suspendedReason: true,
          plan: {
            select: {
              rateLimit: true,
              rateLimitWindowSeconds: true,
              monthlyQuota: true,
              limits: true,
              pricing: true,
              aiLimits: true, // ai
            },
          },
        },
      });
      return rows.map((row) => {
        const pricing = billingRules(row.plan.pricing);
        return {
          id: row.id,
          status: row.status,
          planId: row.planId,
          rateLimit: row.plan.rateLimit,
          rateLimitWindowSeconds: row.plan.rateLimitWindowSeconds,
          limits: parsePlanLimits(row.plan.limits),
          monthlyQuota: row.plan.monthlyQuota,
          currentPeriodStart: row.currentPeriodStart.getTime(),
          suspendedReason: row.suspendedReason,
          quotaMode: pricing.quotaMode,
          billable: pricing.billable,
          aiLimits: parseAiLimits(row.plan.aiLimits), // ai
        };
      });
    },
    async periodUsage(subscriptionId, since) {
      const sum = await db.usageRollup.aggregate({
        // Hours starting at or after the hour the period starts in: what invoicing bills for the period.
        where: { subscriptionId, bucketStart: { gte: hourStart(since) } },
        _sum: { requests: true },
      });
      return Number(sum._sum.requests ?? 0n);
    },
    // ai: begin
    async credential(orgId, id) {
      const row = await db.providerCredential.findFirst({
        where: { id, orgId },
        select: {
          id: true,
          orgId: true,
          provider: true,
          baseUrl: true,
          apiVersion: true,
          headers: true,
          secretEncrypted: true,
        },
      });
      return row ? { ...row, headers: stringHeaders(row.headers) } : null;
    },
    async price(orgId, provider, model) {
      const row = await db.aiModelPrice.findUnique({
        where: { orgId_provider_model: { orgId, provider, model } },
        select: { inputPerMillion: true, outputPerMillion: true },
      });
      return row ?? null;
    },
    // ai: end
  };
}
