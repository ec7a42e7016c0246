import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { completeRefused, completeUnmetered } from '../chain/complete.ts';
import type { ChainDeps } from '../chain/deps.ts';
import type { GatewayRequest } from '../chain/request.ts';
import type { ConfigCache } from '../config/config-cache.ts';
import type { RouteRecord } from '../config/repository.ts';
import { type GatewayProblem, problem } from '../http/problem.ts';
import { describeError } from '../log.ts';
import { extractApiKey, verifyKey } from '../pipeline/key.ts';
import { checkRoutable } from '../pipeline/route.ts';
import { checkSubscription } from '../pipeline/subscription.ts';
import { err, ok, type Result } from '../result.ts';
import { type Caller, callTool, type ToolCaller } from './call.ts';
import { apiTools, appTools, type OfferedTool, servesMcpTools } from './catalog.ts';
import { answerMessage, type ToolSet } from './server.ts';
import { limitNewSession } from './session-limit.ts';
import type { McpSessionStore } from './sessions.ts';
import type { McpTarget } from './target.ts';
import { readBody, sendJsonRpcError } from './wire.ts';

/** What the MCP endpoints need besides the chain's own dependencies. */
export interface McpDeps {
  sessions: McpSessionStore;
  caller: ToolCaller;
  /** the largest JSON-RPC message accepted (bytes) */
  maxBodyBytes: number;
}

type Deps = ChainDeps & { mcp: McpDeps };

/**
 * An MCP endpoint request, from method to log row. Key and subscription are checked on every message,
 * but protocol messages use no rate limit or quota and are not billed: only tools/call is, through the
 * chain it makes its HTTP request through (mcp/call.ts).
 */
export async function serveMcp(
  deps: Deps,
  request: GatewayRequest,
  req: IncomingMessage,
  res: ServerResponse,
  target: McpTarget,
  config: ConfigCache,
): Promise<number> {
  const refuse = (refusal: GatewayProblem) =>
    completeRefused(deps, request, req, res, { problem: refusal, drain: true });
  if (req.method !== 'POST' && req.method !== 'DELETE') {
    return refuse(
      problem(
        'method_not_allowed',
        'The MCP endpoint takes POST (JSON-RPC messages) and DELETE (end a session); it opens no event stream.',
        { allow: 'POST, DELETE' },
      ),
    );
  }
  const admitted = await admitMcp(deps, request, req, target, config);
  if (!admitted.ok) return refuse(admitted.error);
  const { scope } = admitted.value;
  const key = admitted.value.key;
  const sessionId = singleHeader(req.headers['mcp-session-id']);
  const unmetered = (status: number, errorCode: string | null) =>
    completeUnmetered(deps, request, { status, errorCode, ...request.counters });

  let binding: Awaited<ReturnType<McpSessionStore['get']>>;
  try {
    binding = sessionId === undefined ? null : await deps.mcp.sessions.get(sessionId);
  } catch (error) {
    deps.onInfraError('config', error);
    return refuse(
      problem('config_unavailable', 'MCP sessions cannot be read right now; retry shortly.', {
        'retry-after': '1',
      }),
    );
  }
  const sessionKnown = binding !== null && binding.keyId === key.id && binding.scope === scope;

  if (req.method === 'DELETE') {
    req.resume();
    if (sessionId === undefined) return unmetered(missingSession(res), 'mcp_session_missing');
    if (!sessionKnown) return unmetered(sessionNotFound(res), 'mcp_session_not_found');
    await deps.mcp.sessions.end(sessionId).catch((error: unknown) => deps.onInfraError('config', error));
    res.writeHead(204, { 'cache-control': 'no-store' }).end();
    return unmetered(204, null);
  }

  const body = await readBody(req, deps.mcp.maxBodyBytes, request.counters);
  if (body.kind === 'too_large') {
    return refuse(
      problem('payload_too_large', `MCP messages are at most ${deps.mcp.maxBodyBytes} bytes.`, {
        connection: 'close',
      }),
    );
  }
  if (body.kind === 'aborted') return unmetered(499, 'client_closed');
  const message = parseMessage(body.text);
  if (!message.ok) {
    sendJsonRpcError(res, 400, message.error.code, message.error.message);
    return unmetered(400, 'mcp_invalid_message');
  }
  const initialize = message.value.method === 'initialize';
  if (!initialize) {
    if (sessionId === undefined) return unmetered(missingSession(res), 'mcp_session_missing');
    if (!sessionKnown) return unmetered(sessionNotFound(res), 'mcp_session_not_found');
  } else {
    const failureMode = admitted.value.route?.policies.redisFailureMode ?? 'local';
    const limited = await limitNewSession(deps, key.id, failureMode);
    if (limited) {
      sendJsonRpcError(res, 429, -32600, limited.message, { 'retry-after': limited.retryAfter });
      return unmetered(429, 'rate_limited');
    }
  }

  const apiKey = extractApiKey(req.headers) ?? '';
  const toolSet = toolSetFor(deps, request, target, admitted.value.route, key.appId, config, {
    apiKey,
    keyId: key.id,
    clientIp: request.clientIp,
    host: singleHeader(req.headers.host),
    proto: 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http',
  });
  const answer = await answerMessage(toolSet, message.value, {
    url: `http://gateway${request.pathname}`,
    headers: forwardedHeaders(req),
  });
  const headers: Record<string, string> = { ...answer.headers, 'cache-control': 'no-store' };
  if (initialize && answer.initializedVersion !== undefined) {
    try {
      headers['mcp-session-id'] = await deps.mcp.sessions.create({
        keyId: key.id,
        scope,
        protocolVersion: answer.initializedVersion,
      });
    } catch (error) {
      deps.onInfraError('config', error);
      return refuse(
        problem('config_unavailable', 'MCP sessions cannot be opened right now; retry shortly.', {
          'retry-after': '1',
        }),
      );
    }
  } else if (sessionId !== undefined && sessionKnown) {
    headers['mcp-session-id'] = sessionId;
  }
  const bytes = answer.body === null ? null : Buffer.from(answer.body);
  headers['content-length'] = String(bytes?.length ?? 0);
  res.writeHead(answer.status, headers);
  res.end(bytes ?? undefined);
  request.counters.bytesOut = bytes?.length ?? 0;
  return unmetered(answer.status, answer.status >= 400 ? 'mcp_invalid_message' : null);
}

interface McpAdmission {
  key: NonNullable<GatewayRequest['key']>;
  route: RouteRecord | null;
  /** what a session is bound to besides the key */
  scope: string;
}

/** Route (an API's endpoint), key, then subscription (an API's endpoint): the first refusal wins. */
async function admitMcp(
  deps: Deps,
  request: GatewayRequest,
  req: IncomingMessage,
  target: McpTarget,
  config: ConfigCache,
): Promise<Result<McpAdmission, GatewayProblem>> {
  try {
    let route: RouteRecord | null = null;
    if (target.kind === 'api') {
      const { orgSlug, apiSlug } = target.path;
      const routed = checkRoutable(await config.route(orgSlug, apiSlug));
      if (!routed.ok || !servesMcpTools(routed.value)) {
        return err(problem('route_not_found', `No MCP server is published at /${orgSlug}/${apiSlug}/mcp.`));
      }
      route = routed.value;
      request.route = route;
    }
    const key = await verifyKey(config, req.headers, deps.now());
    if (!key.ok) {
      // A key revoked or expired mid-session ends the session, wherever it is continued next.
      const sessionId = singleHeader(req.headers['mcp-session-id']);
      if (sessionId !== undefined && (key.error.code === 'key_revoked' || key.error.code === 'key_expired')) {
        await deps.mcp.sessions.end(sessionId).catch((error: unknown) => deps.onInfraError('config', error));
      }
      return err(key.error);
    }
    request.key = key.value;
    if (!route) return ok({ key: key.value, route, scope: `app:${key.value.appId}` });
    const subscription = checkSubscription(await config.subscriptions(key.value.appId, route.apiId));
    if (!subscription.ok) return err(subscription.error);
    request.subscription = subscription.value;
    return ok({ key: key.value, route, scope: `api:${route.apiId}` });
  } catch (error) {
    deps.onInfraError('config', error);
    return err(
      problem('config_unavailable', 'Configuration cannot be loaded right now; retry shortly.', {
        'retry-after': '1',
      }),
    );
  }
}

/** The tools this key may call at this endpoint: loaded once per message, only if the message needs them. */
function toolSetFor(
  deps: Deps,
  request: GatewayRequest,
  target: McpTarget,
  route: RouteRecord | null,
  appId: string,
  config: ConfigCache,
  who: Caller,
): ToolSet {
  let loaded: Promise<OfferedTool[]> | undefined;
  const load = async (): Promise<OfferedTool[]> => {
    if (target.kind === 'api' && route) {
      const { orgSlug, apiSlug } = target.path;
      return apiTools(route).map((def) => ({ name: def.name, def, orgSlug, apiSlug }));
    }
    return subscribedTools(config, appId);
  };
  return {
    tools: () => {
      // the client gets a generic error (mcp/server.ts); the real one is logged with the request id
      loaded ??= load().catch((error: unknown) => {
        deps.log('error', 'MCP tools could not be loaded', {
          requestId: request.requestId,
          error: describeError(error),
        });
        throw error;
      });
      return loaded;
    },
    call: (tool, args): Promise<CallToolResult> => callTool(deps.mcp.caller, tool, args, who),
  };
}

/** The app's ACTIVE subscriptions → their routable APIs serving MCP → namespaced tools. */
async function subscribedTools(config: ConfigCache, appId: string): Promise<OfferedTool[]> {
  const active = await config.activeApis(appId);
  const apis = await Promise.all(
    active.map(async (api) => {
      const routed = checkRoutable(await config.route(api.orgSlug, api.apiSlug));
      // the slugs may have moved since the list was cached: only the API subscribed to counts
      if (!routed.ok || routed.value.apiId !== api.apiId || !servesMcpTools(routed.value)) return null;
      return { orgSlug: api.orgSlug, apiSlug: api.apiSlug, tools: apiTools(routed.value) };
    }),
  );
  return appTools(apis.filter((api) => api !== null));
}

const singleHeader = (value: string | string[] | undefined) => (Array.isArray(value) ? undefined : value);

/** Only what the SDK's transport looks at; never the key. */
function forwardedHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['accept', 'content-type', 'mcp-protocol-version']) {
    const value = singleHeader(req.headers[name]);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function missingSession(res: ServerResponse): number {
  sendJsonRpcError(
    res,
    400,
    -32000,
    'Bad Request: the Mcp-Session-Id header is required; send initialize first.',
  );
  return 400;
}

/** MCP: 404 tells the client its session is gone, and it starts a new one with initialize. */
function sessionNotFound(res: ServerResponse): number {
  sendJsonRpcError(res, 404, -32001, 'Session not found: initialize a new session.');
  return 404;
}

type Message = { method?: unknown; [key: string]: unknown };

function parseMessage(text: string): Result<Message, { code: number; message: string }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return err({ code: -32700, message: 'Parse error: the body is not JSON.' });
  }
  if (Array.isArray(parsed)) {
    return err({
      code: -32600,
      message: 'Invalid Request: JSON-RPC batches are not supported; send one message per request.',
    });
  }
  if (typeof parsed !== 'object' || parsed === null) {
    return err({ code: -32600, message: 'Invalid Request: a JSON-RPC message is an object.' });
  }
  return ok(parsed as Message);
}
