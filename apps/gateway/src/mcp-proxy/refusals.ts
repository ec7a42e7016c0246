import type { ServerResponse } from 'node:http';
import type { AdmittedRequest, Served } from '../chain/request.ts';
import { type GatewayProblem, problemStatus } from '../http/problem.ts';
import type { ForwardFailure } from '../upstream/proxy.ts';
import { errorBody, JSONRPC, type JsonRpcId, type JsonRpcRefusal, resultBody } from './jsonrpc.ts';

/** Answers a message the gateway refuses (or cannot serve) with a JSON-RPC error, and says how it ended. */
export function answerRefusal(
  res: ServerResponse,
  request: AdmittedRequest,
  refusal: JsonRpcRefusal,
  headers: Record<string, string> = {},
): Served {
  request.billable = false;
  const status = refusal.logStatus ?? refusal.httpStatus;
  return send(res, request, refusal.httpStatus, errorBody(refusal), headers, status, refusal.errorCode);
}

/**
 * A tools/call the rate limits or quota refuse. It is answered as the tool's result with isError set
 * (HTTP 200) rather than the gateway's 429: the official client turns any non-2xx answer into a
 * transport error that says nothing about waiting, while a tool result reaches the model, which can
 * read the advice and try again later. Retry-After and the RateLimit headers still go with it.
 */
export function answerToolRefusal(
  res: ServerResponse,
  request: AdmittedRequest,
  id: JsonRpcId,
  problem: GatewayProblem,
): Served {
  request.billable = false;
  const retryAfter = problem.headers?.['retry-after'];
  const advice = retryAfter === undefined ? '' : ` Retry after ${retryAfter} seconds.`;
  const body = resultBody(id, {
    content: [{ type: 'text', text: `${problem.detail}${advice}` }],
    isError: true,
  });
  return send(res, request, 200, body, problem.headers ?? {}, problemStatus(problem.code), problem.code);
}

/** The upstream could not be asked: an error naming what happened, with the gateway's own code. */
export function upstreamFailure(failure: ForwardFailure, id: JsonRpcId | null): JsonRpcRefusal {
  const unreachable = failure.code === 'upstream_unreachable' || failure.code === 'upstream_unavailable';
  return {
    httpStatus: problemStatus(failure.code),
    code: JSONRPC.upstreamUnavailable,
    message: `The upstream MCP server is unavailable: ${failure.detail}`,
    // connection refused and open breakers alike: the server is down as far as the client can tell
    errorCode: unreachable ? 'upstream_unavailable' : failure.code,
    id,
  };
}

function send(
  res: ServerResponse,
  request: AdmittedRequest,
  httpStatus: number,
  body: string,
  headers: Record<string, string>,
  logStatus: number,
  errorCode: string,
): Served {
  const bytes = Buffer.from(body);
  if (!res.headersSent && !res.destroyed) {
    res.writeHead(httpStatus, {
      ...request.limitHeaders,
      ...headers,
      'content-type': 'application/json',
      'content-length': String(bytes.length),
      'cache-control': 'no-store',
    });
    res.end(bytes);
    request.counters.bytesOut += bytes.length;
  } else if (!res.writableEnded) {
    res.destroy();
  }
  return {
    status: logStatus,
    usageStatus: logStatus,
    upstreamMs: null,
    bytesIn: request.counters.bytesIn,
    bytesOut: request.counters.bytesOut,
    errorCode,
  };
}
