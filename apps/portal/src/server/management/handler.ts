import { containsNul, nulProblem, readJsonBody } from './body';
import {
  accessProblem,
  ctxOf,
  jsonResponse,
  MAX_BODY_BYTES,
  type ManagementDeps,
  parseInput,
  problemResponse,
  runEndpoint,
  tokenOf,
} from './dispatch';
import type { Endpoint } from './endpoint';
import { handleMcp } from './mcp';
import { openApiDocument } from './openapi';
import { MANAGEMENT_ENDPOINTS, routerOf } from './table';

/** Where the catch-all route is mounted: paths in the table are relative to it. */
const MANAGEMENT_BASE = '/api/v1';

/**
 * The management API's one entry point (the catch-all route hands every method here). `endpoints` is
 * the table; tests pass it explicitly, production uses MANAGEMENT_ENDPOINTS.
 */
export function managementHandler(
  deps: ManagementDeps,
  endpoints: readonly Endpoint[] = MANAGEMENT_ENDPOINTS,
) {
  const route = routerOf(endpoints);
  let document: object | null = null;
  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const path = url.pathname.startsWith(MANAGEMENT_BASE)
      ? url.pathname.slice(MANAGEMENT_BASE.length).replace(/\/+$/, '') || '/'
      : url.pathname;
    if (path === '/openapi.json') {
      if (request.method !== 'GET') return methodNotAllowed(['GET']);
      document ??= openApiDocument(endpoints);
      return jsonResponse(document);
    }
    const token = await tokenOf(request, deps);
    if (!token.ok) return problemResponse(token.problem);
    if (path === '/mcp') return handleMcp(request, { deps, token: token.value, endpoints });

    const match = route(request.method, path);
    if (match.kind === 'none') {
      return problemResponse({
        status: 404,
        code: 'NOT_FOUND',
        title: 'Not found',
        detail: `No endpoint at ${path}`,
      });
    }
    if (match.kind === 'wrongMethod') return methodNotAllowed(match.allow);
    const { endpoint } = match;
    const denied = accessProblem(token.value, endpoint);
    if (denied) return problemResponse(denied);

    const body = endpoint.body
      ? await readJsonBody(request, endpoint.maxBodyBytes ?? MAX_BODY_BYTES)
      : { ok: true as const, value: undefined };
    if (!body.ok) return problemResponse(body.problem);
    const query = Object.fromEntries(url.searchParams);
    if (containsNul(query)) return problemResponse(nulProblem);
    const input = parseInput(endpoint, {
      params: match.params,
      query,
      body: body.value,
    });
    if (!input.ok) return problemResponse(input.problem);
    const result = await runEndpoint(endpoint, ctxOf(token.value, deps), input.value);
    if (!result.ok) return problemResponse(result.problem);
    return jsonResponse(result.value, endpoint.status ?? 200);
  };
}

function methodNotAllowed(allow: string[]): Response {
  return problemResponse({
    status: 405,
    code: 'METHOD_NOT_ALLOWED',
    title: 'Method not allowed',
    detail: `Use ${allow.join(', ')}`,
    headers: { allow: allow.join(', ') },
  });
}
