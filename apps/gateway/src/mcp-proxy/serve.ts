import type { IncomingMessage, ServerResponse } from 'node:http';
import { hashApiKey } from '@portcullis/core/keys';
import type { AdmittedRequest, Served } from '../chain/request.ts';
import type { Logger } from '../log.ts';
import { limitNewSession } from '../mcp/session-limit.ts';
import type { McpSessionStore } from '../mcp/sessions.ts';
import { type AdmitDeps, chargeLimits } from '../pipeline/admit.ts';
import { extractApiKey } from '../pipeline/key.ts';
import { checkSubscription } from '../pipeline/subscription.ts';
import { bufferBody } from '../policies/size-limits.ts';
import type { ExchangeRequest, ForwardTarget, UpstreamClient } from '../upstream/proxy.ts';
import { relayAnswer, type StreamWatch, upstreamHeaders } from './forward.ts';
import {
  type ClientMessage,
  JSONRPC,
  type JsonRpcId,
  type JsonRpcRefusal,
  parseClientMessage,
} from './jsonrpc.ts';
import { answerRefusal, answerToolRefusal, upstreamFailure } from './refusals.ts';
import { apiScope, type GatewaySession, resolveSession, sessionsUnavailable } from './session.ts';
import { toolAllowed, toolPolicy } from './tools.ts';
import { closeUpstreamSession, endSessionOfRefusedKey } from './upstream-session.ts';

export interface McpProxyDeps extends AdmitDeps {
  upstream: UpstreamClient;
  mcp: { sessions: McpSessionStore };
  log: Logger;
}

/** One message is read whole to be inspected; MCP messages are small, tool arguments included. */
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
const MCP_PATH = '/mcp';
/** how often an open event stream checks its key and session (revocations end it within this) */
const STREAM_CHECK_MS = 2_000;

interface Exchange {
  deps: McpProxyDeps;
  request: AdmittedRequest;
  req: IncomingMessage;
  res: ServerResponse;
  traceparent: string | undefined;
  /** the JSON-RPC id of the request being served, once parsed (answers to it must carry it) */
  id: JsonRpcId | null;
}

/**
 * An MCP API (an upstream MCP server, Streamable HTTP) at `/{org}/{api}/mcp`: POST carries one
 * JSON-RPC message, GET the server's notification stream, DELETE ends the session. The gateway keeps
 * its own session ids (the upstream's never reach the client), offers only the allow-listed tools, and
 * charges rate limits and quota to tools/call messages only: initialize, lists, pings and
 * notifications are protocol upkeep a client cannot avoid, and a plan prices calls, not upkeep. Those
 * are still logged, and metered as not billable.
 */
export async function serveMcpProxy(
  deps: McpProxyDeps,
  request: AdmittedRequest,
  req: IncomingMessage,
  res: ServerResponse,
  traceparent?: string,
): Promise<Served> {
  const x: Exchange = { deps, request, req, res, traceparent, id: null };
  // Only an allowed tools/call is billed; everything else is marked here, before any answer ends.
  request.billable = false;
  if (request.path.rest !== MCP_PATH) {
    req.resume();
    const message = `This MCP API is served at /${request.path.orgSlug}/${request.path.apiSlug}/mcp.`;
    return refuse(x, refusal(404, JSONRPC.invalidRequest, message, 'route_not_found'));
  }
  switch (request.method) {
    case 'POST':
      return servePost(x);
    case 'GET':
    case 'DELETE': {
      req.resume();
      const session = await resolveSession(deps.mcp.sessions, req.headers, owner(request), null);
      if (!session.ok) return refuse(x, session.error);
      return request.method === 'GET' ? serveStream(x, session.value) : endSession(x, session.value);
    }
    default: {
      req.resume();
      const message = `Method not allowed: MCP endpoints take POST, GET and DELETE, not ${request.method.slice(0, 16)}.`;
      return refuse(x, refusal(405, JSONRPC.invalidRequest, message, 'method_not_allowed'), {
        allow: 'GET, POST, DELETE',
      });
    }
  }
}

const refuse = (x: Exchange, refusal: JsonRpcRefusal, headers?: Record<string, string>) =>
  answerRefusal(x.res, x.request, refusal, headers);

const owner = (request: AdmittedRequest) => ({ keyId: request.key.id, apiId: request.route.apiId });

const refusal = (httpStatus: number, code: number, message: string, errorCode: string): JsonRpcRefusal => ({
  httpStatus,
  code,
  message,
  errorCode,
  id: null,
});

async function servePost(x: Exchange): Promise<Served> {
  const { deps, request, req } = x;
  const limit = Math.min(request.route.policies.maxBodyBytes, MAX_MESSAGE_BYTES);
  const body = await bufferBody(req, limit, (length) => {
    request.counters.bytesIn += length;
  });
  if (!body.ok) {
    if (body.error === 'broken')
      return refuse(x, refusal(400, JSONRPC.invalidRequest, 'The body broke off.', 'client_closed'));
    const message = `The message exceeds ${limit} bytes.`;
    return refuse(x, refusal(413, JSONRPC.invalidRequest, message, 'payload_too_large'), {
      connection: 'close',
    });
  }
  const parsed = parseClientMessage(body.value);
  if (!parsed.ok) return refuse(x, parsed.error);
  const message = parsed.value;
  x.id = message.kind === 'request' ? message.id : null;
  if (message.kind === 'request' && message.method === 'initialize') return initialize(x, body.value);

  const session = await resolveSession(deps.mcp.sessions, req.headers, owner(request), x.id);
  if (!session.ok) return refuse(x, session.error);
  let extraHeaders: Record<string, string> = {};
  if (message.kind === 'request' && message.method === 'tools/call') {
    const admitted = await admitToolCall(x, message);
    if (!admitted.ok) return admitted.served;
    extraHeaders = admitted.headers;
  }
  const listing = message.kind === 'request' && message.method === 'tools/list';
  return forward(x, session.value, body.value, extraHeaders, listing);
}

/** tools/call: the tool must be allowed, then the call is charged to the rate limits and quota. */
async function admitToolCall(
  x: Exchange,
  message: Extract<ClientMessage, { kind: 'request' }>,
): Promise<{ ok: true; headers: Record<string, string> } | { ok: false; served: Served }> {
  const { deps, request } = x;
  const name = message.params.name;
  if (typeof name !== 'string' || name === '') {
    const invalid = {
      ...refusal(
        200,
        JSONRPC.invalidParams,
        'Invalid params: tools/call needs params.name.',
        'mcp_invalid_params',
      ),
      id: message.id,
      logStatus: 400,
    };
    return { ok: false, served: refuse(x, invalid) };
  }
  request.tool = name.slice(0, 128);
  if (!toolAllowed(toolPolicy(request.route.mcp), name)) {
    const refused: JsonRpcRefusal = {
      httpStatus: 200,
      logStatus: 403,
      code: JSONRPC.invalidParams,
      message: `Tool ${JSON.stringify(name.slice(0, 128))} is not available through this API.`,
      errorCode: 'mcp_tool_not_allowed',
      id: message.id,
      data: { tool: name.slice(0, 128) },
    };
    return { ok: false, served: refuse(x, refused) };
  }
  const charged = await chargeLimits(
    deps,
    request,
    { ip: request.clientIp ?? undefined },
    deps.cache.forRequest(),
  );
  if (!charged.ok)
    return { ok: false, served: answerToolRefusal(x.res, x.request, message.id, charged.error) };
  request.limitHeaders = charged.value;
  request.billable = true;
  return { ok: true, headers: charged.value };
}

/** initialize opens a gateway session around the upstream's, whose id only the gateway keeps. */
async function initialize(x: Exchange, body: Buffer): Promise<Served> {
  const { deps, request } = x;
  const limited = await limitNewSession(deps, request.key.id, request.route.policies.redisFailureMode);
  if (limited) {
    const refusal = { httpStatus: 429, code: JSONRPC.invalidRequest, message: limited.message };
    return refuse(
      x,
      { ...refusal, errorCode: 'rate_limited', id: x.id },
      { 'retry-after': limited.retryAfter },
    );
  }
  const call = await exchange(x, { method: 'POST', body }, undefined);
  if (!call.ok) return call.served;
  const answer = call.answer;
  if (answer.status < 200 || answer.status >= 300) return relay(x, answer, undefined, {}, false);
  const upstreamSessionId = headerValue(answer.headers['mcp-session-id']);
  let sessionId: string;
  try {
    sessionId = await deps.mcp.sessions.create({
      keyId: request.key.id,
      scope: apiScope(request.route.apiId),
      upstreamSessionId,
    });
  } catch {
    answer.body.destroy();
    if (upstreamSessionId) void closeUpstreamSession(deps, request.route, upstreamSessionId);
    return refuse(x, sessionsUnavailable(null));
  }
  return relay(x, answer, sessionId, {}, false);
}

/** The server's notification stream (GET), filtered like any tools/list result it may replay. */
async function serveStream(x: Exchange, session: GatewaySession): Promise<Served> {
  const call = await exchange(x, { method: 'GET', body: null, idleTimeoutMs: 0, stream: true }, session);
  if (!call.ok) return call.served;
  return relay(x, call.answer, session, {}, true);
}

/** DELETE: the gateway's session ends whatever the upstream answers; the upstream's is ended best-effort. */
async function endSession(x: Exchange, session: GatewaySession): Promise<Served> {
  const { deps, request, res } = x;
  try {
    await deps.mcp.sessions.end(session.id);
  } catch {
    return refuse(x, sessionsUnavailable(null));
  }
  const upstreamId = session.binding.upstreamSessionId;
  const started = performance.now();
  if (upstreamId !== undefined) await closeUpstreamSession(deps, request.route, upstreamId);
  res.writeHead(200, { 'content-length': '0' });
  res.end();
  return {
    status: 200,
    usageStatus: 200,
    upstreamMs: upstreamId === undefined ? null : Math.round(performance.now() - started),
    bytesIn: request.counters.bytesIn,
    bytesOut: 0,
    errorCode: null,
  };
}

async function forward(
  x: Exchange,
  session: GatewaySession,
  body: Buffer,
  extraHeaders: Record<string, string>,
  filterTools: boolean,
): Promise<Served> {
  const call = await exchange(x, { method: 'POST', body }, session);
  if (!call.ok) return call.served;
  return relay(x, call.answer, session, extraHeaders, filterTools);
}

/**
 * An open event stream is checked every STREAM_CHECK_MS: a key revoked or expired meanwhile ends it
 * (and its session, here and upstream); a subscription no longer active, or a session ended by
 * another request, ends the stream.
 */
function streamWatch(x: Exchange, session: GatewaySession): StreamWatch {
  const { deps, request, req } = x;
  return {
    everyMs: STREAM_CHECK_MS,
    async check() {
      const presented = extractApiKey(req.headers);
      const key = presented ? await deps.cache.key(hashApiKey(presented)) : null;
      const now = deps.now();
      const revoked = !key || (key.revokedAt !== null && key.revokedAt <= now);
      if (revoked || (key.expiresAt !== null && key.expiresAt <= now)) {
        const code = revoked ? 'key_revoked' : 'key_expired';
        void endSessionOfRefusedKey(deps, { route: request.route, keyId: request.key.id, code }, req.headers);
        return code;
      }
      const subscription = checkSubscription(await deps.cache.subscriptions(key.appId, request.route.apiId));
      if (!subscription.ok) return subscription.error.code;
      return (await deps.mcp.sessions.get(session.id)) ? null : 'mcp_session_ended';
    },
  };
}

type Answer = Extract<Awaited<ReturnType<UpstreamClient['exchange']>>, { ok: true }>['value'];

async function exchange(
  x: Exchange,
  call: Pick<ExchangeRequest, 'method' | 'body' | 'idleTimeoutMs' | 'stream'>,
  session: GatewaySession | undefined,
): Promise<{ ok: true; answer: Answer } | { ok: false; served: Served }> {
  const { deps, request, req, res } = x;
  const abort = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const { route, path } = request;
  const target: ForwardTarget = {
    routeKey: route.apiId,
    orgId: route.orgId,
    upstreamUrl: route.upstreamUrl,
    upstream: route.upstream,
    rest: '',
    query: path.query,
  };
  const headers = upstreamHeaders(
    req,
    route,
    { requestId: request.requestId, traceparent: x.traceparent },
    session?.binding.upstreamSessionId,
  );
  const answer = await deps.upstream.exchange(target, { ...call, headers, signal: abort.signal });
  if (!answer.ok) {
    const served = refuse(x, upstreamFailure(answer.error, x.id), answer.error.headers);
    return { ok: false, served: { ...served, upstreamMs: answer.error.upstreamMs } };
  }
  // The upstream no longer knows the session (restarted, expired): neither does the gateway from now on.
  if (answer.value.status === 404 && session?.binding.upstreamSessionId !== undefined)
    void deps.mcp.sessions.end(session.id).catch(() => undefined);
  return { ok: true, answer: answer.value };
}

async function relay(
  x: Exchange,
  answer: Answer,
  session: GatewaySession | string | undefined,
  extraHeaders: Record<string, string>,
  filterTools: boolean,
): Promise<Served> {
  const { request, res } = x;
  const policy = toolPolicy(request.route.mcp);
  const relayed = await relayAnswer(res, answer, {
    filter: filterTools && !policy.allowAll ? policy : null,
    sessionId: typeof session === 'string' ? session : session?.id,
    extraHeaders,
    route: request.route,
    counters: request.counters,
    watch: typeof session === 'object' ? streamWatch(x, session) : undefined,
  });
  if (!relayed.ok) {
    const message =
      relayed.error === 'too_large'
        ? "The upstream MCP server's answer is too large."
        : 'The upstream MCP server broke its answer off.';
    // a body cut because the client left (its abort) is the client's doing, not the upstream's
    const clientGone = relayed.error === 'broken' && res.destroyed;
    const failed = refuse(x, {
      ...refusal(clientGone ? 499 : 502, JSONRPC.upstreamUnavailable, message, 'upstream_unavailable'),
      ...(clientGone ? { errorCode: 'client_closed' } : {}),
      id: x.id,
    });
    return { ...failed, upstreamMs: answer.upstreamMs };
  }
  const { ending, cutBy } = relayed.value;
  if (ending !== 'complete') request.billable = false;
  return {
    status: answer.status,
    usageStatus: answer.status,
    upstreamMs: answer.upstreamMs,
    bytesIn: request.counters.bytesIn,
    bytesOut: request.counters.bytesOut,
    errorCode: ending === 'client_gone' ? 'client_closed' : ending === 'cut' ? (cutBy ?? null) : null,
  };
}

const headerValue = (value: string | string[] | undefined): string | undefined =>
  (Array.isArray(value) ? value[0] : value) || undefined;
