import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from '../root';
import { createTrpcContext } from '../trpc';
import { db } from './harness';

type ErrorBody = {
  error?: { json: { message: string; data: { code?: string; fields?: Record<string, string> | null } } };
};

async function send(userId: string | null, req: Request) {
  const res = await fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    createContext: () => createTrpcContext({ db, userId, isProduction: true }),
  });
  const body = (await res.json()) as ErrorBody;
  return {
    status: res.status,
    message: body.error?.json.message ?? null,
    fields: body.error?.json.data.fields ?? null,
  };
}

/**
 * Calls a mutation over HTTP as `userId`, so tests assert on what forms see: the error's message and
 * the formatter's `data.fields` (zod paths are dotted: `cors.maxAgeSeconds`, `targets.0.weight`).
 */
export function httpMutation(userId: string | null, path: string, input: unknown) {
  return httpMutationText(userId, path, JSON.stringify(input));
}

/** A mutation whose input is given as JSON text: documents too deep for JSON.stringify to write. */
export function httpMutationText(userId: string | null, path: string, inputJson: string) {
  return send(
    userId,
    new Request(`http://portal.test/api/trpc/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"json":${inputJson}}`,
    }),
  );
}

/**
 * Calls a query over HTTP (GET, superjson wire format). `dates` lists the dotted input paths the
 * client marks as Date, so a test can send any date text the way a browser's superjson would.
 */
export function httpQuery(userId: string | null, path: string, input: unknown, dates: string[] = []) {
  const meta =
    dates.length > 0 ? { meta: { values: Object.fromEntries(dates.map((d) => [d, ['Date']])) } } : {};
  const encoded = encodeURIComponent(JSON.stringify({ json: input, ...meta }));
  return send(userId, new Request(`http://portal.test/api/trpc/${path}?input=${encoded}`, { method: 'GET' }));
}
