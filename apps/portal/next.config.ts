import type { NextConfig } from 'next';

// Kept in this file, not imported: Next compiles next.config.ts with relative imports resolved from the
// working directory, which is the repo root for `next build apps/portal`.
/**
 * The portal's security headers (next.config.ts `headers()`).
 *
 * Pages get their Content-Security-Policy from the proxy (src/server/security/csp.ts): a fresh nonce
 * per response, no inline scripts without it. The routes the proxy does not see (API routes, Next's
 * static files, images) get the static policy below, which allows no inline script at all. The browser
 * never calls the gateway: the "try it" console posts to the portal's own /catalog/…/try route, which
 * forwards server-side, so connect-src stays 'self'.
 */
export interface SecurityHeaderOptions {
  /** the origin browsers use for the portal: HSTS only when it is https */
  publicUrl: string;
}

export interface Header {
  key: string;
  value: string;
}

/** One year, the minimum browsers' preload lists accept. */
const HSTS_MAX_AGE_SECONDS = 31_536_000;

/**
 * The policy of routes without a page: same-origin scripts only, never inline ones. Pages add their
 * nonce through `scriptSources` (src/server/security/csp.ts): one list of directives for both.
 */
export function contentSecurityPolicy(
  options: { development?: boolean; scriptSources?: string[] } = {},
): string {
  const directives: Array<[string, string[]]> = [
    ['default-src', ["'self'"]],
    // `next dev` evaluates code for React Refresh: 'unsafe-eval' there, never in production.
    [
      'script-src',
      ["'self'", ...(options.scriptSources ?? []), ...(options.development ? ["'unsafe-eval'"] : [])],
    ],
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

/**
 * The routes src/proxy.ts does not run for (the complement of its matcher): they take the static
 * policy. Pages must not: a second policy would be enforced beside the nonce one and block Next's
 * inline scripts.
 */
export const ROUTES_WITHOUT_PROXY = '/:path((?:api|_next)/.*|favicon\\.ico|.*\\.(?:png|svg|ico|css|js))';

function isHttps(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/** The headers every route gets (the Content-Security-Policy is set per route, see `headers()`). */
export function securityHeaders(options: SecurityHeaderOptions): Header[] {
  return [
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
  transpilePackages: [
    '@portcullis/core',
    '@portcullis/db',
    '@portcullis/billing',
    '@portcullis/services',
    '@portcullis/usage',
  ],
  // Native and driver packages load from node_modules at run time instead of being bundled.
  serverExternalPackages: ['@node-rs/argon2', 'pg', '@prisma/adapter-pg', '@prisma/client', 'nodemailer'],
  poweredByHeader: false,
  async headers() {
    const development = process.env.NODE_ENV === 'development';
    return [
      { source: '/:path*', headers: securityHeaders({ publicUrl: publicUrlFrom(process.env) }) },
      {
        source: ROUTES_WITHOUT_PROXY,
        headers: [{ key: 'Content-Security-Policy', value: contentSecurityPolicy({ development }) }],
      },
    ];
  },
};

export default config;
