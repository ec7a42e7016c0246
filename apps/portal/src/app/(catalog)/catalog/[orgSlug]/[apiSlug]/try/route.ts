import { DomainError } from '@portcullis/core/errors';
import { findVisibleApi } from '@portcullis/services/verbs/catalog';
import { env } from '../../../../../../env';
import { currentUserId } from '../../../../../../server/auth';
import { serviceDb } from '../../../../../../server/db';
import { gatewayApiBaseUrl } from '../../../../../../server/gateway-url';
import {
  consoleRequestPath,
  forwardedHeaders,
  gatewayTarget,
  MAX_TRY_BODY_BYTES,
  MAX_TRY_RESPONSE_BYTES,
  readCapped,
  returnedHeaders,
  sameOrigin,
  TRY_METHODS,
  TRY_TIMEOUT_MS,
} from '../../../_lib/try-proxy';

export const dynamic = 'force-dynamic';

/** The console's own refusals, told apart from the gateway's answers by their `type`. */
const problem = (status: number, detail: string) =>
  Response.json(
    { type: 'about:blank#portcullis-console', title: 'The console did not send this request', detail },
    {
      status,
      headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
    },
  );

/**
 * The "try it" console's proxy: forwards one request to the gateway under this API's prefix and
 * answers with the gateway's response. The API reference calls it as its proxy: the request as it
 * would go to the gateway, the gateway URL in `?scalar_url=`. See ../../../_lib/try-proxy.ts for the
 * SSRF and CSRF rules; the key in the Authorization header is used once and never stored or logged.
 */
async function handle(req: Request, { params }: { params: Promise<{ orgSlug: string; apiSlug: string }> }) {
  if (!sameOrigin(req)) return problem(403, 'The console only works from the portal itself.');
  const method = req.method.toUpperCase();
  if (!(TRY_METHODS as readonly string[]).includes(method)) {
    return problem(405, `The console does not send ${method} requests.`);
  }
  const userId = await currentUserId();
  if (!userId) return problem(401, 'Please sign in to use the console.');
  const { orgSlug, apiSlug } = await params;
  try {
    await findVisibleApi({ db: serviceDb(), actor: { id: userId } }, { orgSlug, apiSlug });
  } catch (error) {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') return problem(404, 'API not found');
    throw error;
  }

  const apiBaseUrl = gatewayApiBaseUrl(
    { publicUrl: env.GATEWAY_PUBLIC_URL, orgHostSuffix: env.GATEWAY_ORG_HOST_SUFFIX },
    orgSlug,
    apiSlug,
  );
  const requested = consoleRequestPath(new URL(req.url).searchParams.get('scalar_url'), apiBaseUrl);
  if (!requested.ok) return problem(400, requested.error);
  const target = gatewayTarget(env.GATEWAY_PUBLIC_URL, orgSlug, apiSlug, requested.path, requested.query);
  if (!target.ok) return problem(400, target.error);

  const withBody = method !== 'GET' && method !== 'HEAD';
  const body = withBody ? await readCapped(req.body, MAX_TRY_BODY_BYTES) : null;
  if (body?.truncated) return problem(413, 'The request body is too large for the console (256 KB).');
  let upstream: Response;
  try {
    upstream = await fetch(target.url, {
      method,
      headers: forwardedHeaders(req.headers, Boolean(body?.bytes)),
      body: body?.bytes ? body.data : undefined,
      redirect: 'manual',
      cache: 'no-store',
      signal: AbortSignal.timeout(TRY_TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return problem(
      502,
      timedOut ? 'The gateway did not answer in time.' : 'The gateway could not be reached.',
    );
  }
  const answer = await readCapped(upstream.body, MAX_TRY_RESPONSE_BYTES);
  const headers = returnedHeaders(upstream.headers);
  if (answer.truncated) headers.set('x-portcullis-console-truncated', `${MAX_TRY_RESPONSE_BYTES}`);
  const empty = method === 'HEAD' || [204, 205, 304].includes(upstream.status);
  return new Response(empty ? null : answer.data, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers,
  });
}

export const GET = handle;
export const POST = handle;
export const PUT = handle;
export const PATCH = handle;
export const DELETE = handle;
export const HEAD = handle;
export const OPTIONS = handle;
