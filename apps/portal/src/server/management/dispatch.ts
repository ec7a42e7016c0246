import type { Db } from '@portcullis/db';
import type { ResolvedApiToken } from '@portcullis/services/verbs/api-tokens';
import { scopeAllows } from '@portcullis/services/verbs/api-tokens';
import type { z } from 'zod';
import { can } from '../permissions';
import { authenticate, bearerOf } from './auth';
import type { Endpoint, ManagementCtx } from './endpoint';
import { fieldErrors, type Problem, problemOf, problemResponse, validationProblem } from './problem';

export interface ManagementDeps {
  db: Db;
  reads?: Db | undefined;
}

/** Bodies above this are refused before they are read whole (an OpenAPI upload is at most 1 MB of text). */
export const MAX_BODY_BYTES = 1_100_000;

type Outcome<T> = { ok: true; value: T } | { ok: false; problem: Problem };

const unauthorized = (detail: string): Problem => ({
  status: 401,
  code: 'UNAUTHORIZED',
  title: 'Unauthorized',
  detail,
  headers: { 'www-authenticate': 'Bearer realm="portcullis-management"' },
});

/** The caller's live token, or the 401 to answer. */
export async function tokenOf(request: Request, deps: ManagementDeps): Promise<Outcome<ResolvedApiToken>> {
  const bearer = bearerOf(request);
  if (!bearer)
    return { ok: false, problem: unauthorized('Send an API token as Authorization: Bearer pcm_…') };
  const token = await authenticate(deps.db, bearer);
  if (!token) return { ok: false, problem: unauthorized('The token is unknown, revoked or expired') };
  return { ok: true, value: token };
}

/** The scope and role checks every call makes, REST or MCP. */
export function accessProblem(token: ResolvedApiToken, endpoint: Endpoint): Problem | null {
  if (!scopeAllows(token.scopes, endpoint.scope)) {
    return {
      status: 403,
      code: 'MISSING_SCOPE',
      title: 'Missing scope',
      detail: `This token lacks the scope ${endpoint.scope}`,
    };
  }
  if (!can(token.role, endpoint.permission)) {
    return {
      status: 403,
      code: 'FORBIDDEN',
      title: 'Forbidden',
      detail: `The token's role (${token.role}) does not allow this`,
    };
  }
  return null;
}

export const ctxOf = (token: ResolvedApiToken, deps: ManagementDeps): ManagementCtx => ({
  db: deps.db,
  reads: deps.reads,
  org: token.org,
  actor: token.actor,
  role: token.role,
  scopes: token.scopes,
});

function parsePart(schema: z.ZodType | undefined, value: unknown, where: string): Outcome<object> {
  if (!schema) return { ok: true, value: {} };
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { ok: false, problem: validationProblem(fieldErrors(parsed.error, where)) };
  return { ok: true, value: (parsed.data ?? {}) as object };
}

/** Validates path, query and body separately (errors name where the field was) and merges them. */
export function parseInput(
  endpoint: Endpoint,
  parts: { params: unknown; query: unknown; body: unknown },
): Outcome<Record<string, unknown>> {
  const params = parsePart(endpoint.params, parts.params, 'path');
  if (!params.ok) return params;
  const query = parsePart(endpoint.query, parts.query, 'query');
  if (!query.ok) return query;
  const body = parsePart(endpoint.body, parts.body ?? {}, 'body');
  if (!body.ok) return body;
  return { ok: true, value: { ...body.value, ...query.value, ...params.value } };
}

/** Runs the handler; whatever it throws becomes a problem (5xx ones logged, never shown). */
export async function runEndpoint(
  endpoint: Endpoint,
  ctx: ManagementCtx,
  input: Record<string, unknown>,
): Promise<Outcome<unknown>> {
  try {
    return { ok: true, value: await endpoint.handler(ctx, input) };
  } catch (error) {
    const problem = problemOf(error);
    if (problem.status >= 500) console.error(`management API ${endpoint.id} failed`, error);
    return { ok: false, problem };
  }
}

/** JSON with bigint amounts as decimal strings. */
export function jsonResponse(value: unknown, status = 200): Response {
  const text = JSON.stringify(value ?? null, (_key, v) => (typeof v === 'bigint' ? v.toString() : v));
  return new Response(text, { status, headers: { 'content-type': 'application/json' } });
}

export { problemResponse };
