import { createHash } from 'node:crypto';
import { type EncryptionKey, parseEncryptionKey } from '@portcullis/core/crypto';
import { z } from 'zod';

/** The portal's only reader of process.env. */
const DEV_AUTH_SECRET = 'portcullis-dev-only-secret-not-for-production-use';
/** Outside production only: tenants' secrets stored in development are then readable by anyone with the source. */
const DEV_ENCRYPTION_KEY = createHash('sha256')
  .update('portcullis-dev-only-encryption-key-not-for-production-use')
  .digest() as EncryptionKey;

const ZPortalEnv = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// or postgresql:// URL')
    .optional(),
  /**
   * A streaming replica of DATABASE_URL's database: analytics, the request and AI call log explorers and
   * the request log CSV export read there (a few ms to seconds behind); unset → they read the primary
   */
  DATABASE_REPLICA_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || undefined)
    .refine(
      (v) => v === undefined || /^postgres(ql)?:\/\/[^/\s]/.test(v),
      'DATABASE_REPLICA_URL must be a postgres:// or postgresql:// URL',
    ),
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
  /**
   * The gateway's per-org host suffix (its GATEWAY_ORG_HOST_SUFFIX): consumers are then shown
   * `{org}.<suffix>` base URLs, with GATEWAY_PUBLIC_URL's scheme and port
   */
  GATEWAY_ORG_HOST_SUFFIX: z
    .string()
    .trim()
    .toLowerCase()
    .transform((value) => value.replace(/^\.+|\.+$/g, '') || undefined)
    .refine(
      (value) =>
        value === undefined ||
        /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(value),
      'GATEWAY_ORG_HOST_SUFFIX must be a DNS name such as gw.example.com',
    )
    .optional(),
  /** AES-256-GCM key for tenants' secrets at rest (Stripe keys): 32 bytes, base64 or hex */
  PORTCULLIS_ENCRYPTION_KEY: z
    .string()
    .optional()
    .transform((text, ctx): EncryptionKey | undefined => {
      if (!text?.trim()) return undefined;
      try {
        return parseEncryptionKey(text, 'the value');
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** Stripe's API origin; tests point it at a local fake */
  STRIPE_API_BASE: z
    .url('STRIPE_API_BASE must be a URL')
    .optional()
    .transform((u) => u?.replace(/\/+$/, '')),
  NEXT_PHASE: z.string().optional(),
  /** outgoing mail; unset → mails stay in the portal's outbox page (the embedded default) */
  SMTP_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || undefined)
    .refine(
      (v) => v === undefined || /^smtps?:\/\/[^/\s]+/.test(v),
      'SMTP_URL must be an smtp:// or smtps:// URL',
    ),
  MAIL_FROM: z
    .string()
    .trim()
    .min(3, 'MAIL_FROM must be an address')
    .default('Portcullis <no-reply@localhost>'),
  /** the origin links in mails point at; defaults to AUTH_URL, else http://127.0.0.1:3000 */
  PORTAL_PUBLIC_URL: z
    .url('PORTAL_PUBLIC_URL must be a URL')
    .optional()
    .transform((u) => u?.replace(/\/+$/, '')),
  /** how many reverse proxies in front of the portal append to X-Forwarded-For (sign-in throttling by IP) */
  PORTAL_TRUSTED_PROXIES: z.coerce
    .number()
    .int('PORTAL_TRUSTED_PROXIES must be a whole number')
    .min(0)
    .max(10)
    .default(0),
  /** sign-ups per client address and hour (the address as PORTAL_TRUSTED_PROXIES defines it) */
  PORTAL_SIGN_UPS_PER_HOUR: z.coerce
    .number()
    .int('PORTAL_SIGN_UPS_PER_HOUR must be a whole number')
    .min(1, 'PORTAL_SIGN_UPS_PER_HOUR must be at least 1')
    .max(100_000)
    .default(10),
  MAIL_DISPATCH_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(2_000),
  AUTH_GITHUB_ID: z.string().trim().min(1).optional(),
  AUTH_GITHUB_SECRET: z.string().trim().min(1).optional(),
  AUTH_GOOGLE_ID: z.string().trim().min(1).optional(),
  AUTH_GOOGLE_SECRET: z.string().trim().min(1).optional(),
});

const OAUTH_PAIRS = [
  ['AUTH_GITHUB_ID', 'AUTH_GITHUB_SECRET'],
  ['AUTH_GOOGLE_ID', 'AUTH_GOOGLE_SECRET'],
] as const;

export type PortalEnv = Omit<
  z.infer<typeof ZPortalEnv>,
  'AUTH_SECRET' | 'PORTCULLIS_ENCRYPTION_KEY' | 'PORTAL_PUBLIC_URL'
> & {
  AUTH_SECRET: string;
  PORTCULLIS_ENCRYPTION_KEY: EncryptionKey;
  PORTAL_PUBLIC_URL: string;
};

function readPortalEnv(source: NodeJS.ProcessEnv = process.env): PortalEnv {
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
  if (!value.PORTCULLIS_ENCRYPTION_KEY && value.NODE_ENV === 'production' && !building) {
    throw new Error(
      'Invalid configuration: PORTCULLIS_ENCRYPTION_KEY is required in production (32 random bytes as base64 or hex: openssl rand -base64 32)',
    );
  }
  for (const [id, secret] of OAUTH_PAIRS) {
    if (Boolean(value[id]) !== Boolean(value[secret])) {
      throw new Error(
        `Invalid configuration: ${value[id] ? secret : id} must be set together with ${value[id] ? id : secret}`,
      );
    }
  }
  return {
    ...value,
    PORTAL_PUBLIC_URL:
      value.PORTAL_PUBLIC_URL ?? value.AUTH_URL?.replace(/\/+$/, '') ?? 'http://127.0.0.1:3000',
    AUTH_SECRET: value.AUTH_SECRET ?? DEV_AUTH_SECRET,
    PORTCULLIS_ENCRYPTION_KEY: value.PORTCULLIS_ENCRYPTION_KEY ?? DEV_ENCRYPTION_KEY,
  };
}

export const env = readPortalEnv();
