import { err, ok, type Result } from '../result.ts';

/** JSON-RPC ids as MCP allows them (never null in a request). */
export type JsonRpcId = string | number;

/** One client→server message, as far as the gateway needs to know it. */
export type ClientMessage =
  | { kind: 'request'; id: JsonRpcId; method: string; params: Record<string, unknown> }
  | { kind: 'notification'; method: string }
  /** the client's answer to a server request (sampling, elicitation, roots) */
  | { kind: 'response'; id: JsonRpcId | null };

/** A message the gateway answers itself, with the request-log code it is recorded under. */
export interface JsonRpcRefusal {
  httpStatus: number;
  /** the request log's status when it differs from the HTTP one (a refusal JSON-RPC answers with 200) */
  logStatus?: number;
  code: number;
  message: string;
  errorCode: string;
  id: JsonRpcId | null;
  data?: Record<string, unknown>;
}

export const JSONRPC = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** what the MCP SDK answers for an unknown or ended session */
  sessionNotFound: -32001,
  /** the gateway could not reach the upstream MCP server */
  upstreamUnavailable: -32002,
  /** the gateway cannot keep session state right now */
  gatewayUnavailable: -32003,
} as const;

/** Client→server requests of MCP (2025-11-25); anything else is answered "method not found". */
const REQUEST_METHODS = new Set([
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'tasks/get',
  'tasks/result',
  'tasks/list',
  'tasks/cancel',
]);

const NOTIFICATION_METHODS = new Set([
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
  'notifications/tasks/status',
]);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isId = (value: unknown): value is JsonRpcId =>
  (typeof value === 'string' && value.length <= 256) || Number.isSafeInteger(value);

const refusal = (
  httpStatus: number,
  code: number,
  message: string,
  errorCode: string,
  id: JsonRpcId | null = null,
): JsonRpcRefusal => ({ httpStatus, code, message, errorCode, id });

/**
 * Parses the body of a POST: one JSON-RPC 2.0 message. Batches are refused (MCP dropped them in
 * 2025-06-18, and one message per request is what lets each be metered and logged on its own).
 */
export function parseClientMessage(body: Buffer): Result<ClientMessage, JsonRpcRefusal> {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    return err(refusal(400, JSONRPC.parseError, 'Parse error: the body is not JSON.', 'mcp_parse_error'));
  }
  if (Array.isArray(raw)) {
    const message = 'Batches are not supported: send one JSON-RPC message per request.';
    return err(refusal(400, JSONRPC.invalidRequest, message, 'mcp_batch_refused'));
  }
  if (!isObject(raw) || raw.jsonrpc !== '2.0') {
    const message = 'Invalid request: expected a JSON-RPC 2.0 message object.';
    return err(refusal(400, JSONRPC.invalidRequest, message, 'mcp_invalid_request'));
  }
  const hasId = raw.id !== undefined;
  if (hasId && !isId(raw.id) && !(raw.id === null && raw.method === undefined)) {
    const message = 'Invalid request: the id must be a string or an integer.';
    return err(refusal(400, JSONRPC.invalidRequest, message, 'mcp_invalid_request'));
  }
  const id = isId(raw.id) ? raw.id : null;
  if (raw.method === undefined) {
    if (hasId && ('result' in raw || 'error' in raw)) return ok({ kind: 'response', id });
    const message = 'Invalid request: a message needs a method, or a result or error with an id.';
    return err(refusal(400, JSONRPC.invalidRequest, message, 'mcp_invalid_request', id));
  }
  if (typeof raw.method !== 'string' || raw.method.length > 128) {
    const message = 'Invalid request: the method must be a string.';
    return err(refusal(400, JSONRPC.invalidRequest, message, 'mcp_invalid_request', id));
  }
  const method = raw.method;
  const known = hasId ? REQUEST_METHODS.has(method) : NOTIFICATION_METHODS.has(method);
  if (!known) {
    const message = `Method not found: ${JSON.stringify(method.slice(0, 64))} is not an MCP ${hasId ? 'request' : 'notification'} this gateway forwards.`;
    // A request gets its answer as JSON-RPC does; a notification has none to get, so HTTP says it.
    return err({
      ...refusal(hasId ? 200 : 400, JSONRPC.methodNotFound, message, 'mcp_method_not_found', id),
      logStatus: 400,
    });
  }
  if (raw.params !== undefined && !isObject(raw.params)) {
    const message = 'Invalid params: params must be an object.';
    return err({
      ...refusal(hasId ? 200 : 400, JSONRPC.invalidParams, message, 'mcp_invalid_params', id),
      logStatus: 400,
    });
  }
  if (!hasId) return ok({ kind: 'notification', method });
  return ok({ kind: 'request', id: id as JsonRpcId, method, params: raw.params ?? {} });
}

/** The body of a JSON-RPC error answer. */
export function errorBody(failure: JsonRpcRefusal): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id: failure.id,
    error: {
      code: failure.code,
      message: failure.message,
      ...(failure.data ? { data: failure.data } : {}),
    },
  });
}

/** The body of a JSON-RPC result answer. */
export const resultBody = (id: JsonRpcId, result: Record<string, unknown>): string =>
  JSON.stringify({ jsonrpc: '2.0', id, result });
