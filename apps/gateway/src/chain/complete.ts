import type { IncomingMessage, ServerResponse } from 'node:http';
import { isBillableStatus } from '@portcullis/core/billing/pricing';
import { uuidv7 } from '@portcullis/core/ids';
import type { StreamUsageEvent } from '@portcullis/usage/stream';
import { sendProblem } from '../http/problem.ts';
import { observeRequest } from '../ops/http-metrics.ts';
import { chunkLength, endAfter } from '../usage/durable-end.ts';
import type { RequestLogEntry } from '../usage/meter.ts';
import type { ChainDeps } from './deps.ts';
import type { AdmittedRequest, GatewayRequest, Refusal, Served } from './request.ts';

/**
 * Step 5 — complete. The one place where a request's records are made, all projections of its
 * GatewayRequest: the usage event (admitted requests only, exactly one), the request-log row and the
 * access log line.
 */

/**
 * Billing exactness: the client cannot have the whole response before its usage event has left for
 * Redis. Armed right after admission on a durable sink; the event then leaves at the response's end().
 */
export function sendUsageBeforeEnd(
  deps: Pick<ChainDeps, 'usage'>,
  request: AdmittedRequest,
  res: ServerResponse,
) {
  if (!deps.usage.durable) return;
  endAfter(res, (lastChunk) =>
    // A cached or problem response is one end(body) that never went through the relay's counter.
    deps.usage.record(
      usageEvent(
        request,
        res.statusCode,
        request.counters.bytesIn,
        request.counters.bytesOut || chunkLength(lastChunk),
      ),
    ),
  );
}

/**
 * An admitted request is over: its usage event (unless it left at the end — a response the client hung
 * up on, or the gateway cut, never reaches end()), the key's last use, the log row and access line.
 */
export function complete(deps: ChainDeps, request: AdmittedRequest, served: Served): number {
  if (!request.usageSent)
    void deps.usage.record(usageEvent(request, served.usageStatus, served.bytesIn, served.bytesOut));
  deps.meter.touchKey(request.key.id, request.startedAt);
  recordLog(deps, logRow(request, served));
  return served.status;
}

/**
 * A request refused (or answered) before it was served: the refusal goes out — in an AI API's error
 * shape where that applies — then the log row and access line; no usage event. The unread body is
 * drained so the connection can be reused (or dropped if huge).
 */
export function completeRefused(
  deps: ChainDeps,
  request: GatewayRequest,
  req: IncomingMessage,
  res: ServerResponse,
  refusal: Refusal,
): number {
  const { problem } = refusal;
  if (
    problem &&
    !(
      refusal.inApiShape &&
      deps.ai?.sendRefusal(res, request.route, request.path?.rest ?? '', problem, request.requestId)
    )
  )
    sendProblem(res, problem, request.requestId);
  recordLog(
    deps,
    logRow(request, {
      status: res.statusCode,
      upstreamMs: null,
      bytesIn: 0,
      bytesOut: 0,
      errorCode: problem?.code ?? null,
    }),
  );
  if (refusal.drain) req.resume();
  return res.statusCode;
}

/**
 * A request the gateway answered itself without metering it (an MCP protocol message: initialize,
 * tools/list…): the log row and access line, and the key's last use; no usage event.
 */
export function completeUnmetered(
  deps: Pick<ChainDeps, 'meter' | 'accessLog'>,
  request: GatewayRequest,
  outcome: Pick<Served, 'status' | 'bytesIn' | 'bytesOut' | 'errorCode'>,
): number {
  if (request.key) deps.meter.touchKey(request.key.id, request.startedAt);
  recordLog(deps, logRow(request, { ...outcome, upstreamMs: null }));
  return outcome.status;
}

/** The usage event: what the request is billed for. */
function usageEvent(
  request: AdmittedRequest,
  status: number,
  bytesIn: number,
  bytesOut: number,
): StreamUsageEvent {
  request.usageSent = true;
  const { billable: aiBillable, ...ai } = request.metered;
  return {
    ...ai,
    id: request.usageId,
    subscriptionId: request.subscription.id,
    atMs: request.startedAt,
    status,
    billable: request.billable && aiBillable !== false && isBillableStatus(request.subscription, status),
    bytesIn,
    bytesOut,
    ...(request.tool === undefined ? {} : { tool: request.tool }),
  };
}

/** The request-log row (RequestLog) and, from it, the access log line and the request metrics. */
function logRow(
  request: GatewayRequest,
  outcome: Pick<Served, 'status' | 'upstreamMs' | 'bytesIn' | 'bytesOut' | 'errorCode'>,
): RequestLogEntry {
  return {
    id: uuidv7(),
    requestId: request.requestId, // access log correlation (not stored: RequestLog has no column for it)
    at: new Date(request.startedAt),
    orgId: request.route?.orgId ?? null,
    apiId: request.route?.apiId ?? null,
    appId: request.key?.appId ?? null,
    keyId: request.key?.id ?? null,
    subscriptionId: request.subscription?.id ?? null,
    method: request.method.slice(0, 16),
    path: request.pathname.slice(0, 2048),
    status: outcome.status,
    latencyMs: Math.round(performance.now() - request.started),
    upstreamMs: outcome.upstreamMs,
    bytesIn: clampInt(outcome.bytesIn),
    bytesOut: clampInt(outcome.bytesOut),
    clientIp: request.clientIp,
    userAgent: request.userAgent,
    errorCode: outcome.errorCode,
    mcpTool: request.tool ?? null,
  };
}

function recordLog(deps: Pick<ChainDeps, 'meter' | 'accessLog'>, row: RequestLogEntry): void {
  observeRequest(row);
  deps.accessLog(row);
  deps.meter.recordLog(row);
}

// RequestLog byte columns are 32-bit; rollups keep exact 64-bit totals.
const clampInt = (n: number) => Math.min(n, 2_147_483_647);
