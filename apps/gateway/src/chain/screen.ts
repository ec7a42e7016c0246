import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConfigCache } from '../config/config-cache.ts';
import { problem } from '../http/problem.ts';
import { type McpTarget, mcpTarget } from '../mcp/target.ts';
import { orgFromHost, type ParsedPath, parseGatewayPath, unsafePathSegment } from '../pipeline/route.ts';
import type { ChainDeps } from './deps.ts';
import type { GatewayRequest, Refusal } from './request.ts';

export type ScreenOutcome =
  | { kind: 'pass'; path: ParsedPath }
  | { kind: 'mcp'; target: McpTarget }
  | { kind: 'refused'; refusal: Refusal };

/**
 * Step 2 — screen, before any key is looked at: unsafe path segments, the gateway path, then the API's
 * IP rules, CORS and declared size limits (policies.screen). Sets `path` (and `route` when a policy
 * refuses) on the record.
 */
export async function screen(
  deps: Pick<ChainDeps, 'orgHostSuffix' | 'policies'>,
  request: GatewayRequest,
  req: IncomingMessage,
  res: ServerResponse,
  /** this request's view of the config cache, shared with admit */
  config: ConfigCache,
): Promise<ScreenOutcome> {
  // Before anything else looks at the path: an upstream may resolve these segments into another path.
  const unsafe = unsafePathSegment(request.pathname);
  if (unsafe !== null) {
    const refused = problem(
      'bad_request',
      `The path segment '${unsafe.slice(0, 64)}' is not allowed: '.' and '..' segments (also encoded, or followed by ';') are refused.`,
    );
    return { kind: 'refused', refusal: { problem: refused, drain: true } };
  }
  const hostOrg = orgFromHost(req.headers.host, deps.orgHostSuffix);
  // mcp: an app's MCP server (`/mcp`) names no API, so it is not a gateway path
  if (hostOrg === undefined && request.pathname === '/mcp') return { kind: 'mcp', target: { kind: 'app' } };
  const path = hostOrg === null ? null : parseGatewayPath(req.url, hostOrg);
  if (!path) {
    const notFound = problem(
      'route_not_found',
      hostOrg === undefined
        ? 'Gateway paths look like /{org}/{api}/{path}.'
        : 'On an organization host, gateway paths look like /{api}/{path}.',
    );
    return { kind: 'refused', refusal: { problem: notFound, drain: false } };
  }
  request.path = path;

  // Right after route resolve, before key verification: IP rules, CORS, size limits
  // mcp: `/{org}/{api}/mcp` of a REST API serving MCP tools
  const mcp = await mcpTarget(path, config);
  const screened = await deps.policies.screen(req, res, path, config, {
    clientIp: request.clientIp,
    anyMethod: mcp !== null,
  });
  if (screened.kind === 'continue') return mcp ? { kind: 'mcp', target: mcp } : { kind: 'pass', path };
  request.route = screened.route;
  return {
    kind: 'refused',
    // 'answered': a CORS preflight the policy engine already answered
    refusal: screened.kind === 'rejected' ? { problem: screened.problem, drain: true } : { drain: true },
  };
}
