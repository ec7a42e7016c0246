import { z } from 'zod';

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
  GATEWAY_KEY_CACHE_TTL_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  USAGE_FLUSH_INTERVAL_MS: z.coerce.number().int().min(10).max(600_000).default(500),
  GATEWAY_UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
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

/** The only place the gateway reads process.env; throws naming the first bad variable. */
export function readGatewayEnv(source: NodeJS.ProcessEnv = process.env): GatewayEnv {
  const parsed = ZGatewayEnv.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    const message =
      issue?.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue?.message;
    throw new GatewayConfigError(variable, message ?? 'is invalid');
  }
  return parsed.data;
}
