/**
 * Next.js calls `register` once per server process. The mail dispatcher runs in the Node.js server
 * only: never in the edge runtime, and never while `next build` prerenders pages.
 */
export async function register(): Promise<void> {
  // NEXT_RUNTIME is inlined at build time, and only this `if (… === 'nodejs') { import }` shape lets the
  // edge bundle drop nodemailer and pg; it is the one variable env.ts cannot stand in for.
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { env } = await import('./env');
    if (env.NEXT_PHASE !== 'phase-production-build') {
      const { startMailDispatcher } = await import('./server/mail/dispatcher');
      startMailDispatcher();
    }
  }
}
