import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendProblem } from '../http/problem.ts';
import { isBillableRefusal } from '../usage/request-usage.ts';
import type { ChainDeps } from './deps.ts';
import type { AdmittedRequest, Served } from './request.ts';

/**
 * Step 4a — serve a REST API: validation, the response cache, header transforms and the body limit
 * (policies.proxy) around the forward to the upstream. Marks the record not billable when the gateway
 * refused the call itself or the upstream broke off mid-body.
 */
export async function serveProxy(
  deps: Pick<ChainDeps, 'policies' | 'upstream'>,
  request: AdmittedRequest,
  req: IncomingMessage,
  res: ServerResponse,
  /** this request's trace context for the upstream; absent: the client's traceparent passes through */
  traceparent?: string,
): Promise<Served> {
  const { route, key, path, requestId, limitHeaders, counters } = request;
  const extraHeaders = { ...limitHeaders, 'x-request-id': requestId };
  const forwarded = await deps.policies.proxy(
    req,
    res,
    { route, appId: key.appId, path, extraHeaders },
    (body) =>
      deps.upstream.forward(
        body,
        res,
        // targets, versions, breakers and retries come from route.upstream
        {
          routeKey: route.apiId,
          orgId: route.orgId,
          upstreamUrl: route.upstreamUrl,
          upstream: route.upstream,
          rest: path.rest,
          query: path.query,
        },
        {
          // a tool call's socket is the gateway's own loopback: the MCP client is the one to name
          clientIp: request.tool === undefined ? req.socket.remoteAddress : (request.clientIp ?? undefined),
          // and the MCP endpoint's Host and protocol, not the loopback's
          proto:
            request.toolOrigin?.proto ??
            ('encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http'),
          host: request.toolOrigin ? request.toolOrigin.host : req.headers.host,
          requestId,
          ...(traceparent === undefined ? {} : { traceparent }),
        },
        extraHeaders,
        counters,
      ),
  );
  if (!forwarded.ok) {
    if (!isBillableRefusal(forwarded.error.code)) request.billable = false;
    // keep the problem's own headers (Retry-After of upstream_unavailable) next to the limit headers
    sendProblem(
      res,
      { ...forwarded.error, headers: { ...limitHeaders, ...forwarded.error.headers } },
      requestId,
    );
    return {
      status: res.statusCode,
      usageStatus: res.statusCode,
      upstreamMs: forwarded.error.upstreamMs,
      bytesIn: forwarded.error.bytesIn,
      bytesOut: 0,
      errorCode: forwarded.error.code,
    };
  }
  const stats = forwarded.value;
  // The upstream broke off mid-body: the client never got a whole answer, so it is not billed.
  if (stats.ending === 'upstream_broke') request.billable = false;
  return {
    status: stats.status,
    usageStatus: stats.status,
    upstreamMs: stats.upstreamMs,
    bytesIn: stats.bytesIn,
    bytesOut: stats.bytesOut,
    errorCode: stats.ending === 'client_gone' ? 'client_closed' : null,
  };
}
