import { DomainError } from '@portcullis/core/errors';
import { findVisibleApi } from '@portcullis/services/verbs/catalog';
import { env } from '../../../../../../env';
import { currentUserId } from '../../../../../../server/auth';
import { serviceDb } from '../../../../../../server/db';
import {
  forwardedHeaders,
  gatewayTarget,
  MAX_TRY_BODY_BYTES,
  MAX_TRY_RESPONSE_BYTES,
  readCapped,
  sameOrigin,
  TRY_TIMEOUT_MS,
  ZTryRequest,
} from '../../../_lib/try-proxy';

export const dynamic = 'force-dynamic';

const json = (status: number, body: unknown) =>
  Response.json(body, { status, headers: { 'cache-control': 'no-store' } });

/**
 * The "try it" console's proxy: forwards one request to the gateway under this API's prefix and answers
 * with what came back (status, headers, body) as JSON. See ../../../_lib/try-proxy.ts for the SSRF and
 * CSRF rules; the key in the request body is used once and never stored or logged.
 */
export async function POST(
  req: Request,
  { params }: { params: Promise<{ orgSlug: string; apiSlug: string }> },
) {
  if (!sameOrigin(req)) return json(403, { error: 'The console only works from the portal itself.' });
  const userId = await currentUserId();
  if (!userId) return json(401, { error: 'Please sign in to use the console.' });
  const { orgSlug, apiSlug } = await params;
  try {
    await findVisibleApi({ db: serviceDb(), actor: { id: userId } }, { orgSlug, apiSlug });
  } catch (error) {
    if (error instanceof DomainError && error.code === 'NOT_FOUND')
      return json(404, { error: 'API not found' });
    throw error;
  }

  const raw = await readCapped(req.body, MAX_TRY_BODY_BYTES * 2);
  if (raw.truncated) return json(413, { error: 'The request is too large for the console.' });
  let parsedJson: unknown;
  try {
    parsedJson = JSON.parse(raw.text);
  } catch {
    return json(400, { error: 'The console sent something that is not JSON.' });
  }
  const parsed = ZTryRequest.safeParse(parsedJson);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return json(400, { error: issue?.message ?? 'Invalid request', field: issue?.path.join('.') ?? null });
  }
  const request = parsed.data;
  const target = gatewayTarget(env.GATEWAY_PUBLIC_URL, orgSlug, apiSlug, request.path, request.query);
  if (!target.ok) return json(400, { error: target.error, field: 'path' });

  const started = performance.now();
  let upstream: Response;
  try {
    upstream = await fetch(target.url, {
      method: request.method,
      headers: forwardedHeaders(request),
      body:
        request.body !== null && request.method !== 'GET' && request.method !== 'HEAD'
          ? request.body
          : undefined,
      redirect: 'manual',
      cache: 'no-store',
      signal: AbortSignal.timeout(TRY_TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return json(502, {
      error: timedOut ? 'The gateway did not answer in time.' : 'The gateway could not be reached.',
    });
  }
  const body = await readCapped(upstream.body, MAX_TRY_RESPONSE_BYTES);
  return json(200, {
    url: target.url.href,
    status: upstream.status,
    statusText: upstream.statusText,
    headers: [...upstream.headers.entries()],
    body: body.text,
    truncated: body.truncated,
    durationMs: Math.round(performance.now() - started),
  });
}
