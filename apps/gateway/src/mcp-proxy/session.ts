import type { IncomingHttpHeaders } from 'node:http';
import type { McpSessionBinding, McpSessionStore } from '../mcp/sessions.ts';
import { err, ok, type Result } from '../result.ts';
import { JSONRPC, type JsonRpcId, type JsonRpcRefusal } from './jsonrpc.ts';

export const SESSION_HEADER = 'mcp-session-id';

export interface GatewaySession {
  id: string;
  binding: McpSessionBinding;
}

/** The scope an MCP API's sessions are bound to: a session of one API is unknown to every other. */
export const apiScope = (apiId: string) => `api:${apiId}`;

export function sessionHeader(headers: IncomingHttpHeaders): string | undefined {
  const value = headers[SESSION_HEADER];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The gateway session a request names, bound to the key presenting it and to this API. A session of
 * another key or API is answered exactly like one that never existed (404), so ids cannot be probed.
 */
export async function resolveSession(
  sessions: McpSessionStore,
  headers: IncomingHttpHeaders,
  owner: { keyId: string; apiId: string },
  id: JsonRpcId | null,
): Promise<Result<GatewaySession, JsonRpcRefusal>> {
  const sessionId = sessionHeader(headers);
  if (sessionId === undefined || sessionId === '') {
    return err({
      httpStatus: 400,
      code: JSONRPC.invalidRequest,
      message: 'Bad request: the Mcp-Session-Id header is missing; send initialize first.',
      errorCode: 'mcp_session_missing',
      id,
    });
  }
  let binding: McpSessionBinding | null;
  try {
    binding = await sessions.get(sessionId);
  } catch {
    return err(sessionsUnavailable(id));
  }
  if (!binding || binding.keyId !== owner.keyId || binding.scope !== apiScope(owner.apiId)) {
    return err({
      httpStatus: 404,
      code: JSONRPC.sessionNotFound,
      message: 'Session not found: it ended or expired; initialize a new one.',
      errorCode: 'mcp_session_not_found',
      id,
    });
  }
  return ok({ id: sessionId, binding });
}

export const sessionsUnavailable = (id: JsonRpcId | null): JsonRpcRefusal => ({
  httpStatus: 503,
  code: JSONRPC.gatewayUnavailable,
  message: 'MCP sessions cannot be kept right now; retry shortly.',
  errorCode: 'mcp_sessions_unavailable',
  id,
});
