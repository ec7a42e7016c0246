import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from '../root';
import { createTrpcContext } from '../trpc';
import { db } from './harness';

/**
 * Calls a mutation over HTTP as `userId`, so tests assert on what forms see: the error's message and
 * the formatter's `data.fields` (zod paths are dotted: `cors.maxAgeSeconds`, `targets.0.weight`).
 */
export async function httpMutation(userId: string | null, path: string, input: unknown) {
  const res = await fetchRequestHandler({
    endpoint: '/api/trpc',
    req: new Request(`http://portal.test/api/trpc/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json: input }),
    }),
    router: appRouter,
    createContext: () => createTrpcContext({ db, userId, isProduction: true }),
  });
  const body = (await res.json()) as {
    error?: { json: { message: string; data: { fields?: Record<string, string> | null } } };
  };
  return {
    status: res.status,
    message: body.error?.json.message ?? null,
    fields: body.error?.json.data.fields ?? null,
  };
}
