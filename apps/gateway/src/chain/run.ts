import type { IncomingMessage, ServerResponse } from 'node:http';
import { problem, sendProblem } from '../http/problem.ts';
import { describeError } from '../log.ts';
import { serveMcp } from '../mcp/endpoint.ts';
import { takeInternalCall } from '../mcp/internal.ts';
import { resolveRequestId } from '../pipeline/request-id.ts';
import type { RequestTrace } from '../tracing/types.ts';
import { admit } from './admit.ts';
import { complete, completeRefused, sendUsageBeforeEnd } from './complete.ts';
import type { ChainDeps } from './deps.ts';
import { opsAnswer, sendOpsAnswer } from './ops.ts';
import {
  type AdmittedRequest,
  type GatewayRequest,
  newRequest,
  type Refusal,
  type Served,
} from './request.ts';
import { screen } from './screen.ts';
import { serveAi } from './serve-ai.ts';
import { endSessionOfRefusedMcpKey, serveMcpProxy } from './serve-mcp-proxy.ts';
import { serveProxy } from './serve-proxy.ts';

const MCP_FROM_TOOL: Refusal = {
  problem: problem('bad_request', 'An MCP tool call cannot reach an MCP endpoint.'),
  drain: true,
};

/** The HTTP edge: gives each request its id and runs the chain; an error escaping a step is a 500. */
export function createHandler(deps: ChainDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const requestId = resolveRequestId(req.headers);
    res.setHeader('x-request-id', requestId);
    runChain(deps, req, res, requestId).catch((error: unknown) => {
      deps.log('error', 'unhandled gateway error', { requestId, error: describeError(error) });
      sendProblem(res, problem('internal_error', 'The gateway failed to handle this request.'), requestId);
    });
  };
}

/**
 * The chain, top to bottom: ops → screen → admit → serve → complete. Each step works on the request's
 * record (chain/request.ts); a refusal on the way jumps to completion. With a tracer, each step runs in
 * its own span and the trace ends with the response status; without one, each is called directly.
 */
async function runChain(
  deps: ChainDeps,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
): Promise<void> {
  const startedAt = deps.now();
  // mcp: a tools/call the gateway sent itself names its tool and client; the marks never go further
  const internal = takeInternalCall(req.headers, deps.mcp.caller.secret);
  const request = newRequest(req, requestId, {
    startedAt,
    clientIp: internal ? internal.clientIp : deps.policies.clientIp(req),
  });
  if (internal) {
    request.tool = internal.tool;
    request.toolOrigin = { host: internal.host, proto: internal.proto };
  }

  // 1. ops: probes are answered before the chain proper (and never traced)
  const probe = await opsAnswer(deps.sql, request.pathname);
  if (probe) return sendOpsAnswer(res, probe);

  const trace = deps.tracer?.start(request.method, req.headers, req.url);
  if (!trace) {
    await runSteps(deps, request, req, res, undefined);
    return;
  }
  try {
    const status = await runSteps(deps, request, req, res, trace);
    trace.end(status, request.route);
  } catch (error) {
    trace.end(500); // the handler answers 500 internal_error
    throw error;
  }
}

/** Steps 2–5 for one request; returns the status the request is logged with. */
async function runSteps(
  deps: ChainDeps,
  request: GatewayRequest,
  req: IncomingMessage,
  res: ServerResponse,
  trace: RequestTrace | undefined,
): Promise<number> {
  // One wait for Postgres across every config lookup of this request (a hung database costs it that much)
  const config = deps.cache.forRequest();

  // 2. screen: unsafe path, gateway path, IP rules, CORS, declared size limits
  const screened = trace
    ? await trace.step('screen', () => screen(deps, request, req, res, config))
    : await screen(deps, request, req, res, config);
  if (screened.kind === 'refused') return completeRefused(deps, request, req, res, screened.refusal);
  // mcp: MCP servers of REST APIs and of apps check key and subscription themselves, without limits
  if (screened.kind === 'mcp') {
    // a tool call reaching an MCP endpoint could call itself without end
    if (request.tool !== undefined) return completeRefused(deps, request, req, res, MCP_FROM_TOOL);
    return serveMcp(deps, request, req, res, screened.target, config);
  }

  // 3. admit: route, key, subscription, rate limits and quota
  const { path } = screened;
  const admitted = trace
    ? await trace.step('admit', () => admit(deps, request, req, res, path, config))
    : await admit(deps, request, req, res, path, config);
  if (admitted.kind === 'refused') {
    endSessionOfRefusedMcpKey(deps, request, req, admitted.refusal);
    return completeRefused(deps, request, req, res, admitted.refusal);
  }
  const admittedRequest = admitted.request;
  sendUsageBeforeEnd(deps, admittedRequest, res);

  // 4. serve, by the API's kind; the upstream's traceparent names the serve step's span as parent
  const serve = serveStep(admittedRequest);
  const served = trace
    ? await trace.step(serve.name, () =>
        serve.run(deps, admittedRequest, req, res, trace.traceparent(), trace),
      )
    : await serve.run(deps, admittedRequest, req, res, undefined);

  // 5. complete: usage event, request log row, access line
  return trace
    ? await trace.step('complete', () => complete(deps, admittedRequest, served))
    : complete(deps, admittedRequest, served);
}

type ServeStep = (
  deps: ChainDeps,
  request: AdmittedRequest,
  req: IncomingMessage,
  res: ServerResponse,
  traceparent: string | undefined,
  trace?: RequestTrace,
) => Promise<Served>;

/** Which serve step an admitted request takes. MCP APIs get their own step here. */
function serveStep(request: AdmittedRequest): { name: string; run: ServeStep } {
  switch (request.route.kind) {
    case 'AI':
    case 'PROMPT':
      return { name: 'serve-ai', run: serveAi };
    case 'MCP':
      return { name: 'serve-mcp-proxy', run: serveMcpProxy };
    default:
      return { name: 'serve-proxy', run: serveProxy };
  }
}
