import type { IncomingMessage, ServerResponse } from 'node:http';
import { uuidv7 } from '@portcullis/core/ids';
import type { SqlRunner } from '@portcullis/db/pg';
import type { AiMetered } from './ai/context.ts';
import type { AiService } from './ai/service.ts';
import { type GatewayProblem, problem, sendProblem } from './http/problem.ts';
import { describeError, type Logger } from './log.ts';
import { type AdmitDeps, admit, type Rejection } from './pipeline/admit.ts';
import { setDeprecationHeaders } from './pipeline/deprecation.ts';
import { isGatewayRequestId, resolveRequestId } from './pipeline/request-id.ts';
import { orgFromHost, parseGatewayPath, unsafePathSegment } from './pipeline/route.ts';
import type { PolicyEngine } from './policies/engine.ts'; // policies
import { upstreamTraceHeaders } from './tracing/propagation.ts';
import { traced } from './tracing/step.ts';
import type { RequestTrace, Tracer } from './tracing/types.ts';
import type { UpstreamClient } from './upstream/proxy.ts';
import { endAfter } from './usage/durable-end.ts';
import type { RequestLogEntry, UsageMeter } from './usage/meter.ts';
import { isBillableRefusal, requestUsage } from './usage/request-usage.ts';
import type { UsageSink } from './usage/sink.ts';

export interface HandlerDeps extends AdmitDeps {
  /** node-postgres: the readiness probe */
  sql: SqlRunner;
  upstream: UpstreamClient;
  meter: UsageMeter;
  /** usage events: the Redis stream (written before the response ends) or the embedded meter */
  usage: UsageSink;
  /** IP rules, CORS, size limits, OpenAPI validation, header transforms, response cache (src/policies) */
  policies: PolicyEngine;
  log: Logger;
  /** ai: serves AI and PROMPT APIs (src/ai) */
  ai?: AiService;
  /** GATEWAY_ORG_HOST_SUFFIX: `{org}.<suffix>` serves that org's APIs at `/{api}/…` */
  orgHostSuffix?: string | undefined;
  /** absent: tracing off, the steps run directly */
  tracer?: Tracer | undefined;
}

const READY_TIMEOUT_MS = 2_000;

/** The HTTP edge: runs the chain, and is the only place results become responses. */
export function createHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const requestId = resolveRequestId(req.headers);
    res.setHeader('x-request-id', requestId);
    const trace = deps.tracer?.start(req.method ?? 'GET', req.headers, req.url);
    const handled = handle(deps, req, res, requestId, trace).catch((error: unknown) => {
      deps.log('error', 'unhandled gateway error', { requestId, error: describeError(error) });
      sendProblem(res, problem('internal_error', 'The gateway failed to handle this request.'), requestId);
    });
    // Requests without a log entry (probes, unhandled errors) end here; the others ended at their entry.
    if (trace) void handled.then(() => trace.end(res.statusCode));
  };
}

async function handle(
  deps: HandlerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  trace?: RequestTrace,
): Promise<void> {
  const startedAt = deps.now();
  const started = performance.now();
  const clientIp = deps.policies.clientIp(req);
  const pathname = (req.url ?? '').split('?')[0];
  if (pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
  if (pathname === '/readyz') {
    const ready = await databaseReachable(deps.sql);
    return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'database unreachable' });
  }

  const logEntry = (
    status: number,
    rejection: Partial<Rejection> & { problem?: GatewayProblem },
  ): RequestLogEntry => ({
    id: uuidv7(),
    requestId, // access log correlation (not stored: RequestLog has no column for it)
    at: new Date(startedAt),
    orgId: rejection.route?.orgId ?? null,
    apiId: rejection.route?.apiId ?? null,
    appId: rejection.key?.appId ?? null,
    keyId: rejection.key?.id ?? null,
    subscriptionId: rejection.subscription?.id ?? null,
    method: (req.method ?? 'GET').slice(0, 16),
    path: (pathname ?? '').slice(0, 2048),
    status,
    latencyMs: Math.round(performance.now() - started),
    upstreamMs: null,
    bytesIn: 0,
    bytesOut: 0,
    clientIp,
    userAgent: req.headers['user-agent']?.slice(0, 512) ?? null,
    errorCode: rejection.problem?.code ?? null,
  });
  // The log entry is the request's end: it carries the status and, once resolved, the org and API.
  const recordLog = (entry: RequestLogEntry) => {
    deps.meter.recordLog(entry);
    trace?.end(entry.status, entry);
  };

  // Before anything else looks at the path: an upstream may resolve these segments into another path.
  const unsafe = unsafePathSegment(pathname ?? '');
  if (unsafe !== null) {
    const refused = problem(
      'bad_request',
      `The path segment '${unsafe.slice(0, 64)}' is not allowed: '.' and '..' segments (also encoded, or followed by ';') are refused.`,
    );
    sendProblem(res, refused, requestId);
    recordLog(logEntry(400, { problem: refused }));
    req.resume();
    return;
  }
  const hostOrg = orgFromHost(req.headers.host, deps.orgHostSuffix);
  const path = hostOrg === null ? null : parseGatewayPath(req.url, hostOrg);
  if (!path) {
    const notFound = problem(
      'route_not_found',
      hostOrg === undefined
        ? 'Gateway paths look like /{org}/{api}/{path}.'
        : 'On an organization host, gateway paths look like /{api}/{path}.',
    );
    sendProblem(res, notFound, requestId);
    recordLog(logEntry(404, { problem: notFound }));
    return;
  }

  // One wait for Postgres across every config lookup of this request (a hung database costs it that much)
  const config = deps.cache.forRequest();
  // Right after route resolve, before key verification: IP rules, CORS, size limits
  const screened = await traced(trace, 'screen', () => deps.policies.screen(req, res, path, config));
  if (screened.kind !== 'continue') {
    const refusal = screened.kind === 'rejected' ? screened.problem : undefined;
    if (refusal) sendProblem(res, refusal, requestId);
    recordLog(logEntry(res.statusCode, { route: screened.route, ...(refusal ? { problem: refusal } : {}) }));
    req.resume();
    return;
  }

  const admission = await traced(trace, 'admit', () =>
    admit(deps, path, req.headers, { ip: clientIp ?? undefined }, config),
  );
  setDeprecationHeaders(res, admission.ok ? admission.value.route : admission.error.route);
  if (!admission.ok) {
    // an AI API's clients get errors in the OpenAI/Anthropic shape
    if (!deps.ai?.sendRefusal(res, admission.error.route, path.rest, admission.error.problem, requestId))
      sendProblem(res, admission.error.problem, requestId);
    recordLog(logEntry(res.statusCode, admission.error));
    // The body was never read: drain it so the connection can be reused, or drop it if huge.
    req.resume();
    return;
  }

  const { route, key, subscription, headers } = admission.value;
  const counters = { bytesIn: 0, bytesOut: 0 };
  const metered: AiMetered = {}; // tokens and cost, set by src/ai before the final end()
  const usage = requestUsage({
    id: isGatewayRequestId(requestId, req.headers) ? requestId : uuidv7(),
    subscription,
    atMs: startedAt,
    counters,
    metered,
  });
  // Billing exactness: the client cannot have the whole response before its usage event has left for Redis.
  if (deps.usage.durable)
    endAfter(res, (lastChunk) => deps.usage.record(usage.atEnd(res.statusCode, lastChunk)));
  /**
   * After the response: usage (unless it left before the end: a response the client hung up on, or the
   * gateway cut, never reaches end()), the key's last use, the log row.
   */
  const complete = (call: {
    status: number;
    usageStatus: number;
    upstreamMs: number | null;
    bytesIn: number;
    bytesOut: number;
    errorCode: string | null;
  }) => {
    const event = usage.atCompletion(call.usageStatus, call.bytesIn, call.bytesOut);
    if (event) void deps.usage.record(event);
    deps.meter.touchKey(key.id, startedAt);
    recordLog({
      ...logEntry(call.status, { route, key, subscription }),
      upstreamMs: call.upstreamMs,
      bytesIn: clampInt(call.bytesIn),
      bytesOut: clampInt(call.bytesOut),
      errorCode: call.errorCode,
    });
  };
  if (route.kind === 'AI' || route.kind === 'PROMPT') {
    // A call whose client left still runs to its end (ai/service.ts providerCallSignal): log that it left.
    let clientGone = false;
    res.once('close', () => {
      clientGone ||= !res.writableFinished;
    });
    const ai = deps.ai;
    const served = ai
      ? await traced(trace, 'serve', () =>
          ai.serve({
            req,
            res,
            requestId,
            route,
            key,
            subscription,
            rest: path.rest,
            limitHeaders: headers,
            startedAt,
            counters,
            metered,
            traceHeaders: trace && upstreamTraceHeaders(req.headers, trace.traceparent()),
          }),
        )
      : null;
    if (!served) sendProblem(res, problem('internal_error', 'AI APIs are not enabled here.'), requestId);
    await traced(trace, 'complete', () =>
      complete({
        status: served?.status ?? res.statusCode,
        usageStatus: res.statusCode,
        upstreamMs: served?.upstreamMs ?? null,
        bytesIn: counters.bytesIn,
        bytesOut: counters.bytesOut,
        errorCode: served
          ? (served.errorCode?.slice(0, 64) ?? (clientGone ? 'client_closed' : null))
          : 'internal_error',
      }),
    );
    return;
  }
  // Validation, response cache, header transforms and body limit around the forward
  const extraHeaders = { ...headers, 'x-request-id': requestId };
  const forwarded = await traced(trace, 'serve', () =>
    deps.policies.proxy(req, res, { route, appId: key.appId, path, extraHeaders }, (body) =>
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
          clientIp: req.socket.remoteAddress,
          proto: 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http',
          host: req.headers.host,
          requestId,
          traceparent: trace?.traceparent(),
        },
        extraHeaders,
        counters,
      ),
    ),
  );
  // keep the problem's own headers (Retry-After of upstream_unavailable) next to the limit headers
  if (!forwarded.ok) {
    if (!isBillableRefusal(forwarded.error.code)) usage.notBillable();
    sendProblem(res, { ...forwarded.error, headers: { ...headers, ...forwarded.error.headers } }, requestId);
  } else if (forwarded.value.ending === 'upstream_broke') {
    // The upstream broke off mid-body: the client never got a whole answer, so it is not billed.
    usage.notBillable();
  }
  const stats = forwarded.ok
    ? forwarded.value
    : {
        status: res.statusCode,
        upstreamMs: forwarded.error.upstreamMs,
        bytesIn: forwarded.error.bytesIn,
        bytesOut: 0,
      };
  await traced(trace, 'complete', () =>
    complete({
      ...stats,
      usageStatus: stats.status,
      errorCode: forwarded.ok
        ? forwarded.value.ending === 'client_gone'
          ? 'client_closed'
          : null
        : forwarded.error.code,
    }),
  );
}

// RequestLog byte columns are 32-bit; rollups keep exact 64-bit totals.
const clampInt = (n: number) => Math.min(n, 2_147_483_647);

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

async function databaseReachable(sql: SqlRunner): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
  });
  try {
    return await Promise.race([sql.rows('SELECT 1').then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
