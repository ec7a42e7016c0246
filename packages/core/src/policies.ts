import { z } from 'zod';

/**
 * The policy documents stored as JSON on Api (policies, upstream) and Plan (limits). The portal
 * validates with these before saving; the gateway parses with them when it loads config, so a bad
 * document can never reach the hot path. Every field has a default: `{}` is a valid document.
 */

const ZHeaderName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9!#$%&'*+.^_`|~-]+$/, 'not a valid header name');

export const ZHeaderTransform = z
  .object({
    /** headers set (overwriting) on the message */
    add: z.record(ZHeaderName, z.string().max(4096)).default({}),
    remove: z.array(ZHeaderName).max(50).default([]),
    /** from → to */
    rename: z.record(ZHeaderName, ZHeaderName).default({}),
  })
  .default({ add: {}, remove: [], rename: {} });
export type HeaderTransform = z.infer<typeof ZHeaderTransform>;

/*
 * Every tenant's API answers on the gateway's one origin when routed by path (`/{org}/{api}/…`), so a
 * response header that acts on the whole origin, or a body a browser would run there, reaches every other
 * tenant's consumers. Header transforms (written in the portal) may not produce them: refused when saved,
 * skipped by the gateway for documents saved before.
 */

/** Cookies reach other tenants' paths; the others change or wipe the whole origin's state. */
const ORIGIN_WIDE_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'set-cookie': 'Set-Cookie',
  'set-cookie2': 'Set-Cookie2',
  'clear-site-data': 'Clear-Site-Data',
  'service-worker-allowed': 'Service-Worker-Allowed',
  'strict-transport-security': 'Strict-Transport-Security',
};

/** Media types a browser renders or runs as a document or script (besides every `+xml` type). */
const ACTIVE_MEDIA_TYPES = new Set([
  'text/html',
  'application/xhtml+xml',
  'image/svg+xml',
  'text/xml',
  'application/xml',
  'text/xsl',
  'text/vbscript',
  'multipart/x-mixed-replace',
]);
const MEDIA_TYPE = /^[a-z0-9!#$%&'*+.^_`|~-]+\/[a-z0-9!#$%&'*+.^_`|~-]+$/;

/** Why a Content-Type value would let a browser run the body on the shared origin, or null when it would not. */
export function activeContentTypeReason(value: string): string | null {
  const type = (value.split(';')[0] ?? '').trim().toLowerCase();
  if (!MEDIA_TYPE.test(type)) return 'it is not a media type, so browsers would sniff the body';
  if (ACTIVE_MEDIA_TYPES.has(type) || type.endsWith('+xml') || /javascript|ecmascript|jscript/.test(type)) {
    return "it is active content (HTML, XML, SVG or script) a browser would run on the gateway's origin, which every tenant shares";
  }
  return null;
}

/**
 * Why a response header transform may not set `name` (to `value`; absent: a rename, whose value is not
 * known when saved), or null when it may.
 */
export function refusedResponseHeader(name: string, value?: string): string | null {
  const lower = name.toLowerCase();
  const originWide = ORIGIN_WIDE_RESPONSE_HEADERS[lower];
  if (originWide) {
    return `${originWide} cannot be set by a header transform: it would act on the gateway's origin, which every tenant shares`;
  }
  if (lower === 'content-type') {
    if (value === undefined)
      return 'Content-Type cannot be renamed into: set it to a fixed, non-active type instead';
    const reason = activeContentTypeReason(value);
    return reason ? `Content-Type cannot be "${value}": ${reason}` : null;
  }
  return null;
}

/** Field errors (`responseHeaders.add`, `responseHeaders.rename`) for what refusedResponseHeader refuses. */
export function responseTransformRefusals(transform: HeaderTransform): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(transform.add)) {
    const reason = refusedResponseHeader(name, value);
    if (reason) fields['responseHeaders.add'] ??= reason;
  }
  for (const to of Object.values(transform.rename)) {
    const reason = refusedResponseHeader(to);
    if (reason) fields['responseHeaders.rename'] ??= reason;
  }
  return fields;
}

export const ZCorsPolicy = z.object({
  enabled: z.boolean().default(false),
  /** exact origins, or '*' */
  allowOrigins: z.array(z.string().max(512)).max(100).default([]),
  allowMethods: z.array(z.string().toUpperCase()).default(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']),
  allowHeaders: z.array(ZHeaderName).default(['authorization', 'content-type', 'x-api-key']),
  exposeHeaders: z.array(ZHeaderName).default([]),
  allowCredentials: z.boolean().default(false),
  maxAgeSeconds: z.number().int().min(0).max(86_400).default(600),
});
export type CorsPolicy = z.infer<typeof ZCorsPolicy>;

const ZCachePolicy = z.object({
  enabled: z.boolean().default(false),
  ttlSeconds: z.number().int().min(1).max(86_400).default(60),
  /** public: one cached response may serve every consumer; otherwise responses are keyed per consumer app */
  public: z.boolean().default(false),
});

const ZRedisFailureMode = z.enum(['allow', 'deny', 'local']);
export type RedisFailureMode = z.infer<typeof ZRedisFailureMode>;

export const ZApiPolicies = z.object({
  /** CIDRs (IPv4 or IPv6); when non-empty only these clients may call */
  ipAllow: z.array(z.string().max(64)).max(500).default([]),
  ipDeny: z.array(z.string().max(64)).max(500).default([]),
  cors: ZCorsPolicy.default(ZCorsPolicy.parse({})),
  /** request body limit; larger → 413 */
  maxBodyBytes: z
    .number()
    .int()
    .min(0)
    .max(1_073_741_824)
    .default(10 * 1024 * 1024),
  maxHeaderCount: z.number().int().min(1).max(500).default(100),
  maxHeaderBytes: z.number().int().min(256).max(65_536).default(16_384),
  /** validate requests against the API's OpenAPI document (400 naming the failing field) */
  validateRequests: z.boolean().default(false),
  requestHeaders: ZHeaderTransform,
  responseHeaders: ZHeaderTransform,
  /** empty = every method */
  allowedMethods: z.array(z.string().toUpperCase()).default([]),
  cache: ZCachePolicy.default(ZCachePolicy.parse({})),
  /** what the gateway does when Redis (the shared limiter) is unreachable */
  redisFailureMode: ZRedisFailureMode.default('local'),
});
export type ApiPolicies = z.infer<typeof ZApiPolicies>;

const ZUpstreamTarget = z.object({
  url: z.string().url().max(2048),
  weight: z.number().int().min(0).max(1000).default(100),
});
export type UpstreamTarget = z.infer<typeof ZUpstreamTarget>;

/** A version's name (the first path segment that selects it) and its targets. */
export const ZUpstreamVersionName = z
  .string()
  .regex(/^[a-zA-Z0-9._-]{1,32}$/, 'Use 1 to 32 letters, digits, dots, dashes or underscores');
export const ZUpstreamVersionTargets = z.array(ZUpstreamTarget).min(1, 'Add at least one target').max(50);

export const ZUpstreamConfig = z.object({
  /** extra targets besides Api.upstreamUrl (which is always the first target, weight 100) */
  targets: z.array(ZUpstreamTarget).max(50).default([]),
  loadBalancing: z.enum(['round-robin', 'least-connections']).default('round-robin'),
  /** `/{org}/{api}/{version}/…` routes to that version's targets when the first segment names one */
  versions: z.record(ZUpstreamVersionName, ZUpstreamVersionTargets).default({}),
  timeouts: z
    .object({
      connectMs: z.number().int().min(10).max(60_000).default(5_000),
      responseMs: z.number().int().min(10).max(600_000).default(30_000),
      idleMs: z.number().int().min(10).max(600_000).default(60_000),
    })
    .default({ connectMs: 5_000, responseMs: 30_000, idleMs: 60_000 }),
  retries: z
    .object({
      /** attempts after the first, only for idempotent methods and connect errors */
      attempts: z.number().int().min(0).max(5).default(1),
      /** at most this share of requests may be retries */
      budgetPercent: z.number().min(0).max(100).default(20),
    })
    .default({ attempts: 1, budgetPercent: 20 }),
  healthCheck: z
    .object({
      enabled: z.boolean().default(false),
      path: z.string().startsWith('/').max(512).default('/health'),
      intervalMs: z.number().int().min(100).max(300_000).default(5_000),
      healthyThreshold: z.number().int().min(1).max(20).default(2),
      unhealthyThreshold: z.number().int().min(1).max(20).default(3),
    })
    .default({
      enabled: false,
      path: '/health',
      intervalMs: 5_000,
      healthyThreshold: 2,
      unhealthyThreshold: 3,
    }),
  circuitBreaker: z
    .object({
      enabled: z.boolean().default(true),
      consecutiveFailures: z.number().int().min(1).max(1000).default(5),
      /** open when this share of the last `windowSize` calls failed */
      errorRatePercent: z.number().min(1).max(100).default(50),
      windowSize: z.number().int().min(5).max(10_000).default(20),
      openMs: z.number().int().min(100).max(600_000).default(10_000),
    })
    .default({ enabled: true, consecutiveFailures: 5, errorRatePercent: 50, windowSize: 20, openMs: 10_000 }),
});
export type UpstreamConfig = z.infer<typeof ZUpstreamConfig>;

const ZLimitScope = z.enum(['key', 'app', 'subscription', 'ip']);
export type LimitScope = z.infer<typeof ZLimitScope>;

const ZLimitWindow = z.object({
  limit: z.number().int().min(1).max(1_000_000_000),
  windowSeconds: z
    .number()
    .int()
    .min(1)
    .max(31 * 86_400),
  scope: ZLimitScope.default('subscription'),
});
export type LimitWindow = z.infer<typeof ZLimitWindow>;

/** Plan.limits: windows enforced in addition to Plan.rateLimit/rateLimitWindowSeconds. */
export const ZPlanLimits = z.array(ZLimitWindow).max(10).default([]);
export type PlanLimits = z.infer<typeof ZPlanLimits>;

/** PlatformSetting keys and their value schemas (the SSRF allow-list is UpstreamAllowedHost, per org). */
export const PLATFORM_SETTINGS = {
  /** days RequestLog rows are kept */
  requestLogRetentionDays: { key: 'requestLog.retentionDays', schema: z.number().int().min(1).max(3650) },
} as const;

/** Lenient parse for stored JSON: a document saved by an older version still loads with defaults. */
export function parseApiPolicies(json: unknown): ApiPolicies {
  return ZApiPolicies.parse(json ?? {});
}
export function parseUpstreamConfig(json: unknown): UpstreamConfig {
  return ZUpstreamConfig.parse(json ?? {});
}
export function parsePlanLimits(json: unknown): PlanLimits {
  return ZPlanLimits.parse(json ?? []);
}
