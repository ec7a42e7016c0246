import type { IncomingMessage, ServerResponse } from 'node:http';
import { hashApiKey } from '@portcullis/core/keys';
import { serveMcpProxy as serve } from '../mcp-proxy/serve.ts';
import { endSessionOfRefusedKey } from '../mcp-proxy/upstream-session.ts';
import { extractApiKey } from '../pipeline/key.ts';
import type { ChainDeps } from './deps.ts';
import type { AdmittedRequest, GatewayRequest, Refusal, Served } from './request.ts';

/**
 * Step 4c — serve an MCP API (an upstream MCP server) through src/mcp-proxy: sessions, the tool
 * allow-list, per-call rate limits and quota. Sets the record's `tool` and billability before the
 * response ends.
 */
export function serveMcpProxy(
  deps: ChainDeps,
  request: AdmittedRequest,
  req: IncomingMessage,
  res: ServerResponse,
  traceparent?: string,
): Promise<Served> {
  return serve(deps, request, req, res, traceparent);
}

/**
 * An MCP API's request refused because its key was revoked or expired: the session it names ends too,
 * off the response path. Admission does not keep a refused key's record; the cache has it at hand.
 */
export function endSessionOfRefusedMcpKey(
  deps: ChainDeps,
  request: GatewayRequest,
  req: IncomingMessage,
  refusal: Refusal,
): void {
  const { route } = request;
  const code = refusal.problem?.code;
  if (route?.kind !== 'MCP' || (code !== 'key_revoked' && code !== 'key_expired')) return;
  const presented = extractApiKey(req.headers);
  if (!presented) return;
  void deps.cache
    .key(hashApiKey(presented))
    .then((key) => key && endSessionOfRefusedKey(deps, { route, keyId: key.id, code }, req.headers))
    .catch(() => undefined);
}
