import type { IncomingHttpHeaders } from 'node:http';

/**
 * One request's trace. The chain runs each named step through `step`, which records one span per step
 * when an OTLP endpoint is configured. With tracing off there is no RequestTrace at all: the chain calls
 * the step directly and pays nothing.
 */
export interface RequestTrace {
  /** Runs one chain step inside a span named `gateway.<name>`; the span ends when the step settles. */
  step<T>(name: string, run: () => Promise<T> | T): Promise<T>;
  /** The W3C `traceparent` to send upstream: this request's trace, with the current span as parent. */
  traceparent(): string;
  /**
   * Starts a CLIENT span for one call the gateway makes on the request's behalf (e.g. one provider
   * attempt), as a child of the current step's span. It ends when `end` is called, whenever that is.
   */
  clientSpan(name: string, attributes: SpanAttributes): ClientSpan;
  /**
   * Ends the request's root span with the response status and, when the route was resolved, its org and
   * API (a request log entry fits). Only the first call counts.
   */
  end(status: number, route?: TracedRoute): void;
}

/** The ids the root span records once the request's route is known. */
export interface TracedRoute {
  orgId?: string | null;
  apiId?: string | null;
}

export interface Tracer {
  /**
   * Starts a request's root span, continuing the caller's W3C `traceparent` when it sent a valid one.
   * `target` is the request-target (`req.url`); the span records its path, never the query.
   */
  start(method: string, headers: IncomingHttpHeaders, target?: string): RequestTrace;
  /** Flushes spans still buffered (graceful shutdown). */
  shutdown(): Promise<void>;
}

export type SpanAttributes = Record<string, string | number | boolean | string[] | undefined>;

/** A span of one outgoing call. */
export interface ClientSpan {
  /** The W3C `traceparent` for the call: this span as its parent. */
  traceparent(): string;
  setAttributes(attributes: SpanAttributes): void;
  /** Ends the span; with `errorType` (semantic conventions' error.type) it ends in error. Once only. */
  end(errorType?: string): void;
}
