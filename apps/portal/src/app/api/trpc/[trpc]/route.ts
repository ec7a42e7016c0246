import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { env } from '../../../../env';
import { currentUserId } from '../../../../server/auth';
import { clientAddressFromHeaders } from '../../../../server/client-address';
import { serviceDb, serviceReads } from '../../../../server/db';
import { appRouter } from '../../../../server/root';
import { crossSiteRefusal, crossSiteResponse } from '../../../../server/security/origin';
import { createTrpcContext } from '../../../../server/trpc';

export const dynamic = 'force-dynamic';

function handler(req: Request) {
  // Mutations are POSTs: one sent by another site's page (with the session cookie) is refused.
  const refusal = crossSiteRefusal(req, env.PORTAL_PUBLIC_URL);
  if (refusal) return crossSiteResponse(refusal);
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    createContext: async () =>
      createTrpcContext({
        db: serviceDb(),
        reads: serviceReads(),
        userId: await currentUserId(),
        isProduction: env.NODE_ENV === 'production',
        clientIp: clientAddressFromHeaders(req.headers, env.AUTH_SECRET),
      }),
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR')
        console.error(`tRPC ${path ?? '?'} failed:`, error.cause ?? error);
    },
  });
}

export { handler as GET, handler as POST };
