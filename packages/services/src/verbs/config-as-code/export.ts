import { parseAiLimits, ZAiGatewayConfig, ZPromptConfig } from '@portcullis/core/ai-config';
import { pricingFromLegacyPlan, ZPlanPricing } from '@portcullis/core/billing/pricing';
import { conflict, notFound } from '@portcullis/core/errors';
import { parseApiMcpConfig } from '@portcullis/core/mcp/config';
import { parseApiPolicies, parsePlanLimits, parseUpstreamConfig } from '@portcullis/core/policies';
import { parsePromptRelease } from '@portcullis/core/prompt-release';
import type { ApiStatus, Db, Tx } from '@portcullis/db';
import type { OrgCtx } from '../context.ts';
import { aiToDocument } from './credentials.ts';
import { type ConfigDocument, ZConfigDocument } from './schema.ts';
import { promptDocument } from './steps-prompt.ts';

/** What the planner needs beside the document: the ids behind its names. */
export interface ConfigState {
  document: ConfigDocument;
  apis: Map<string, { id: string; status: ApiStatus; plans: Map<string, { id: string }> }>;
  /** ProviderCredential name → id */
  credentials: Map<string, string>;
  /** `provider/model` → AiModelPrice id */
  prices: Map<string, string>;
}

const priceKey = (p: { provider: string; model: string }) => `${p.provider}/${p.model}`;

/** The stored pricing as billing reads it (a legacy monthly price on a default document included). */
function planPricing(plan: { pricing: unknown; priceMonthlyMinor: number; currency: string }) {
  const stored = plan.pricing as Record<string, unknown> | null;
  const isColumnDefault = stored !== null && Object.keys(stored).length === 1 && stored.model === 'free';
  if (isColumnDefault && plan.priceMonthlyMinor > 0) return pricingFromLegacyPlan(plan);
  const parsed = ZPlanPricing.safeParse(stored ?? {});
  return parsed.success ? parsed.data : stored;
}

function aiDocument(kind: string, ai: unknown, nameOf: Map<string, string>) {
  if (kind !== 'AI' && kind !== 'PROMPT') return null;
  const parsed = (kind === 'AI' ? ZAiGatewayConfig : ZPromptConfig).safeParse(ai ?? {});
  // A prompt API whose prompt was never saved has none to export.
  if (!parsed.success) return kind === 'AI' ? aiToDocument(ZAiGatewayConfig.parse({}), nameOf) : null;
  return aiToDocument(parsed.data as Record<string, unknown>, nameOf);
}

/** Reads the org's configuration: every API (oldest first, so a re-apply creates them in order). */
export async function loadConfigState(db: Db | Tx, orgId: string): Promise<ConfigState> {
  const org = await db.organization.findUnique({
    where: { id: orgId },
    select: { allowAnonymousBrowse: true },
  });
  if (!org) throw notFound('Organization');
  const [apis, credentials, prices] = await Promise.all([
    db.api.findMany({
      where: { orgId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      include: {
        plans: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] },
        promptVersions: { orderBy: { number: 'asc' }, select: { number: true, note: true, config: true } },
      },
    }),
    db.providerCredential.findMany({ where: { orgId }, select: { id: true, name: true } }),
    db.aiModelPrice.findMany({
      where: { orgId },
      orderBy: [{ provider: 'asc' }, { model: 'asc' }],
      select: {
        id: true,
        provider: true,
        model: true,
        inputPerMillion: true,
        outputPerMillion: true,
        perImage: true,
        perAudioSecond: true,
        perCall: true,
        contextWindow: true,
        maxOutputTokens: true,
        inputModalities: true,
        outputModalities: true,
      },
    }),
  ]);
  const nameOf = new Map(credentials.map((c) => [c.id, c.name]));
  const state: ConfigState = {
    document: { version: 1, org: { allowAnonymousBrowse: false }, aiModelPrices: [], apis: [] },
    apis: new Map(),
    credentials: new Map(credentials.map((c) => [c.name, c.id])),
    prices: new Map(prices.map((p) => [priceKey(p), p.id])),
  };
  const raw = {
    version: 1,
    org: { allowAnonymousBrowse: org.allowAnonymousBrowse },
    aiModelPrices: prices.map(({ id: _id, ...price }) => price),
    apis: apis.map((api) => {
      const plans = new Map<string, { id: string }>();
      for (const plan of api.plans) {
        // Plans are addressed by name within their API: two plans of one name cannot be told apart.
        if (plans.has(plan.name)) {
          throw conflict(
            `API "${api.slug}" has two plans named "${plan.name}": rename one before using config as code`,
          );
        }
        plans.set(plan.name, { id: plan.id });
      }
      state.apis.set(api.slug, { id: api.id, status: api.status, plans });
      return {
        slug: api.slug,
        name: api.name,
        description: api.description,
        version: api.version,
        visibility: api.visibility,
        status: api.status,
        sunsetAt: api.status === 'DEPRECATED' ? (api.sunsetAt?.toISOString() ?? null) : null,
        kind: api.kind,
        upstreamUrl: api.upstreamUrl,
        upstream: parseUpstreamConfig(api.upstream),
        policies: parseApiPolicies(api.policies),
        openapi: api.kind === 'PROMPT' ? null : api.openapiSpec,
        tags: api.tags,
        rateLimitAccuracy: api.rateLimitAccuracy,
        ai: aiDocument(api.kind, api.ai, nameOf),
        promptVersions:
          api.kind === 'PROMPT'
            ? api.promptVersions.map((v) => ({
                number: v.number,
                note: v.note,
                config: promptDocument(v.config, nameOf),
              }))
            : [],
        promptRelease: api.kind === 'PROMPT' ? parsePromptRelease(api.promptRelease) : null,
        mcp: parseApiMcpConfig(api.mcp),
        plans: api.plans.map((plan) => ({
          name: plan.name,
          description: plan.description,
          rateLimit: plan.rateLimit,
          rateLimitWindowSeconds: plan.rateLimitWindowSeconds,
          monthlyQuota: plan.monthlyQuota,
          limits: parsePlanLimits(plan.limits),
          requiresApproval: plan.requiresApproval,
          pricing: planPricing(plan),
          aiLimits: parseAiLimits(plan.aiLimits),
          archived: plan.archivedAt !== null,
        })),
      };
    }),
  };
  // Parsed like an incoming document, so an export compares equal to itself when applied.
  const parsed = ZConfigDocument.safeParse(raw);
  state.document = parsed.success ? parsed.data : (raw as unknown as ConfigDocument);
  return state;
}

/** The org's configuration as a config-as-code document (no secrets: credentials by name). */
export async function exportConfig(ctx: OrgCtx): Promise<ConfigDocument> {
  return (await loadConfigState(ctx.db, ctx.org.id)).document;
}
