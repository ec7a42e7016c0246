import { DomainError, type DomainErrorCode } from '@portcullis/core/errors';
import { ZodError } from 'zod';

/** RFC 9457 problem details, with a stable `code` and per-field `errors` for validation problems. */
export interface Problem {
  status: number;
  code: string;
  title: string;
  detail: string;
  errors?: Record<string, string>;
  headers?: Record<string, string>;
}

/** A relative URI reference (RFC 9457 §3.1.1) into the portal's own reference page. */
const TYPE_BASE = '/docs/management-api#problem-';

export function problemResponse(problem: Problem): Response {
  const { headers, ...body } = problem;
  return new Response(
    JSON.stringify({ type: `${TYPE_BASE}${body.code.toLowerCase().replaceAll('_', '-')}`, ...body }),
    { status: problem.status, headers: { 'content-type': 'application/problem+json', ...headers } },
  );
}

const DOMAIN_STATUS: Record<DomainErrorCode, { status: number; title: string }> = {
  NOT_FOUND: { status: 404, title: 'Not found' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  CONFLICT: { status: 409, title: 'Conflict' },
  BAD_REQUEST: { status: 400, title: 'Bad request' },
  UNAUTHORIZED: { status: 401, title: 'Unauthorized' },
  TOO_MANY_REQUESTS: { status: 429, title: 'Too many requests' },
  UNAVAILABLE: { status: 503, title: 'Service unavailable' },
};

/** First message per field; nested fields are dotted paths, prefixed with where they came from. */
export function fieldErrors(error: ZodError, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || prefix || '(root)';
    if (!(field in out)) out[field] = issue.message;
  }
  return out;
}

export const validationProblem = (errors: Record<string, string>): Problem => ({
  status: 400,
  code: 'VALIDATION_FAILED',
  title: 'Validation failed',
  detail: Object.entries(errors)
    .map(([field, message]) => `${field}: ${message}`)
    .join('; '),
  errors,
});

/** The one mapping of what a handler threw to a problem; anything unexpected is a 500 without details. */
export function problemOf(error: unknown): Problem {
  if (error instanceof DomainError) {
    const { status, title } = DOMAIN_STATUS[error.code];
    return {
      status,
      code: error.code,
      title,
      detail: error.message,
      ...(error.fields ? { errors: error.fields } : {}),
    };
  }
  if (error instanceof ZodError) return validationProblem(fieldErrors(error));
  return {
    status: 500,
    code: 'INTERNAL',
    title: 'Internal error',
    detail: 'Something went wrong. Please try again.',
  };
}
