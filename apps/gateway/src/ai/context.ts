import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TraceHeaders } from '@portcullis/ai/upstream';
import type { KeyRecord, RouteRecord, SubscriptionRecord } from '../config/repository.ts';
import type { RequestTrace } from '../tracing/types.ts';

/** What the usage event of an AI call carries besides bytes; set before the response's final end(). */
export interface AiMetered {
  tokensIn?: number;
  tokensOut?: number;
  costMicros?: bigint;
  /** false: the gateway refused the call itself after admission (e.g. a body over the size limit) */
  billable?: false;
}

/** One admitted request to an AI or PROMPT API, as the chain's serve-ai step hands it over. */
export interface AiRequest {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  route: RouteRecord;
  key: KeyRecord;
  subscription: SubscriptionRecord;
  /** the path after /{org}/{api} */
  rest: string;
  /** the raw query string, without the '?' ('' when absent) */
  query: string;
  /** RateLimit / quota headers from admission */
  limitHeaders: Record<string, string>;
  startedAt: number;
  /** the request record's byte counters (usage event and request log) */
  counters: { bytesIn: number; bytesOut: number };
  metered: AiMetered;
  /** with tracing on: the W3C trace context for provider calls (the gateway's span as parent) */
  traceHeaders?: TraceHeaders | undefined;
  /** with tracing on: the request's trace, for one span per provider attempt */
  trace?: RequestTrace | undefined;
}

/** How the request ended, for the request log. */
export interface AiOutcome {
  status: number;
  errorCode: string | null;
  upstreamMs: number | null;
}
