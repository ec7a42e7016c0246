/**
 * Next.js calls `register` once per server process. The client-address stamp (per-IP limits) and the
 * mail dispatcher run in the Node.js server only: never in the edge runtime, and never while `next
 * build` prerenders pages.
 */
export async function register(): Promise<void> {
  // NEXT_RUNTIME is inlined at build time, and only this `if (… === 'nodejs') { import }` shape lets the
  // edge bundle drop nodemailer and pg; it is the one variable env.ts cannot stand in for.
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { env } = await import('./env');
    if (env.NEXT_PHASE !== 'phase-production-build') {
      const { installClientAddressStamp } = await import('./server/client-address');
      installClientAddressStamp({ secret: env.AUTH_SECRET, trustedProxies: env.PORTAL_TRUSTED_PROXIES });
      const { startMailDispatcher } = await import('./server/mail/dispatcher');
      startMailDispatcher();
    }
  }
}
