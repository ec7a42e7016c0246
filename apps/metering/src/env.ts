import { hostname } from 'node:os';
import { parseEncryptionKey } from '@portcullis/core/crypto';
import { z } from 'zod';

const CLUSTER_NODES = /^\s*[^\s:,]+:\d{1,5}\s*(,\s*[^\s:,]+:\d{1,5}\s*)*$/;
const parseClusterNodes = (value: string) =>
  value.split(',').map((node) => {
    const [host = '', port = ''] = node.trim().split(':');
    return { host, port: Number(port) };
  });
// An empty variable means "not configured", the same as an absent one.
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const ZMeteringEnv = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL'),
  REDIS_URL: optional(z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')),
  /** Redis Cluster seed nodes `host:port,host:port`; takes precedence over REDIS_URL. */
  REDIS_CLUSTER_NODES: optional(
    z
      .string()
      .regex(CLUSTER_NODES, 'must be comma-separated host:port pairs, e.g. 10.0.0.1:7000,10.0.0.2:7000')
      .transform(parseClusterNodes)
      .refine((nodes) => nodes.every((n) => n.port >= 1 && n.port <= 65_535), 'ports must be 1-65535'),
  ),
  /** Must equal the gateway's GATEWAY_REDIS_KEY_PREFIX: the streams live under it. */
  METERING_REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 : _ -')
    .default('portcullis:'),
  /**
   * This worker's name in the consumer group. Keep it stable across restarts: a restarted worker first
   * re-reads the entries it had been handed but not acknowledged.
   */
  METERING_CONSUMER_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 characters of A-Z a-z 0-9 . _ : -')
    .default(
      hostname()
        .replace(/[^A-Za-z0-9._:-]/g, '-')
        .slice(0, 128) || 'metering',
    ),
  /** Most events applied in one Postgres statement. */
  METERING_BATCH_SIZE: z.coerce.number().int().min(1).max(50_000).default(5_000),
  /** How long one XREADGROUP waits for new entries (also how long a SIGTERM may wait for it). */
  METERING_BLOCK_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
  /**
   * After a round that found less than a full batch, the worker waits until this long after the round
   * began before reading again: under light traffic one transaction applies ~this many ms of events
   * instead of a few each (fewer Postgres commits and Redis round trips per event); adds at most this
   * much lag (the lag target is 2 s). 0 reads again at once.
   */
  METERING_LINGER_MS: z.coerce.number().int().min(0).max(10_000).default(50),
  /** Entries another consumer has held unacknowledged this long are taken over (it is presumed dead). */
  METERING_CLAIM_IDLE_MS: z.coerce.number().int().min(100).max(86_400_000).default(30_000),
  /** UsageEvent rows (the dedupe ledger) are kept this long; the rollups keep the totals for ever. */
  USAGE_EVENT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(35),
  METERING_RETENTION_INTERVAL_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(3_600_000),
  /** When set, /metrics (Prometheus text) and /healthz on 127.0.0.1 at this port. */
  METERING_METRICS_PORT: optional(z.coerce.number().int().min(0).max(65_535)),
  METERING_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * The longest a request can run (long AI streams included) plus the clock skew between gateways, Redis
   * and this worker. A partition's usage watermark is how far it has drained minus this; period close
   * waits for every watermark to pass a period's end. A longer request straddling a period's end is
   * billed as late usage on the next invoice instead of in its own period.
   */
  METERING_IN_FLIGHT_BOUND_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(600_000),
  /** How often the worker records its partitions' watermarks (also its heartbeat for period close). */
  METERING_WATERMARK_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /** How often period close, Stripe sync and the payment grace check run. */
  BILLING_INTERVAL_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(60_000),
  /** A period closes no sooner than this after it ends, whatever the watermarks say. */
  BILLING_SETTLE_MS: z.coerce.number().int().min(0).max(604_800_000).default(600_000),
  /** A usage source silent this long is reported stale; a stream partition keeps holding closes. */
  BILLING_WATERMARK_STALE_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(120_000),
  /** An embedded gateway silent this long is presumed dead and no longer holds period closes. */
  BILLING_GATEWAY_GIVE_UP_MS: z.coerce.number().int().min(60_000).max(604_800_000).default(3_600_000),
  /** 32 bytes, base64 or hex: decrypts tenants' Stripe keys. Absent: Stripe sync is off (local invoices only). */
  PORTCULLIS_ENCRYPTION_KEY: optional(
    z.string().transform((text, ctx) => {
      try {
        return parseEncryptionKey(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  ),
  /** Stripe's API origin (tests point it at a local server speaking Stripe's wire format). */
  STRIPE_API_BASE: optional(z.string().regex(/^https?:\/\//, 'must be an http(s):// URL')),
  METERING_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export type MeteringEnv = z.infer<typeof ZMeteringEnv>;

export class MeteringConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable}: ${message}`);
    this.name = 'MeteringConfigError';
  }
}

/** The only place the metering worker reads process.env; throws naming the first bad variable. */
export function readMeteringEnv(source: NodeJS.ProcessEnv = process.env): MeteringEnv {
  const parsed = ZMeteringEnv.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    const message =
      issue?.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue?.message;
    throw new MeteringConfigError(variable, message ?? 'is invalid');
  }
  // Without Redis there is no stream (embedded mode meters inside the gateway): only the billing jobs run.
  return parsed.data;
}
