import { z } from 'zod';

/** The platform command's configuration: the only place scripts/ read process.env. */
const ZPlatformEnv = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .optional(),
  PORTAL_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  GATEWAY_PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  ECHO_PORT: z.coerce.number().int().min(1).max(65535).default(8090),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  PORTCULLIS_DATA_DIR: z.string().default('.data'),
  PUBLIC_HOST: z.string().default('127.0.0.1'),
  AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** 32 bytes (base64 or hex); generated into the data dir when absent */
  PORTCULLIS_ENCRYPTION_KEY: z.string().min(32, 'must be 32 bytes as base64 or hex').optional(),
});

export type PlatformEnv = z.infer<typeof ZPlatformEnv>;

export function readPlatformEnv(): PlatformEnv {
  const parsed = ZPlatformEnv.safeParse(process.env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    console.error(`Invalid configuration: ${issue?.path.join('.')} ${issue?.message}`);
    process.exit(2);
  }
  return parsed.data;
}

/** Environment for child processes: inherited, minus what the platform decides itself. */
export function childEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

const ZSmokeEnv = z.object({
  /** How long the smoke test keeps the platform running before it checks it (past every idle timeout). */
  SMOKE_HOLD_S: z.coerce.number().int().min(0).max(3_600).default(95),
});

export function readSmokeEnv(): z.infer<typeof ZSmokeEnv> {
  const parsed = ZSmokeEnv.safeParse(process.env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    console.error(`Invalid configuration: ${issue?.path.join('.')} ${issue?.message}`);
    process.exit(2);
  }
  return parsed.data;
}
