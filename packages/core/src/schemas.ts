import { z } from 'zod';
import { ZApiPolicies, ZPlanLimits, ZUpstreamConfig } from './policies.ts';

/** Input schemas shared by the portal's routers and forms. Explicit objects: unknown keys are stripped. */

const RESERVED_SLUGS = new Set(['api', 'admin', 'health', 'healthz', 'metrics', 'www', 'static', 'new']);

/** A new slug (orgs, APIs): today's rules, reserved words included. */
export const ZSlug = z
  .string()
  .trim()
  .toLowerCase()
  .min(2, 'Slug must be at least 2 characters')
  .max(40, 'Slug must be at most 40 characters')
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'Use lowercase letters, digits and dashes (not at the ends)')
  .refine((slug) => !RESERVED_SLUGS.has(slug), 'This slug is reserved');

/** Looks an existing slug up: no reserved-word check, so lookups never depend on today's rules. */
export const ZSlugRef = z.string().trim().toLowerCase().min(1).max(40);

export const ZId = z.string().min(1).max(64);

/**
 * Date inputs (filters, cursors) are bounded to what Postgres and ISO 8601's four-digit years can hold:
 * JavaScript dates reach year ±275760, which Postgres cannot parse, so an unbounded filter became a 500.
 * The upper bound is a whole day so a range rounded out to whole days or hours still fits.
 */
const MIN_INPUT_DATE = new Date('1970-01-01T00:00:00.000Z');
const MAX_INPUT_DATE = new Date('9999-12-31T00:00:00.000Z');

/** A date input named `field` in its error messages (one message for every way it can be wrong). */
export function zInputDate(field: string) {
  const message = `${field} must be a date between 1970-01-01 and 9999-12-31`;
  return z.date({ error: message }).min(MIN_INPUT_DATE, message).max(MAX_INPUT_DATE, message);
}

/** A keyset cursor (newest first): the last row's time and id. */
export const ZDateCursor = z.object({ at: zInputDate('cursor.at'), id: ZId });

export const ZEmail = z.string().trim().toLowerCase().max(254).pipe(z.email('Enter a valid email address'));

export const ZPassword = z
  .string()
  .min(10, 'Password must be at least 10 characters')
  .max(200, 'Password must be at most 200 characters')
  .regex(/[A-Za-z]/, 'Password must contain at least one letter')
  .regex(/\d/, 'Password must contain at least one digit');

const ZName = z.string().trim().min(1, 'Name is required').max(100, 'Name must be at most 100 characters');

export const ZSignUp = z.object({ name: ZName, email: ZEmail, password: ZPassword });
export type SignUpInput = z.infer<typeof ZSignUp>;

export const ZSignIn = z.object({ email: ZEmail, password: z.string().min(1).max(200) });

export const ZOrgCreate = z.object({ name: ZName, slug: ZSlug });
export type OrgCreateInput = z.infer<typeof ZOrgCreate>;

const ZVisibility = z.enum(['PRIVATE', 'ORG', 'PUBLIC']);

const ZUpstreamUrl = z
  .string()
  .trim()
  .max(2000)
  .pipe(z.url({ protocol: /^https?$/, message: 'Enter an http:// or https:// URL' }));

/** REST proxies to upstreams; AI is the OpenAI/Anthropic-compatible gateway; PROMPT a prompt called as REST. */
const ZApiKind = z.enum(['REST', 'AI', 'PROMPT', 'MCP']);
/** Kinds proxied to an upstream URL: a REST API, or an MCP server (Streamable HTTP). */
const proxiesUpstream = (kind: z.infer<typeof ZApiKind>) => kind === 'REST' || kind === 'MCP';

/** OpenAPI text as pasted or uploaded (JSON or YAML); parsed and checked by the verbs. */
const ZOpenApiText = z.string().max(1_000_000, 'The document must be at most 1 MB');

/** AI and PROMPT APIs call model routes, not an upstream: their upstreamUrl is stored as '' and ignored. */
export const ZApiCreate = z
  .object({
    name: ZName,
    slug: ZSlug,
    kind: ZApiKind.default('REST'),
    upstreamUrl: z.string().trim().max(2000).default(''),
    visibility: ZVisibility.default('PUBLIC'),
    description: z.string().trim().max(2000, 'Description must be at most 2000 characters').default(''),
    /** an OpenAPI 3.0/3.1 document as JSON or YAML text, imported with the API (REST only) */
    openapiDocument: ZOpenApiText.optional(),
  })
  .superRefine((input, ctx) => {
    if (!proxiesUpstream(input.kind)) return;
    const url = ZUpstreamUrl.safeParse(input.upstreamUrl);
    if (!url.success) {
      ctx.addIssue({ code: 'custom', path: ['upstreamUrl'], message: 'Enter an http:// or https:// URL' });
    }
  })
  .transform((input) => {
    if (input.kind === 'REST') return input;
    // An MCP server describes its own tools: it has an upstream but no OpenAPI import.
    if (input.kind === 'MCP') return { ...input, openapiDocument: undefined };
    return { ...input, upstreamUrl: '', openapiDocument: undefined };
  });
/** `kind` may be left out by server-side callers (REST). */
export type ApiCreateInput = Omit<z.infer<typeof ZApiCreate>, 'kind'> & { kind?: z.infer<typeof ZApiKind> };

/** Tags are stored lower-case, so catalog search and filters can match them exactly. */
const ZApiTag = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'Tags cannot be empty')
  .max(30, 'Tags are at most 30 characters')
  .regex(/^[a-z0-9][a-z0-9+#._ -]*$/, 'Tags use letters, digits, spaces and + # . _ -');

/**
 * EXACT: the gateway checks every request's limits in Redis. LOCAL_FIRST: it decides from a share leased
 * from Redis, faster, and a window may admit up to 1 % of its limit more (docs/decisions/local-first-rate-limits.md).
 */
const ZRateLimitAccuracy = z.enum(['EXACT', 'LOCAL_FIRST'], {
  error: 'Rate-limit accuracy is EXACT or LOCAL_FIRST',
});

/** What the provider edits on the API page. Explicit fields: orgId, status and slug cannot ride along. */
export const ZApiUpdate = z.object({
  apiId: ZId,
  name: z.string().trim().min(1, 'Name is required').max(100, 'Name must be at most 100 characters'),
  description: z.string().trim().max(2000, 'Description must be at most 2000 characters'),
  tags: z
    .array(ZApiTag)
    .max(20, 'At most 20 tags')
    .transform((tags) => [...new Set(tags)]),
  visibility: ZVisibility,
  /** Absent keeps the stored setting (older clients do not send it). */
  rateLimitAccuracy: ZRateLimitAccuracy.optional(),
});
export const ZApiBySlug = z.object({ apiSlug: ZSlugRef });
export const ZApiRef = z.object({ apiId: ZId });
export const ZApiUpdateUpstream = z.object({ apiId: ZId, upstreamUrl: ZUpstreamUrl });

const ZLimit = z.number().int('Must be a whole number').positive('Must be greater than 0').max(1_000_000_000);

export const ZPlanCreate = z.object({
  apiId: ZId,
  name: ZName,
  /** null = unlimited */
  rateLimit: ZLimit.nullable().default(null),
  rateLimitWindowSeconds: z.number().int('Must be a whole number').min(1).max(86_400).default(60),
  /** null = unlimited */
  monthlyQuota: ZLimit.nullable().default(null),
  requiresApproval: z.boolean().default(true),
});
export type PlanCreateInput = z.infer<typeof ZPlanCreate>;

export const ZAppCreate = z.object({
  name: ZName,
  description: z.string().trim().max(2000).default(''),
});
export type AppCreateInput = z.infer<typeof ZAppCreate>;
export const ZAppRef = z.object({ appId: ZId });

export const ZSubscribe = z.object({ appId: ZId, planId: ZId });
export const ZSubscriptionRef = z.object({ subscriptionId: ZId });
export const ZSubscriptionReject = z.object({
  subscriptionId: ZId,
  reason: z.string().trim().min(1, 'A reason is required').max(500, 'Reason must be at most 500 characters'),
});
export const ZSubscriptionListMine = z.object({ appId: ZId.optional() });

export const ZKeyRef = z.object({ keyId: ZId });

// ───────────── gateway configuration (policies, upstream, plan limits, lifecycle, platform) ─────────────

/** Policy documents are flattened into the input so zod field errors name the field (`cors.allowOrigins`). */
export const ZApiPoliciesUpdate = ZApiPolicies.extend({ apiId: ZId });
export type ApiPoliciesUpdateInput = z.infer<typeof ZApiPoliciesUpdate>;

export const ZUpstreamConfigUpdate = ZUpstreamConfig.extend({ apiId: ZId, upstreamUrl: ZUpstreamUrl });
export type UpstreamConfigUpdateInput = z.infer<typeof ZUpstreamConfigUpdate>;

/** The OpenAPI document as pasted/uploaded JSON or YAML text (parsed and checked by the verb); null removes it. */
export const ZOpenApiSpecSet = z.object({
  apiId: ZId,
  document: ZOpenApiText.nullable(),
});
export type OpenApiSpecSetInput = z.infer<typeof ZOpenApiSpecSet>;

export const ZPlanUpdate = z.object({
  planId: ZId,
  rateLimit: ZLimit.nullable(),
  rateLimitWindowSeconds: z.number().int('Must be a whole number').min(1).max(86_400),
  monthlyQuota: ZLimit.nullable(),
  requiresApproval: z.boolean(),
  limits: ZPlanLimits,
});
export type PlanUpdateInput = z.infer<typeof ZPlanUpdate>;
export const ZPlanRef = z.object({ planId: ZId });

export const ZApiRetire = z.object({
  apiId: ZId,
  /** the API's slug typed again: retiring cuts every consumer off */
  confirmSlug: z.string().trim().toLowerCase().min(1, 'Type the API slug to confirm').max(40),
});

/** One SSRF exemption: a host for the organizations named, or (deliberately) for every tenant. */
const ZAllowedHostEntry = z.object({
  host: z.string().trim().toLowerCase().min(1, 'Enter a host or host:port').max(255),
  /** required, never defaulted: opening a host to every tenant is an explicit choice */
  allTenants: z.boolean(),
  orgSlugs: z.array(z.string().trim().toLowerCase().min(1).max(100)).max(500).default([]),
});
export type AllowedHostEntryInput = z.infer<typeof ZAllowedHostEntry>;

export const ZPlatformSettingsUpdate = z.object({
  upstreamAllowedHosts: z.array(ZAllowedHostEntry).max(500),
  /** null: unset, the gateway's own default applies */
  requestLogRetentionDays: z.number().int('Must be a whole number').min(1).max(3650).nullable(),
});
export type PlatformSettingsUpdateInput = z.infer<typeof ZPlatformSettingsUpdate>;
