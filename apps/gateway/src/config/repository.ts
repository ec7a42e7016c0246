import {
  type AiGatewayConfig,
  type AiLimits,
  type ModelPrice,
  parseAiLimits,
  ZAiGatewayConfig,
} from '@portcullis/core/ai-config';
import { DEFAULT_PLAN_PRICING, type PlanPricing, ZPlanPricing } from '@portcullis/core/billing/pricing';
import { type ApiMcpConfig, parseApiMcpConfig } from '@portcullis/core/mcp/config';
import { hourStart } from '@portcullis/core/periods';
import {
  type ApiPolicies,
  type PlanLimits,
  parseApiPolicies,
  parsePlanLimits,
  parseUpstreamConfig,
  type UpstreamConfig,
} from '@portcullis/core/policies';
import type { SqlRunner } from '@portcullis/db/pg';
import type { z } from 'zod';
import type { RateLimitAccuracy } from '../limits/types.ts';
import { type PromptApiConfig, parsePromptApi } from './prompt-versions.ts';

/** The audit action whose time is an API's deprecation date (DEPRECATE_ACTION in core's lifecycle verb). */
const DEPRECATE_ACTION = 'api.deprecate';

/** An API's lifecycle: only PUBLISHED and DEPRECATED APIs take traffic. */
export type ApiStatus = 'DRAFT' | 'PUBLISHED' | 'DEPRECATED' | 'RETIRED';

export interface RouteRecord {
  apiId: string;
  orgId: string;
  status: ApiStatus;
  upstreamUrl: string;
  /** parsed Api.upstream: extra targets, versions, timeouts, retries, health, breaker */
  upstream: UpstreamConfig;
  /** parsed Api.policies: IP rules, CORS, size limits, transforms, cache, Redis failure mode */
  policies: ApiPolicies;
  /**
   * The OpenAPI document, only when the API validates requests against it (policies.validateRequests)
   * or serves its operations as MCP tools (mcp.enabled): route entries do not carry documents nobody reads.
   */
  openapiSpec: unknown;
  /**
   * mcp: parsed Api.mcp (off when absent or unreadable): REST APIs with `enabled` serve
   * `/{org}/{api}/mcp`; for MCP APIs, the allow-list of the upstream server's tools (src/mcp-proxy)
   */
  mcp?: ApiMcpConfig;
  /** mcp: the API's name and description (only while MCP is on): what an AI or prompt API's tool says */
  mcpText?: { name: string; description: string };
  /** epoch ms the API was deprecated (DEPRECATED only): the `Deprecation` header */
  deprecatedAt: number | null;
  /** epoch ms the API stops answering (Api.sunsetAt): the `Sunset` header */
  sunsetAt: number | null;
  /** ai: REST (absent) proxies to upstreams; AI and PROMPT are served by src/ai; MCP by src/mcp-proxy */
  kind?: 'REST' | 'AI' | 'PROMPT' | 'MCP';
  /**
   * ai: parsed Api.ai of an AI or PROMPT API (with a PROMPT API's released versions); null when the
   * stored document does not parse (aiInvalid)
   */
  ai?: AiApiConfig | null;
  aiInvalid?: string | null;
  /** Api.rateLimitAccuracy (absent = EXACT): LOCAL_FIRST decides limits from leased shares */
  rateLimitAccuracy?: RateLimitAccuracy;
}

type AiApiConfig = { kind: 'AI'; gateway: AiGatewayConfig } | PromptApiConfig;

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

function parseAiDocument(row: RouteRow): { ai: AiApiConfig | null; aiInvalid: string | null } {
  if (row.kind === 'REST' || row.kind === 'MCP') return { ai: null, aiInvalid: null };
  if (row.kind === 'PROMPT') return parsePromptApi(row.ai, row.promptRelease, row.promptVersions);
  const parsed = ZAiGatewayConfig.safeParse(row.ai ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ai: null, aiInvalid: `${issue?.path.join('.') || 'ai'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ai: { kind: 'AI', gateway: parsed.data }, aiInvalid: null };
}

function stringHeaders(json: unknown): Record<string, string> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return {};
  return Object.fromEntries(
    Object.entries(json as Record<string, unknown>).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}

/** mcp: an API an app is actively subscribed to, by the slugs its routes are cached under. */
export interface ActiveApiRecord {
  apiId: string;
  orgSlug: string;
  apiSlug: string;
  subscriptionId: string;
}

export interface KeyRecord {
  id: string;
  appId: string;
  /** ai: the consumer organisation owning the key's app (org-scoped token limits and budgets) */
  consumerOrgId?: string;
  revokedAt: number | null;
  expiresAt: number | null;
}

type SubscriptionStatus = 'PENDING' | 'ACTIVE' | 'REJECTED' | 'SUSPENDED' | 'CANCELLED';

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
  /** mcp: the APIs one app has an ACTIVE subscription to (for its `/mcp` tool list) */
  activeApis(appId: string): Promise<ActiveApiRecord[]>;
  key(hash: string): Promise<KeyRecord | null>;
  /** Subscriptions of one app to any plan of one API, newest first. */
  subscriptions(appId: string, apiId: string): Promise<SubscriptionRecord[]>;
  /** Admitted requests already in Postgres for the period starting at `since`. */
  periodUsage(subscriptionId: string, since: Date): Promise<number>;
  credential(orgId: string, id: string): Promise<ProviderCredentialRecord | null>;
  price(orgId: string, provider: string, model: string): Promise<ModelPrice | null>;
}

/** A stored pricing the gateway cannot read must not stop traffic: it falls back to the defaults. */
function billingRules(stored: unknown): Pick<PlanPricing, 'quotaMode' | 'billable'> {
  const parsed = ZPlanPricing.safeParse(stored ?? {});
  return parsed.success ? parsed.data : DEFAULT_PLAN_PRICING;
}

/**
 * A platform setting (PLATFORM_SETTINGS in core): its stored value when it parses, else undefined (a
 * missing or malformed value means "use the default").
 */
export async function platformSetting<T>(
  sql: SqlRunner,
  setting: { key: string; schema: z.ZodType<T> },
): Promise<T | undefined> {
  const [row] = await sql.rows<{ value: unknown }>('SELECT value FROM "PlatformSetting" WHERE key = $1', [
    setting.key,
  ]);
  const parsed = setting.schema.safeParse(row?.value);
  return parsed.success ? parsed.data : undefined;
}

/** The SSRF allow-list (UpstreamAllowedHost): hosts for every tenant, and each org's own. */
export interface AllowedHostsSnapshot {
  allTenants: string[];
  /** org id → hosts allow-listed for that org (all-tenant hosts not repeated) */
  byOrg: Map<string, string[]>;
}

const ALLOWED_HOSTS_SQL = `
  SELECT h.host, h."allTenants", coalesce(array_agg(o."orgId") FILTER (WHERE o."orgId" IS NOT NULL), '{}') AS "orgIds"
  FROM "UpstreamAllowedHost" h LEFT JOIN "UpstreamAllowedHostOrg" o ON o."hostId" = h.id
  GROUP BY h.id`;

/** Reads the whole allow-list (at most a few hundred rows) in one statement. */
export async function allowedHostsSnapshot(sql: SqlRunner): Promise<AllowedHostsSnapshot> {
  const rows = await sql.rows<{ host: string; allTenants: boolean; orgIds: string[] }>(ALLOWED_HOSTS_SQL);
  const snapshot: AllowedHostsSnapshot = { allTenants: [], byOrg: new Map() };
  for (const row of rows) {
    const host = row.host.trim().toLowerCase();
    if (row.allTenants) snapshot.allTenants.push(host);
    for (const orgId of row.orgIds) {
      const hosts = snapshot.byOrg.get(orgId);
      if (hosts) hosts.push(host);
      else snapshot.byOrg.set(orgId, [host]);
    }
  }
  return snapshot;
}

/** epoch ms of a timestamp(3) column (stored as UTC wall time, as Prisma writes it), or null */
const epochMs = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;

const ROUTE_SQL = `
  SELECT a.id, a."orgId", a.status::text AS status, a."upstreamUrl", a.upstream, a.policies,
    CASE WHEN a.policies->'validateRequests' = 'true'::jsonb OR a.mcp->'enabled' = 'true'::jsonb
      THEN a."openapiSpec" END AS "openapiSpec", a.mcp,
    CASE WHEN a.mcp->'enabled' = 'true'::jsonb THEN json_build_object('name', a.name, 'description', a.description)
      END AS "mcpText",
    ${epochMs('a."sunsetAt"')} AS "sunsetAt", a.kind::text AS kind, a.ai,
    a."rateLimitAccuracy"::text AS "rateLimitAccuracy", a."promptRelease",
    CASE WHEN a.kind = 'PROMPT' AND a."promptRelease" IS NOT NULL THEN (
      SELECT coalesce(json_agg(json_build_object('number', v.number, 'config', v.config)), '[]'::json)
      FROM "PromptVersion" v WHERE v."apiId" = a.id
        AND v.number::text IN (a."promptRelease"->>'versionA', a."promptRelease"->>'versionB')
    ) END AS "promptVersions",
    CASE WHEN a.status = 'DEPRECATED' THEN coalesce(
      (SELECT ${epochMs('l.at')} FROM "AuditLog" l
        WHERE l."orgId" = a."orgId" AND l."targetType" = 'Api' AND l."targetId" = a.id AND l.action = $3
        ORDER BY l.at DESC LIMIT 1),
      ${epochMs('a."updatedAt"')}) END AS "deprecatedAt"
  FROM "Api" a JOIN "Organization" o ON o.id = a."orgId"
  WHERE o.slug = $1 AND a.slug = $2`;

// mcp: ACTIVE subscriptions only, one row per API (an app may hold two plans of one API during a change)
const ACTIVE_APIS_SQL = `
  SELECT DISTINCT ON (a.id) a.id AS "apiId", o.slug AS "orgSlug", a.slug AS "apiSlug", s.id AS "subscriptionId"
  FROM "Subscription" s JOIN "Plan" p ON p.id = s."planId" JOIN "Api" a ON a.id = p."apiId"
    JOIN "Organization" o ON o.id = a."orgId"
  WHERE s."appId" = $1 AND s.status = 'ACTIVE'
  ORDER BY a.id, s."createdAt" DESC`;

const KEY_SQL = `
  SELECT k.id, k."appId", app."orgId" AS "consumerOrgId",
    ${epochMs('k."revokedAt"')} AS "revokedAt", ${epochMs('k."expiresAt"')} AS "expiresAt"
  FROM "ApiKey" k JOIN "App" app ON app.id = k."appId"
  WHERE k.hash = $1`;

const SUBSCRIPTIONS_SQL = `
  SELECT s.id, s.status::text AS status, s."planId", ${epochMs('s."currentPeriodStart"')} AS "currentPeriodStart",
    s."suspendedReason", p."rateLimit", p."rateLimitWindowSeconds", p."monthlyQuota", p.limits, p.pricing,
    p."aiLimits"
  FROM "Subscription" s JOIN "Plan" p ON p.id = s."planId"
  WHERE s."appId" = $1 AND p."apiId" = $2
  ORDER BY s."createdAt" DESC`;

// Hours starting at or after the hour the period starts in: what invoicing bills for the period.
const PERIOD_USAGE_SQL = `
  SELECT coalesce(sum(requests), 0)::text AS requests FROM "UsageRollup"
  WHERE "subscriptionId" = $1 AND "bucketStart" >= $2::timestamp(3)`;

const CREDENTIAL_SQL = `
  SELECT id, "orgId", provider, "baseUrl", "apiVersion", headers, "secretEncrypted"
  FROM "ProviderCredential" WHERE id = $1 AND "orgId" = $2`;

const PRICE_SQL = `
  SELECT "inputPerMillion", "outputPerMillion", "perImage", "perAudioSecond", "perCall", "contextWindow",
    "maxOutputTokens", "inputModalities", "outputModalities"
  FROM "AiModelPrice"
  WHERE "orgId" = $1 AND provider = $2 AND model = $3`;

type PriceRow = Omit<ModelPrice, 'maxOutputTokens'> & { maxOutputTokens: number | null };

interface RouteRow {
  id: string;
  orgId: string;
  status: ApiStatus;
  upstreamUrl: string;
  upstream: unknown;
  policies: unknown;
  openapiSpec: unknown;
  sunsetAt: number | null;
  kind: 'REST' | 'AI' | 'PROMPT' | 'MCP';
  ai: unknown;
  /** Api.promptRelease and the released PromptVersion rows ([{ number, config }]) of a PROMPT API */
  promptRelease: unknown;
  promptVersions: unknown;
  mcp: unknown;
  mcpText: { name: string; description: string } | null;
  deprecatedAt: number | null;
  rateLimitAccuracy: RateLimitAccuracy;
}

interface SubscriptionRow {
  id: string;
  status: SubscriptionStatus;
  planId: string;
  currentPeriodStart: number;
  suspendedReason: string | null;
  rateLimit: number | null;
  rateLimitWindowSeconds: number;
  monthlyQuota: number | null;
  limits: unknown;
  pricing: unknown;
  aiLimits: unknown;
}

/**
 * The config reads as plain SQL over node-postgres (see `createPgPool`): one statement each, JSON columns
 * parsed by the driver, timestamps as epoch ms — no ORM planning on the gateway's event loop.
 */
export function sqlConfigRepository(sql: SqlRunner): ConfigRepository {
  return {
    async route(orgSlug, apiSlug) {
      const [api] = await sql.rows<RouteRow>(ROUTE_SQL, [orgSlug, apiSlug, DEPRECATE_ACTION]);
      if (!api) return null;
      return {
        apiId: api.id,
        orgId: api.orgId,
        status: api.status,
        upstreamUrl: api.upstreamUrl,
        upstream: parseUpstreamConfig(api.upstream),
        policies: parseApiPolicies(api.policies),
        openapiSpec: api.openapiSpec,
        deprecatedAt: api.deprecatedAt,
        sunsetAt: api.sunsetAt,
        rateLimitAccuracy: api.rateLimitAccuracy,
        kind: api.kind, // ai
        ...parseAiDocument(api), // ai
        mcp: parseApiMcpConfig(api.mcp),
        ...(api.mcpText ? { mcpText: api.mcpText } : {}),
      };
    },
    async activeApis(appId) {
      return sql.rows<ActiveApiRecord>(ACTIVE_APIS_SQL, [appId]);
    },
    async key(hash) {
      const [key] = await sql.rows<Required<KeyRecord>>(KEY_SQL, [hash]);
      return key ?? null;
    },
    async subscriptions(appId, apiId) {
      const rows = await sql.rows<SubscriptionRow>(SUBSCRIPTIONS_SQL, [appId, apiId]);
      return rows.map((row) => {
        const pricing = billingRules(row.pricing);
        return {
          id: row.id,
          status: row.status,
          planId: row.planId,
          rateLimit: row.rateLimit,
          rateLimitWindowSeconds: row.rateLimitWindowSeconds,
          limits: parsePlanLimits(row.limits),
          monthlyQuota: row.monthlyQuota,
          currentPeriodStart: row.currentPeriodStart,
          suspendedReason: row.suspendedReason,
          quotaMode: pricing.quotaMode,
          billable: pricing.billable,
          aiLimits: parseAiLimits(row.aiLimits), // ai
        };
      });
    },
    async periodUsage(subscriptionId, since) {
      const [row] = await sql.rows<{ requests: string }>(PERIOD_USAGE_SQL, [
        subscriptionId,
        hourStart(since).toISOString(),
      ]);
      return Number(row?.requests ?? 0);
    },
    async credential(orgId, id) {
      const [row] = await sql.rows<ProviderCredentialRecord>(CREDENTIAL_SQL, [id, orgId]);
      return row ? { ...row, headers: stringHeaders(row.headers) } : null;
    },
    async price(orgId, provider, model) {
      const [row] = await sql.rows<PriceRow>(PRICE_SQL, [orgId, provider, model]);
      if (!row) return null;
      const { maxOutputTokens, ...price } = row;
      return maxOutputTokens === null ? price : { ...price, maxOutputTokens };
    },
  };
}
