import type { IncomingHttpHeaders } from 'node:http';
import type { RouteRecord } from '../config/repository.ts';
import { describeError, type Logger } from '../log.ts';
import type { McpSessionStore } from '../mcp/sessions.ts';
import { applyHeaderTransform, isEmptyTransform, recordAccess } from '../policies/transforms.ts';
import type { UpstreamClient } from '../upstream/proxy.ts';
import { apiScope, SESSION_HEADER, sessionHeader } from './session.ts';

const CLOSE_TIMEOUT_MS = 5_000;

/**
 * Ends the upstream's session (DELETE with its id), best-effort: an upstream that is down, slow or
 * does not support it lets the session expire on its side. Never throws.
 */
export async function closeUpstreamSession(
  deps: { upstream: UpstreamClient; log: Logger },
  route: RouteRecord,
  upstreamSessionId: string,
): Promise<void> {
  const headers: Record<string, string | string[]> = { [SESSION_HEADER]: upstreamSessionId };
  // The API's header transform may carry what its upstream requires (its own credentials).
  if (!isEmptyTransform(route.policies.requestHeaders))
    applyHeaderTransform(recordAccess(headers), route.policies.requestHeaders, 'request');
  const answer = await deps.upstream
    .exchange(
      {
        routeKey: route.apiId,
        orgId: route.orgId,
        upstreamUrl: route.upstreamUrl,
        upstream: route.upstream,
        rest: '',
        query: '',
      },
      { method: 'DELETE', headers, body: null, signal: AbortSignal.timeout(CLOSE_TIMEOUT_MS) },
    )
    .catch((error: unknown) => {
      deps.log('warn', 'ending an upstream MCP session failed', { error: describeError(error) });
      return null;
    });
  if (answer?.ok) await answer.value.body.dump().catch(() => undefined);
}

/**
 * A request refused because its key was revoked or expired: the session it names (if that key opened
 * it for this API) ends now, here and upstream, rather than idling until it expires.
 */
export async function endSessionOfRefusedKey(
  deps: { upstream: UpstreamClient; mcp: { sessions: McpSessionStore }; log: Logger },
  refused: { route: RouteRecord; keyId: string; code: string | undefined },
  headers: IncomingHttpHeaders,
): Promise<void> {
  if (refused.code !== 'key_revoked' && refused.code !== 'key_expired') return;
  const sessionId = sessionHeader(headers);
  if (!sessionId) return;
  try {
    const binding = await deps.mcp.sessions.get(sessionId);
    if (!binding || binding.keyId !== refused.keyId || binding.scope !== apiScope(refused.route.apiId))
      return;
    await deps.mcp.sessions.end(sessionId);
    if (binding.upstreamSessionId !== undefined)
      await closeUpstreamSession(deps, refused.route, binding.upstreamSessionId);
  } catch (error) {
    deps.log('warn', 'ending the MCP session of a refused key failed', { error: describeError(error) });
  }
}
