import type { LimitDecision } from '../limits/types.ts';

const POLICY = 'default';

const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

/**
 * RateLimit headers in the structured-field form of draft-ietf-httpapi-ratelimit-headers
 * (`RateLimit-Policy: "default";q=10;w=60`, `RateLimit: "default";r=7;t=42`), plus x-quota-* for the
 * monthly quota, plus Retry-After on a denial.
 */
export function limitHeaders(decision: LimitDecision, windowSeconds: number): Record<string, string> {
  const headers: Record<string, string> = {};
  if (decision.rate) {
    headers['ratelimit-policy'] = `"${POLICY}";q=${decision.rate.limit};w=${windowSeconds}`;
    headers.ratelimit = `"${POLICY}";r=${decision.rate.remaining};t=${seconds(decision.rate.resetMs)}`;
  }
  if (decision.quota) {
    headers['x-quota-limit'] = String(decision.quota.limit);
    headers['x-quota-remaining'] = String(decision.quota.remaining);
  }
  if (decision.outcome === 'rate_limited' && decision.rate) {
    headers['retry-after'] = String(Math.max(1, seconds(decision.rate.resetMs)));
  }
  if (decision.outcome === 'quota_exceeded' && decision.quota) {
    headers['retry-after'] = String(Math.max(1, seconds(decision.quota.resetMs)));
  }
  return headers;
}
