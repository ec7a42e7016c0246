import type { IncomingMessage } from 'node:http';
import type { AiMetered } from '../ai/context.ts';
import type { KeyRecord, RouteRecord, SubscriptionRecord } from '../config/repository.ts';
import type { GatewayProblem } from '../http/problem.ts';
import type { ParsedPath } from '../pipeline/route.ts';

/**
 * One request as it moves through the chain. Each step fills in what it established; the usage event,
 * the request-log row and the access log line are all projections of this record (complete.ts).
 */
export interface GatewayRequest {
  /** x-request-id: the client's when valid, else the gateway's */
  readonly requestId: string;
  /** wall clock at arrival (ms): the usage event's and the log row's time */
  readonly startedAt: number;
  /** performance.now() at arrival, for the latency */
  readonly started: number;
  readonly method: string;
  /** the URL path without the query */
  readonly pathname: string;
  /** the socket peer, or the right-most untrusted X-Forwarded-For hop behind a trusted proxy */
  readonly clientIp: string | null;
  readonly userAgent: string | null;
  /** screen: the gateway path (org, api, rest, query) */
  path?: ParsedPath;
  /** screen or admit: the API, once resolved */
  route?: RouteRecord;
  /**
   * mcp: the MCP tool this request is a call of — from the gateway's own tools/call loopback
   * (mcp/internal.ts), or a tools/call message to an MCP API (mcp-proxy); the usage event's `tool` and
   * the log row's `mcpTool`
   */
  tool?: string;
  /** mcp: a tools/call loopback's Host and protocol, as the MCP client sent them to the MCP endpoint */
  toolOrigin?: { host: string | undefined; proto: 'http' | 'https' };
  /** admit: the verified key */
  key?: KeyRecord;
  /** admit: the subscription the request was admitted under */
  subscription?: SubscriptionRecord;
  /** admit: RateLimit / quota headers for the response */
  limitHeaders: Record<string, string>;
  /** admit: the usage event's id (the request id when the gateway made it, else a fresh one) */
  usageId?: string;
  /** live byte counts of the request and response bodies, kept by the serve steps */
  readonly counters: { bytesIn: number; bytesOut: number };
  /** AI calls: tokens and cost, set by src/ai before the response's final end() */
  readonly metered: AiMetered;
  /** false: recorded but never billed (a gateway refusal after admission, a response broken off) */
  billable: boolean;
  /** the usage event has left (at the response's end): it is not sent again at completion */
  usageSent: boolean;
}

/** An admitted request: route, key and subscription are known. */
export type AdmittedRequest = GatewayRequest &
  Required<Pick<GatewayRequest, 'path' | 'route' | 'key' | 'subscription' | 'usageId'>>;

/** The record of a request that just arrived. */
export function newRequest(
  req: IncomingMessage,
  requestId: string,
  at: { startedAt: number; clientIp: string | null },
): GatewayRequest {
  return {
    requestId,
    startedAt: at.startedAt,
    started: performance.now(),
    method: req.method ?? 'GET',
    pathname: (req.url ?? '').split('?')[0] ?? '',
    clientIp: at.clientIp,
    userAgent: req.headers['user-agent']?.slice(0, 512) ?? null,
    limitHeaders: {},
    counters: { bytesIn: 0, bytesOut: 0 },
    metered: {},
    billable: true,
    usageSent: false,
  };
}

/** How a serve step ended, for the usage event and the request log. */
export interface Served {
  /** the request log's status */
  status: number;
  /** the usage event's status */
  usageStatus: number;
  upstreamMs: number | null;
  bytesIn: number;
  bytesOut: number;
  errorCode: string | null;
}

/** A request the chain refused (or answered itself) before serving it. */
export interface Refusal {
  /** absent: the response was already written (a CORS preflight answered by the gateway) */
  problem?: GatewayProblem;
  /** true: the body was never read; drain it so the connection can be reused, or drop it if huge */
  drain: boolean;
  /** true: an AI API's clients get it in the OpenAI/Anthropic error shape (admission refusals) */
  inApiShape?: boolean;
}
