import type { AdmittedRequest } from '../chain/request.ts';
import type { AdmitDeps } from '../pipeline/admit.ts';
import { JSONRPC, type JsonRpcId, type JsonRpcRefusal } from './jsonrpc.ts';

/** New sessions one key may open per minute (each is state here and on the upstream). */
export const SESSIONS_PER_MINUTE = 60;

/**
 * initialize is not charged to the plan (see serve.ts), but sessions are not free: each is state in
 * the gateway's store and on the upstream, and an unbounded flood of them would crowd out everyone
 * else's. So each key may open SESSIONS_PER_MINUTE, counted in the limit store under a tag of its own
 * (the plan's windows never share its counter). A store failure lets the session open: refusing
 * every client while Redis is away would be worse than a short unbounded stretch.
 */
export async function admitNewSession(
  deps: AdmitDeps,
  request: AdmittedRequest,
  id: JsonRpcId | null,
): Promise<{ refusal: JsonRpcRefusal; headers: Record<string, string> } | null> {
  const nowMs = deps.now();
  let decision: Awaited<ReturnType<AdmitDeps['limits']['consume']>>;
  try {
    decision = await deps.limits.consume({
      subscriptionId: `${request.subscription.id}:mcp-sessions`,
      nowMs,
      identity: { keyId: request.key.id },
      windows: [{ name: 'mcp-sessions', limit: SESSIONS_PER_MINUTE, windowSeconds: 60, scope: 'key' }],
      quota: null,
      failureMode: request.route.policies.redisFailureMode,
      accuracy: 'EXACT',
    });
  } catch (error) {
    deps.onInfraError('limits', error);
    return null;
  }
  if (decision.outcome !== 'rate_limited') return null;
  const waitMs = Math.max(...decision.windows.map((window) => window.retryAfterMs), 1_000);
  const retryAfter = String(Math.ceil(waitMs / 1_000));
  return {
    refusal: {
      httpStatus: 429,
      code: JSONRPC.invalidRequest,
      message: `Too many new sessions: a key may open ${SESSIONS_PER_MINUTE} per minute. Retry after ${retryAfter} seconds.`,
      errorCode: 'rate_limited',
      id,
    },
    headers: { 'retry-after': retryAfter },
  };
}
