import type { IncomingHttpHeaders } from 'node:http';

/** W3C Trace Context `traceparent`: version 00, 32 hex trace-id, 16 hex parent-id, 2 hex flags. */
const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}(-.*)?$/;

/** The trace-id of a well-formed `traceparent`, or undefined. */
export function traceIdOf(traceparent: string | string[] | undefined): string | undefined {
  if (typeof traceparent !== 'string') return undefined;
  return TRACEPARENT.exec(traceparent.trim())?.[1];
}

/**
 * The trace context headers for an upstream call made under the gateway's span `traceparent`. The
 * client's `tracestate` belongs to the client's trace: it travels on only when the gateway continued
 * that trace (same trace-id), as W3C Trace Context asks of a participant that restarts a trace.
 */
export function upstreamTraceHeaders(
  incoming: IncomingHttpHeaders,
  traceparent: string,
): { traceparent: string; tracestate?: string } {
  const tracestate = incoming.tracestate;
  const continued = traceIdOf(incoming.traceparent) === traceIdOf(traceparent);
  if (!continued || tracestate === undefined || tracestate === '') return { traceparent };
  return { traceparent, tracestate: Array.isArray(tracestate) ? tracestate.join(',') : tracestate };
}
