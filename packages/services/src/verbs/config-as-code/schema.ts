import { ZAiLimits } from '@portcullis/core/ai-config';
import { ZDecimalString, ZPlanPricing } from '@portcullis/core/billing/pricing';
import { ZApiMcpConfig } from '@portcullis/core/mcp/config';
import { ZApiPolicies, ZPlanLimits, ZUpstreamConfig } from '@portcullis/core/policies';
import { ZPromptRelease, ZPromptVersionNumber } from '@portcullis/core/prompt-release';
import { z } from 'zod';
import { ZAiPriceExtras } from '../ai-prices.ts';
import { ZApiVersionString } from '../changelog.ts';

/**
 * The config-as-code document (`portcullis.yaml`): an org's APIs, their plans and the org settings that
 * are configuration. It is declarative: a field left out means its default, so the document parsed here
 * is exactly what `exportConfig` writes, and comparing the two is the plan.
 *
 * Secrets never appear: AI route targets name a provider credential by its name (`credential`), which
 * must already exist in the target org.
 */

const ZName = z.string().trim().min(1, 'Name is required').max(100, 'At most 100 characters');
const ZSlug = z
  .string()
  .trim()
  .toLowerCase()
  .min(2, 'Slug must be at least 2 characters')
  .max(40, 'Slug must be at most 40 characters')
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'Use lowercase letters, digits and dashes (not at the ends)');
const ZLimit = z.number().int('Must be a whole number').positive('Must be greater than 0').max(1_000_000_000);

export const ZConfigPlan = z.object({
  /** the plan's key within its API */
  name: ZName,
  description: z.string().trim().max(2000, 'At most 2000 characters').default(''),
  /** requests per `rateLimitWindowSeconds`; null = unlimited */
  rateLimit: ZLimit.nullable().default(null),
  rateLimitWindowSeconds: z.number().int('Must be a whole number').min(1).max(86_400).default(60),
  /** requests per calendar month; null = unlimited */
  monthlyQuota: ZLimit.nullable().default(null),
  /** further rate-limit windows with their scope */
  limits: ZPlanLimits,
  requiresApproval: z.boolean().default(true),
  pricing: ZPlanPricing.prefault({}),
  aiLimits: ZAiLimits.prefault([]),
  archived: z.boolean().default(false),
});
export type ConfigPlan = z.output<typeof ZConfigPlan>;

/** AI / PROMPT documents with credentials by name; the verbs validate the rest when they are applied. */
const ZConfigAi = z.record(z.string(), z.unknown());

/** A published prompt version: immutable, so applying creates missing ones and checks existing ones. */
const ZConfigPromptVersion = z.object({
  number: ZPromptVersionNumber,
  note: z.string().trim().max(500, 'At most 500 characters').default(''),
  /** the prompt as published, credentials by name like `ai` */
  config: ZConfigAi,
});
export type ConfigPromptVersion = z.output<typeof ZConfigPromptVersion>;

const ZConfigApi = z
  .object({
    slug: ZSlug,
    name: ZName,
    description: z.string().trim().max(2000, 'At most 2000 characters').default(''),
    version: ZApiVersionString.default('v1'),
    visibility: z.enum(['PRIVATE', 'ORG', 'PUBLIC']).default('PUBLIC'),
    status: z.enum(['DRAFT', 'PUBLISHED', 'DEPRECATED', 'RETIRED']).default('DRAFT'),
    /** DEPRECATED only: when the API will be retired (ISO 8601) */
    sunsetAt: z.iso.datetime({ offset: true, error: 'An ISO 8601 date-time' }).nullable().default(null),
    kind: z.enum(['REST', 'AI', 'PROMPT', 'MCP']).default('REST'),
    /** REST and MCP: where the gateway sends calls */
    upstreamUrl: z.string().trim().max(2000).default(''),
    upstream: ZUpstreamConfig.prefault({}),
    policies: ZApiPolicies.prefault({}),
    /** the OpenAPI document itself (REST and MCP; a PROMPT API's is generated from its prompt) */
    openapi: z.record(z.string(), z.unknown()).nullable().default(null),
    tags: z
      .array(
        z
          .string()
          .trim()
          .toLowerCase()
          .min(1, 'Tags cannot be empty')
          .max(30, 'Tags are at most 30 characters'),
      )
      .max(20, 'At most 20 tags')
      .default([])
      .transform((tags) => [...new Set(tags)]),
    rateLimitAccuracy: z.enum(['EXACT', 'LOCAL_FIRST']).default('EXACT'),
    /** AI: model routes and logging; PROMPT: the prompt. Targets name credentials: `credential: <name>` */
    ai: ZConfigAi.nullable().default(null),
    /**
     * PROMPT: the published versions by number (oldest first). Missing ones are created with their
     * number; existing ones must be equal, published versions never change.
     */
    promptVersions: z.array(ZConfigPromptVersion).max(10_000).default([]),
    /** PROMPT: the published version(s) live traffic runs, by number (null: the working copy `ai`) */
    promptRelease: ZPromptRelease.nullable().default(null),
    mcp: ZApiMcpConfig.prefault({}),
    plans: z.array(ZConfigPlan).max(100).default([]),
  })
  .superRefine((api, ctx) => {
    if ((api.kind === 'REST' || api.kind === 'MCP') && !/^https?:\/\/\S+$/i.test(api.upstreamUrl)) {
      ctx.addIssue({ code: 'custom', path: ['upstreamUrl'], message: 'Enter an http:// or https:// URL' });
    }
    if (api.status === 'DEPRECATED' && api.sunsetAt === null) {
      ctx.addIssue({ code: 'custom', path: ['sunsetAt'], message: 'A deprecated API needs its sunset date' });
    }
    const seen = new Set<string>();
    api.plans.forEach((plan, i) => {
      if (seen.has(plan.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['plans', i, 'name'],
          message: 'Plan names are unique per API',
        });
      }
      seen.add(plan.name);
    });
    const numbers = new Set<number>();
    api.promptVersions.forEach((version, i) => {
      if (numbers.has(version.number)) {
        ctx.addIssue({
          code: 'custom',
          path: ['promptVersions', i, 'number'],
          message: 'Version numbers are unique per API',
        });
      }
      numbers.add(version.number);
    });
  })
  // Fields that do not apply to the kind are dropped, as the portal stores them.
  .transform((api) => ({
    ...api,
    upstreamUrl: api.kind === 'REST' || api.kind === 'MCP' ? api.upstreamUrl : '',
    openapi: api.kind === 'PROMPT' ? null : api.openapi,
    ai: api.kind === 'AI' || api.kind === 'PROMPT' ? api.ai : null,
    promptVersions: api.kind === 'PROMPT' ? api.promptVersions : [],
    promptRelease: api.kind === 'PROMPT' ? api.promptRelease : null,
    sunsetAt: api.status === 'DEPRECATED' ? api.sunsetAt : null,
  }));
export type ConfigApi = z.output<typeof ZConfigApi>;

/** A price row; the optional columns are left out when unset (null or no modalities). */
const ZConfigAiPrice = z
  .object({
    provider: z.string().trim().min(1, 'Provider is required').max(50, 'At most 50 characters'),
    model: z.string().trim().min(1, 'Model is required').max(120, 'At most 120 characters'),
    inputPerMillion: ZDecimalString,
    outputPerMillion: ZDecimalString,
  })
  .extend(ZAiPriceExtras.shape)
  .transform(
    (price) =>
      Object.fromEntries(
        Object.entries(price).filter(
          ([, value]) =>
            value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0),
        ),
      ) as typeof price,
  );
export type ConfigAiPrice = z.output<typeof ZConfigAiPrice>;

export const ZConfigDocument = z
  .object({
    version: z.literal(1, { error: 'Only version 1 documents are understood' }),
    org: z
      .object({
        /** signed-out visitors may browse this org's PUBLIC APIs */
        allowAnonymousBrowse: z.boolean().default(false),
      })
      .prefault({}),
    /** USD per million tokens, by provider model */
    aiModelPrices: z.array(ZConfigAiPrice).max(1000).default([]),
    apis: z.array(ZConfigApi).max(500).default([]),
  })
  .superRefine((doc, ctx) => {
    const slugs = new Set<string>();
    doc.apis.forEach((api, i) => {
      if (slugs.has(api.slug)) {
        ctx.addIssue({ code: 'custom', path: ['apis', i, 'slug'], message: 'API slugs are unique' });
      }
      slugs.add(api.slug);
    });
    const models = new Set<string>();
    doc.aiModelPrices.forEach((price, i) => {
      const key = `${price.provider}/${price.model}`;
      if (models.has(key)) {
        ctx.addIssue({ code: 'custom', path: ['aiModelPrices', i, 'model'], message: 'Listed twice' });
      }
      models.add(key);
    });
  });
export type ConfigDocument = z.output<typeof ZConfigDocument>;

/** JSON with object keys sorted, so two documents compare equal whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

export const sameValue = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);
