import type { RedisFailureMode } from '@portcullis/core/policies';
import type { AdmitDeps } from '../pipeline/admit.ts';

/** New MCP sessions one key may open per minute, at all MCP endpoints of the gateway together. */
export const SESSIONS_PER_MINUTE = 60;

export interface SessionRefusal {
  message: string;
  retryAfter: string;
}

/**
 * initialize is not charged to the plan, but sessions are not free: each is state in the gateway's
 * store (and an MCP API's upstream), and an unbounded flood of them would crowd out everyone else's.
 * So each key may open SESSIONS_PER_MINUTE, whichever MCP endpoint it opens them at, counted in the
 * limit store under a tag of its own (no plan's windows share its counter). `failureMode` is the API's
 * Redis failure mode where there is one API. A store failure lets the session open: refusing every
 * client while Redis is away would be worse than a short unbounded stretch.
 */
export async function limitNewSession(
  deps: AdmitDeps,
  keyId: string,
  failureMode: RedisFailureMode,
): Promise<SessionRefusal | null> {
  let decision: Awaited<ReturnType<AdmitDeps['limits']['consume']>>;
  try {
    decision = await deps.limits.consume({
      subscriptionId: `mcp-sessions:${keyId}`,
      nowMs: deps.now(),
      identity: { keyId },
      windows: [{ name: 'mcp-sessions', limit: SESSIONS_PER_MINUTE, windowSeconds: 60, scope: 'key' }],
      quota: null,
      failureMode,
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
    message: `Too many new sessions: a key may open ${SESSIONS_PER_MINUTE} per minute. Retry after ${retryAfter} seconds.`,
    retryAfter,
  };
}
