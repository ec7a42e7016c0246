import { availableParallelism } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { parseEncryptionKey } from '@portcullis/core/crypto';
import { z } from 'zod';
import { DEFAULT_CONFIG_CACHE_BUDGETS } from './config/config-cache.ts';
import { compileIpMatcher } from './policies/ip.ts';
import { TRACES_SAMPLERS, type TracingOptions } from './tracing/create.ts';

const CLUSTER_NODES = /^\s*[^\s:,]+:\d{1,5}\s*(,\s*[^\s:,]+:\d{1,5}\s*)*$/;
const parseClusterNodes = (value: string) =>
  value.split(',').map((node) => {
    const [host = '', port = ''] = node.trim().split(':');
    return { host, port: Number(port) };
  });

/** An absent or empty variable: not configured. */
const unset = z.literal('').transform(() => undefined);
const ZOtlpUrl = z
  .string()
  .trim()
  .refine((value) => /^https?:\/\//i.test(value) && URL.canParse(value), 'must be an http:// or https:// URL')
  .optional()
  .or(unset);

/** A cache's byte bound: 64 KiB to 4 GiB. */
const cacheBytes = (fallback: number) =>
  z.coerce
    .number()
    .int()
    .min(64 * 1024, 'must be at least 65536 (64 KiB)')
    .max(4 * 1024 ** 3)
    .default(fallback);

/** A comma-separated list, entries trimmed, empty ones dropped (default: none). */
const zCommaList = () =>
  z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    );

const API_LABEL = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}\/[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

const ZGatewayEnv = z.object({
  GATEWAY_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional()
    // An empty variable means "not configured", the same as an absent one.
    .or(z.literal('').transform(() => undefined)),
  /** Namespace for Redis keys, so several deployments (or test runs) can share one Redis. */
  GATEWAY_REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 : _ -')
    .default('portcullis:'),
  // Rate limiting — src/limits
  /** Redis Cluster seed nodes `host:port,host:port`; when set, Redis users connect to the cluster, not REDIS_URL. */
  REDIS_CLUSTER_NODES: z
    .string()
    .regex(CLUSTER_NODES, 'must be comma-separated host:port pairs, e.g. 10.0.0.1:7000,10.0.0.2:7000')
    .transform(parseClusterNodes)
    .refine((nodes) => nodes.every((n) => n.port >= 1 && n.port <= 65_535), 'ports must be 1-65535')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  GATEWAY_KEY_CACHE_TTL_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /**
   * The longest one request waits for configuration from Postgres, its lookups (route, key, subscriptions,
   * quota usage) together; then a key never seen gets 503 config_unavailable, cached ones their snapshot.
   */
  GATEWAY_CONFIG_WAIT_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  // Config cache byte bounds — src/config (estimated heap bytes of entries, keys and bookkeeping)
  GATEWAY_ROUTE_CACHE_MAX_BYTES: cacheBytes(DEFAULT_CONFIG_CACHE_BUDGETS.routes),
  GATEWAY_KEY_CACHE_MAX_BYTES: cacheBytes(DEFAULT_CONFIG_CACHE_BUDGETS.keys),
  GATEWAY_SUBSCRIPTION_CACHE_MAX_BYTES: cacheBytes(DEFAULT_CONFIG_CACHE_BUDGETS.subscriptions),
  GATEWAY_QUOTA_CACHE_MAX_BYTES: cacheBytes(DEFAULT_CONFIG_CACHE_BUDGETS.quotaBases),
  /** each of the AI stores (provider credentials, model prices) */
  GATEWAY_AI_CONFIG_CACHE_MAX_BYTES: cacheBytes(DEFAULT_CONFIG_CACHE_BUDGETS.ai),
  /** each store's remembered unknown keys, routes… (kept apart from its entries) */
  GATEWAY_UNKNOWN_CACHE_MAX_BYTES: cacheBytes(DEFAULT_CONFIG_CACHE_BUDGETS.unknown),
  // Metrics — src/ops
  /** APIs with their own series on /metrics, by traffic; the rest count as api="other". */
  GATEWAY_METRICS_TOP_APIS: z.coerce.number().int().min(0).max(1_000).default(50),
  /** Comma-separated `org/api` slugs that always have their own series (besides the top ones). */
  GATEWAY_METRICS_APIS: zCommaList()
    .refine((apis) => apis.every((api) => API_LABEL.test(api)), 'must be comma-separated org/api slugs')
    .refine((apis) => apis.length <= 1_000, 'must list at most 1000 APIs'),
  USAGE_FLUSH_INTERVAL_MS: z.coerce.number().int().min(10).max(600_000).default(500),
  GATEWAY_UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  // Connection hardening and SSRF allow-list — src/http/hardening.ts, src/upstream
  /** Time a client has to send a complete request head (slowloris guard); at most 10 s. */
  GATEWAY_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(10_000).default(10_000),
  /** Time a client has to send a whole request, body included; 0 disables. */
  GATEWAY_REQUEST_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .refine((ms) => ms === 0 || (ms >= 10_000 && ms <= 3_600_000), 'must be 0 or 10000-3600000')
    .default(300_000),
  GATEWAY_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /** How often the SSRF allow-list (PlatformSetting 'upstream.allowedHosts') is reloaded. */
  GATEWAY_ALLOWLIST_REFRESH_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(30_000),
  /**
   * Per-org hosts: with `gw.example.com`, Host `acme.gw.example.com` serves org acme's APIs at `/{api}/…`
   * (a tenant's own origin); `/{org}/{api}/…` on any other Host keeps working.
   */
  GATEWAY_ORG_HOST_SUFFIX: z
    .string()
    .trim()
    .toLowerCase()
    .transform((value) => value.replace(/^\.+|\.+$/g, ''))
    .refine(
      (value) =>
        value === '' ||
        /^(?=.{1,200}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(value),
      'must be a DNS name such as gw.example.com (org hosts are {org}.<name>)',
    )
    .transform((value) => value || undefined)
    .optional(),
  // Client IP, response cache — see src/policies, src/response-cache
  /** Comma-separated CIDRs of proxies whose X-Forwarded-For is believed; default: none (use the socket peer). */
  GATEWAY_TRUSTED_PROXIES: zCommaList().refine(
    (cidrs) => compileIpMatcher(cidrs).invalid.length === 0,
    'must be comma-separated CIDRs or addresses',
  ),
  /** In-process (L1) response cache bound; Redis (L2) is used too when REDIS_URL is set. */
  GATEWAY_RESPONSE_CACHE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(4 * 1024 ** 3)
    .default(50 * 1024 * 1024),
  // AI gateway — src/ai
  /** Decrypts tenants' provider credentials (AES-256-GCM); without it AI routes answer 502. */
  PORTCULLIS_ENCRYPTION_KEY: z
    .string()
    .refine((value) => {
      try {
        parseEncryptionKey(value);
        return true;
      } catch {
        return false;
      }
    }, 'must be 32 random bytes as base64 (44 characters) or hex (64 characters); generate one with: openssl rand -base64 32')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  // MCP servers — src/mcp
  /**
   * Marks the gateway's own MCP tool calls to itself. The cluster primary makes one for its workers;
   * leave it unset (each process then makes its own).
   */
  GATEWAY_INTERNAL_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{32,128}$/, 'must be 32-128 characters of A-Z a-z 0-9 _ -')
    .optional()
    .or(unset),
  // Cluster, logging, draining, retention — see main.ts and src/ops
  /** node:cluster workers sharing the port; 1 runs a single process without a primary. Default: CPUs. */
  GATEWAY_WORKERS: z.coerce
    .number()
    .int()
    .min(1)
    .max(256)
    .default(() => availableParallelism()),
  GATEWAY_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** RequestLog retention when the PlatformSetting 'requestLog.retentionDays' is absent. */
  GATEWAY_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** How long a draining worker waits for in-flight requests before cutting connections. */
  GATEWAY_DRAIN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** On shutdown, answer /readyz 503 this long (still serving) before closing the listener. */
  GATEWAY_DRAIN_DELAY_MS: z.coerce.number().int().min(0).max(120_000).default(0),
  // Tracing — src/tracing, the OpenTelemetry SDK's own variables (docs/decisions/tracing.md)
  /** OTLP/HTTP base URL; traces go to <url>/v1/traces. Unset (and no traces endpoint): tracing is off. */
  OTEL_EXPORTER_OTLP_ENDPOINT: ZOtlpUrl,
  /** OTLP/HTTP traces URL, used as it is; wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: ZOtlpUrl,
  /** service.name of the exported spans; default portcullis-gateway */
  OTEL_SERVICE_NAME: z.string().trim().min(1).max(256).optional().or(unset),
  /** `true` turns tracing off whatever the endpoints say. */
  OTEL_SDK_DISABLED: z
    .string()
    .trim()
    .toLowerCase()
    .refine((value) => ['', 'true', 'false'].includes(value), 'must be true or false')
    .transform((value) => value === 'true')
    .optional(),
  /** default parentbased_always_on */
  OTEL_TRACES_SAMPLER: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.enum(TRACES_SAMPLERS, { error: `must be one of ${TRACES_SAMPLERS.join(', ')}` }).optional(),
  ),
  /** the ratio of the traceidratio samplers, 0 to 1; default 1 */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional().or(unset),
});

export type GatewayEnv = z.infer<typeof ZGatewayEnv>;

export class GatewayConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable}: ${message}`);
    this.name = 'GatewayConfigError';
  }
}

/** What createTracer needs from the environment; no endpoint (tracing off) unless one is configured. */
export function tracingOptions(env: GatewayEnv): TracingOptions {
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const endpoint =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (base === undefined ? undefined : `${base}${base.endsWith('/') ? '' : '/'}v1/traces`);
  if (env.OTEL_SDK_DISABLED || endpoint === undefined) return {};
  return {
    endpoint,
    serviceName: env.OTEL_SERVICE_NAME ?? 'portcullis-gateway',
    sampler: env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on',
    samplerRatio: env.OTEL_TRACES_SAMPLER_ARG ?? 1,
  };
}

/** The only place the gateway reads process.env; throws naming the first bad variable. */
/** Stores with a remembered-unknown-keys bound of their own (config-cache.ts). */
const STORES_WITH_UNKNOWN_KEYS = 6;
/** The caches may fill at most this share of V8's heap limit: the rest is the gateway's working memory. */
const MAX_CACHE_SHARE_OF_HEAP = 0.6;

/** The most memory the in-process caches can hold with these settings, in bytes. */
export function cacheBudgetBytes(env: GatewayEnv): number {
  return (
    env.GATEWAY_ROUTE_CACHE_MAX_BYTES +
    env.GATEWAY_KEY_CACHE_MAX_BYTES +
    env.GATEWAY_SUBSCRIPTION_CACHE_MAX_BYTES +
    env.GATEWAY_QUOTA_CACHE_MAX_BYTES +
    2 * env.GATEWAY_AI_CONFIG_CACHE_MAX_BYTES +
    STORES_WITH_UNKNOWN_KEYS * env.GATEWAY_UNKNOWN_CACHE_MAX_BYTES +
    env.GATEWAY_RESPONSE_CACHE_MAX_BYTES
  );
}

/**
 * Refuses cache budgets that do not fit the heap the process runs with (`--max-old-space-size`): full
 * caches would otherwise end the process with "heap out of memory" under load, long after it started.
 */
function checkCachesFitHeap(env: GatewayEnv, heapLimitBytes: number): void {
  const budget = cacheBudgetBytes(env);
  if (budget <= heapLimitBytes * MAX_CACHE_SHARE_OF_HEAP) return;
  const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
  throw new GatewayConfigError(
    'GATEWAY_*_CACHE_MAX_BYTES',
    `the caches may hold ${mb(budget)}, more than ${MAX_CACHE_SHARE_OF_HEAP * 100} % of the ${mb(heapLimitBytes)} ` +
      'heap this process may use: lower the cache budgets or raise --max-old-space-size',
  );
}

export function readGatewayEnv(
  source: NodeJS.ProcessEnv = process.env,
  heapLimitBytes = getHeapStatistics().heap_size_limit,
): GatewayEnv {
  const parsed = ZGatewayEnv.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    const message =
      issue?.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue?.message;
    throw new GatewayConfigError(variable, message ?? 'is invalid');
  }
  const env = parsed.data;
  checkCachesFitHeap(env, heapLimitBytes);
  // Without Redis the rate-limit and quota counters live in process memory: one process, or each
  // worker would enforce the whole limit on its own.
  if (!env.REDIS_URL && !env.REDIS_CLUSTER_NODES) {
    if (source.GATEWAY_WORKERS && env.GATEWAY_WORKERS > 1) {
      throw new GatewayConfigError(
        'GATEWAY_WORKERS',
        'must be 1 without REDIS_URL or REDIS_CLUSTER_NODES (in-memory counters are per process)',
      );
    }
    return { ...env, GATEWAY_WORKERS: 1 };
  }
  return env;
}
