import { z } from 'zod';

/** The portal's only reader of process.env. */
const DEV_AUTH_SECRET = 'portcullis-dev-only-secret-not-for-production-use';

const ZPortalEnv = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// or postgresql:// URL')
    .optional(),
  AUTH_SECRET: z.string().min(32, 'AUTH_SECRET must be at least 32 characters').optional(),
  AUTH_URL: z.url('AUTH_URL must be a URL').optional(),
  AUTH_TRUST_HOST: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => v === 'true' || v === '1'),
  GATEWAY_PUBLIC_URL: z
    .url('GATEWAY_PUBLIC_URL must be a URL')
    .default('http://127.0.0.1:8080')
    .transform((u) => u.replace(/\/+$/, '')),
  NEXT_PHASE: z.string().optional(),
});

export type PortalEnv = Omit<z.infer<typeof ZPortalEnv>, 'AUTH_SECRET'> & { AUTH_SECRET: string };

export function readPortalEnv(source: NodeJS.ProcessEnv = process.env): PortalEnv {
  const parsed = ZPortalEnv.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Invalid configuration: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const value = parsed.data;
  // `next build` runs with NODE_ENV=production but never signs anything: it may go without a secret.
  const building = value.NEXT_PHASE === 'phase-production-build';
  if (!value.AUTH_SECRET && value.NODE_ENV === 'production' && !building) {
    throw new Error('Invalid configuration: AUTH_SECRET is required in production (32+ random characters)');
  }
  return { ...value, AUTH_SECRET: value.AUTH_SECRET ?? DEV_AUTH_SECRET };
}

export const env = readPortalEnv();
