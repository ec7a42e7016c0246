import type { IncomingMessage, ServerResponse } from 'node:http';
import { problem, sendProblem } from '../http/problem.ts';
import { upstreamTraceHeaders } from '../tracing/propagation.ts';
import type { RequestTrace } from '../tracing/types.ts';
import type { ChainDeps } from './deps.ts';
import type { AdmittedRequest, Served } from './request.ts';

/**
 * Step 4b — serve an AI or PROMPT API through src/ai, which fills the record's counters and metered
 * tokens/cost before the response's final end(). Errors go out in the provider's shape.
 */
export async function serveAi(
  deps: Pick<ChainDeps, 'ai'>,
  request: AdmittedRequest,
  req: IncomingMessage,
  res: ServerResponse,
  /** this request's trace context, for calls made on its behalf */
  traceparent?: string,
  /** the request's trace: provider attempts are spans in it */
  trace?: RequestTrace,
): Promise<Served> {
  // A call whose client left still runs to its end (ai/calls.ts providerCallSignal): log that it left.
  let clientGone = false;
  res.once('close', () => {
    clientGone ||= !res.writableFinished;
  });
  const { requestId, route, key, subscription, path, limitHeaders, startedAt, counters, metered } = request;
  const served = deps.ai
    ? await deps.ai.serve({
        req,
        res,
        requestId,
        route,
        key,
        subscription,
        rest: path.rest,
        query: path.query,
        limitHeaders,
        startedAt,
        counters,
        metered,
        ...(traceparent === undefined
          ? {}
          : { traceHeaders: upstreamTraceHeaders(req.headers, traceparent) }),
        ...(trace === undefined ? {} : { trace }),
      })
    : null;
  if (!served) sendProblem(res, problem('internal_error', 'AI APIs are not enabled here.'), requestId);
  return {
    status: served?.status ?? res.statusCode,
    usageStatus: res.statusCode,
    upstreamMs: served?.upstreamMs ?? null,
    bytesIn: counters.bytesIn,
    bytesOut: counters.bytesOut,
    errorCode: served
      ? (served.errorCode?.slice(0, 64) ?? (clientGone ? 'client_closed' : null))
      : 'internal_error',
  };
}
