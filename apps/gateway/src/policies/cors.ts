import type { IncomingHttpHeaders } from 'node:http';
import type { CorsPolicy } from '@portcullis/core/policies';

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** A CORS preflight: OPTIONS carrying Origin and Access-Control-Request-Method. */
export function isPreflight(method: string | undefined, headers: IncomingHttpHeaders): boolean {
  return (
    method === 'OPTIONS' &&
    first(headers.origin) !== undefined &&
    first(headers['access-control-request-method']) !== undefined
  );
}

function originAllowed(policy: CorsPolicy, origin: string | undefined): origin is string {
  if (!policy.enabled || !origin) return false;
  return policy.allowOrigins.includes('*') || policy.allowOrigins.includes(origin);
}

/** '*' is only sent when credentials are off: browsers refuse it together with credentials. */
function allowOriginHeaders(policy: CorsPolicy, origin: string): Record<string, string> {
  if (policy.allowOrigins.includes('*') && !policy.allowCredentials) {
    return { 'access-control-allow-origin': '*' };
  }
  return {
    'access-control-allow-origin': origin,
    ...(policy.allowCredentials ? { 'access-control-allow-credentials': 'true' } : {}),
    vary: 'Origin',
  };
}

export type PreflightDecision =
  | { allowed: true; headers: Record<string, string> }
  | { allowed: false; reason: string };

export function decidePreflight(policy: CorsPolicy, headers: IncomingHttpHeaders): PreflightDecision {
  const origin = first(headers.origin);
  if (!originAllowed(policy, origin)) return { allowed: false, reason: `Origin ${origin} is not allowed.` };
  const method = (first(headers['access-control-request-method']) ?? '').trim().toUpperCase();
  if (!policy.allowMethods.includes(method))
    return { allowed: false, reason: `Method ${method} is not allowed.` };
  const requested = (first(headers['access-control-request-headers']) ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const anyHeader = policy.allowHeaders.includes('*') && !policy.allowCredentials;
  const refused = anyHeader ? [] : requested.filter((h) => !policy.allowHeaders.includes(h));
  if (refused.length > 0) return { allowed: false, reason: `Headers not allowed: ${refused.join(', ')}.` };
  return {
    allowed: true,
    headers: {
      ...allowOriginHeaders(policy, origin),
      // Preflight answers differ per origin even with '*' (a refused origin gets a 403): never share them.
      vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      'access-control-allow-methods': policy.allowMethods.join(', '),
      'access-control-allow-headers': anyHeader ? requested.join(', ') : policy.allowHeaders.join(', '),
      'access-control-max-age': String(policy.maxAgeSeconds),
    },
  };
}

/** Headers for an actual (non-preflight) response; null when CORS is off or the origin is not allowed. */
export function corsResponseHeaders(
  policy: CorsPolicy,
  headers: IncomingHttpHeaders,
): Record<string, string> | null {
  const origin = first(headers.origin);
  if (!originAllowed(policy, origin)) return null;
  return {
    ...allowOriginHeaders(policy, origin),
    ...(policy.exposeHeaders.length > 0
      ? { 'access-control-expose-headers': policy.exposeHeaders.join(', ') }
      : {}),
  };
}
