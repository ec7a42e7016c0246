import type { LimitDecision, WindowState } from '../limits/types.ts';

const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

/** The window a client should pace itself by: the fewest requests left, then the longest wait. */
function mostRestrictive(windows: WindowState[]): WindowState | undefined {
  let pick: WindowState | undefined;
  for (const window of windows) {
    if (
      !pick ||
      window.remaining < pick.remaining ||
      (window.remaining === pick.remaining && window.resetMs > pick.resetMs)
    ) {
      pick = window;
    }
  }
  return pick;
}

/**
 * Rate-limit headers in the structured-field form of draft-ietf-httpapi-ratelimit-headers:
 * `RateLimit-Policy` lists every window (`"w60";q=10;w=60, "w3600";q=1000;w=3600`), `RateLimit` reports
 * the most restrictive one (`"w60";r=7;t=42`, t = seconds until that window is fully replenished).
 * x-quota-* report the monthly quota (x-quota-reset: seconds until the billing period ends). Retry-After
 * on a denial: the time until every refusing window admits one request, or until the period ends.
 */
export function limitHeaders(decision: LimitDecision): Record<string, string> {
  const headers: Record<string, string> = {};
  if (decision.windows.length > 0) {
    headers['ratelimit-policy'] = decision.windows
      .map((w) => `"${w.name}";q=${w.limit};w=${w.windowSeconds}`)
      .join(', ');
    const refusing = decision.windows.filter((w) => w.retryAfterMs > 0);
    const shown =
      decision.outcome === 'rate_limited' && refusing.length > 0
        ? refusing.reduce((a, b) => (b.retryAfterMs > a.retryAfterMs ? b : a))
        : mostRestrictive(decision.windows);
    if (shown) headers.ratelimit = `"${shown.name}";r=${shown.remaining};t=${seconds(shown.resetMs)}`;
    if (decision.outcome === 'rate_limited') {
      const wait = Math.max(0, ...refusing.map((w) => w.retryAfterMs));
      headers['retry-after'] = String(Math.max(1, seconds(wait)));
    }
  }
  if (decision.quota) {
    headers['x-quota-limit'] = String(decision.quota.limit);
    headers['x-quota-remaining'] = String(decision.quota.remaining);
    headers['x-quota-reset'] = String(seconds(decision.quota.resetMs));
    if (decision.outcome === 'quota_exceeded') {
      headers['retry-after'] = String(Math.max(1, seconds(decision.quota.resetMs)));
    }
  }
  return headers;
}
