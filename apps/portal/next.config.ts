import type { NextConfig } from 'next';

// Kept in this file, not imported: Next compiles next.config.ts with relative imports resolved from the
// working directory, which is the repo root for `next build apps/portal`.
/**
 * The portal's security headers, for every route (next.config.ts `headers()`).
 *
 * The CSP allows inline scripts and styles because Next's App Router inlines its bootstrap and flight
 * data without nonces; everything else is same-origin. The browser never calls the gateway: the "try it"
 * console posts to the portal's own /catalog/…/try route, which forwards server-side, so connect-src
 * stays 'self'.
 */
export interface SecurityHeaderOptions {
  /** the origin browsers use for the portal: HSTS only when it is https */
  publicUrl: string;
  /** `next dev`: React Refresh evaluates code, so script-src needs 'unsafe-eval' there (never in production) */
  development?: boolean;
}

export interface Header {
  key: string;
  value: string;
}

/** One year, the minimum browsers' preload lists accept. */
const HSTS_MAX_AGE_SECONDS = 31_536_000;

export function contentSecurityPolicy(options: { development?: boolean } = {}): string {
  const directives: Array<[string, string[]]> = [
    ['default-src', ["'self'"]],
    ['script-src', ["'self'", "'unsafe-inline'", ...(options.development ? ["'unsafe-eval'"] : [])]],
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:', 'blob:']],
    ['font-src', ["'self'", 'data:']],
    ['connect-src', ["'self'"]],
    ['frame-ancestors', ["'none'"]],
    ['base-uri', ["'self'"]],
    ['form-action', ["'self'"]],
    ['object-src', ["'none'"]],
  ];
  return directives.map(([name, sources]) => `${name} ${sources.join(' ')}`).join('; ');
}

function isHttps(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

export function securityHeaders(options: SecurityHeaderOptions): Header[] {
  return [
    { key: 'Content-Security-Policy', value: contentSecurityPolicy(options) },
    { key: 'X-Frame-Options', value: 'DENY' },
    { key: 'X-Content-Type-Options', value: 'nosniff' },
    { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
    { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
    ...(isHttps(options.publicUrl)
      ? [{ key: 'Strict-Transport-Security', value: `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains` }]
      : []),
  ];
}

/**
 * The portal's public URL the way env.ts resolves it (PORTAL_PUBLIC_URL, else AUTH_URL), plus next-auth's
 * legacy NEXTAUTH_URL.
 * next.config.ts runs outside the app's bundle, before env.ts can be loaded (it pulls workspace
 * TypeScript packages), so it hands its environment to this function instead.
 */
export function publicUrlFrom(source: Record<string, string | undefined>): string {
  return source.PORTAL_PUBLIC_URL || source.AUTH_URL || source.NEXTAUTH_URL || 'http://127.0.0.1:3000';
}

const config: NextConfig = {
  reactStrictMode: true,
  // Internal packages ship TypeScript source.
  transpilePackages: ['@portcullis/core', '@portcullis/db', '@portcullis/billing'],
  // Native and driver packages load from node_modules at run time instead of being bundled.
  serverExternalPackages: ['@node-rs/argon2', 'pg', '@prisma/adapter-pg', '@prisma/client', 'nodemailer'],
  poweredByHeader: false,
  async headers() {
    return [
      {
        source: '/:path*',
        headers: securityHeaders({
          publicUrl: publicUrlFrom(process.env),
          development: process.env.NODE_ENV === 'development',
        }),
      },
    ];
  },
};

export default config;
