import type { ServerResponse } from 'node:http';
import { closeAfterLingering } from './linger.ts';

/** Stable machine-readable codes; clients switch on these, so never rename one. */
export type ProblemCode =
  | 'bad_request'
  | 'route_not_found'
  | 'api_retired'
  | 'key_missing'
  | 'key_invalid'
  | 'key_revoked'
  | 'key_expired'
  | 'no_subscription'
  | 'subscription_inactive'
  | 'payment_required'
  | 'rate_limited'
  | 'quota_exceeded'
  | 'limiter_unavailable'
  | 'config_unavailable'
  | 'upstream_unreachable'
  | 'upstream_timeout'
  // src/upstream, http/hardening.ts
  | 'upstream_unavailable'
  | 'upstream_forbidden'
  | 'request_timeout'
  | 'client_closed'
  // src/policies
  | 'ip_denied'
  | 'cors_rejected'
  | 'method_not_allowed'
  | 'headers_too_large'
  | 'payload_too_large'
  | 'operation_not_found'
  | 'request_invalid'
  // src/ai: prompt APIs; the /v1 surfaces answer in OpenAI's shape with the same codes
  | 'ai_config_invalid'
  | 'provider_error'
  | 'invalid_model_output'
  | 'token_limit_exceeded'
  | 'budget_exceeded'
  | 'guardrail_blocked'
  | 'internal_error';

const CATALOG: Record<ProblemCode, { status: number; title: string }> = {
  bad_request: { status: 400, title: 'Bad Request' },
  route_not_found: { status: 404, title: 'Not Found' },
  api_retired: { status: 410, title: 'API Retired' },
  key_missing: { status: 401, title: 'API Key Missing' },
  key_invalid: { status: 401, title: 'API Key Invalid' },
  key_revoked: { status: 401, title: 'API Key Revoked' },
  key_expired: { status: 401, title: 'API Key Expired' },
  no_subscription: { status: 403, title: 'No Subscription' },
  subscription_inactive: { status: 403, title: 'Subscription Inactive' },
  payment_required: { status: 402, title: 'Payment Required' },
  rate_limited: { status: 429, title: 'Rate Limit Exceeded' },
  quota_exceeded: { status: 429, title: 'Quota Exceeded' },
  limiter_unavailable: { status: 503, title: 'Service Unavailable' },
  config_unavailable: { status: 503, title: 'Service Unavailable' },
  upstream_unreachable: { status: 502, title: 'Bad Gateway' },
  upstream_timeout: { status: 504, title: 'Gateway Timeout' },
  // src/upstream, http/hardening.ts
  upstream_unavailable: { status: 503, title: 'Service Unavailable' },
  upstream_forbidden: { status: 502, title: 'Bad Gateway' },
  request_timeout: { status: 408, title: 'Request Timeout' },
  // nginx's non-standard status for a request whose client hung up first; never seen by that client
  client_closed: { status: 499, title: 'Client Closed Request' },
  // src/policies
  ip_denied: { status: 403, title: 'Client Address Denied' },
  cors_rejected: { status: 403, title: 'CORS Request Rejected' },
  method_not_allowed: { status: 405, title: 'Method Not Allowed' },
  headers_too_large: { status: 431, title: 'Request Header Fields Too Large' },
  payload_too_large: { status: 413, title: 'Payload Too Large' },
  operation_not_found: { status: 404, title: 'Operation Not Found' },
  request_invalid: { status: 400, title: 'Request Invalid' },
  ai_config_invalid: { status: 500, title: 'AI Configuration Invalid' },
  provider_error: { status: 502, title: 'Bad Gateway' },
  invalid_model_output: { status: 502, title: 'Invalid Model Output' },
  token_limit_exceeded: { status: 429, title: 'Token Limit Exceeded' },
  budget_exceeded: { status: 429, title: 'Budget Exceeded' },
  // 400 on the input; 422 (the problem's own status) on the model's output
  guardrail_blocked: { status: 400, title: 'Blocked by a Guardrail' },
  internal_error: { status: 500, title: 'Internal Server Error' },
};

/** One failing field of a request validated against the API's OpenAPI document. */
export interface FieldError {
  in: 'path' | 'query' | 'header' | 'body';
  name: string;
  message: string;
}

export interface GatewayProblem {
  code: ProblemCode;
  detail: string;
  /** Extra response headers (Retry-After, RateLimit, WWW-Authenticate…). */
  headers?: Record<string, string>;
  /** request_invalid: which fields failed and why */
  errors?: FieldError[];
  /** instead of the code's catalog status (guardrail_blocked on an output: 422) */
  status?: number;
  /** guardrail_blocked: the rule's name */
  rule?: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  requestId: string;
  errors?: FieldError[];
  rule?: string;
}

export const problem = (
  code: ProblemCode,
  detail: string,
  headers?: Record<string, string>,
): GatewayProblem => ({
  code,
  detail,
  ...(headers ? { headers } : {}),
});

export function problemStatus(code: ProblemCode): number {
  return CATALOG[code].status;
}

export function problemBody(p: GatewayProblem, requestId: string): ProblemBody {
  const { status, title } = CATALOG[p.code];
  return {
    type: `https://portcullis.dev/problems/${p.code.replaceAll('_', '-')}`,
    title,
    status: p.status ?? status,
    detail: p.detail,
    code: p.code,
    requestId,
    ...(p.errors ? { errors: p.errors } : {}),
    ...(p.rule ? { rule: p.rule } : {}),
  };
}

/** The one place a problem becomes bytes on the wire. */
export function sendProblem(res: ServerResponse, p: GatewayProblem, requestId: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(problemBody(p, requestId));
  for (const [name, value] of Object.entries(p.headers ?? {})) res.setHeader(name, value);
  res.setHeader('x-request-id', requestId);
  res.setHeader('content-type', 'application/problem+json');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.setHeader('cache-control', 'no-store');
  if (p.code === 'key_missing' || p.code === 'key_invalid') res.setHeader('www-authenticate', 'Bearer');
  // A refusal that ends the connection while the body may still be arriving (413): keep reading it
  // for a moment, or the client may lose the answer to a reset.
  if (p.headers?.connection === 'close') closeAfterLingering(res);
  res.statusCode = p.status ?? problemStatus(p.code);
  res.end(body);
}
