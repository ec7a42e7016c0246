import { describe, expect, it } from 'vitest';
import { traceIdOf, upstreamTraceHeaders } from './propagation.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';

describe('traceIdOf', () => {
  it('reads the trace-id of a well-formed traceparent only', () => {
    expect(traceIdOf(`00-${TRACE}-b7ad6b7169203331-01`)).toBe(TRACE);
    expect(traceIdOf(` 00-${TRACE}-b7ad6b7169203331-00 `)).toBe(TRACE);
    for (const bad of [
      undefined,
      ['a', 'b'],
      '',
      `00-${TRACE}-b7ad6b71-01`,
      `00-${TRACE.toUpperCase()}-b7ad6b7169203331-01`,
    ])
      expect(traceIdOf(bad), String(bad)).toBeUndefined();
  });
});

describe('upstreamTraceHeaders', () => {
  const gateway = `00-${TRACE}-00f067aa0ba902b7-01`;

  it("keeps the client's tracestate when the trace is the client's", () => {
    expect(
      upstreamTraceHeaders({ traceparent: `00-${TRACE}-b7ad6b7169203331-01`, tracestate: 'a=1' }, gateway),
    ).toEqual({ traceparent: gateway, tracestate: 'a=1' });
  });

  it('sends no tracestate for a new trace, or when the client sent none', () => {
    expect(upstreamTraceHeaders({ tracestate: 'a=1' }, gateway)).toEqual({ traceparent: gateway });
    expect(upstreamTraceHeaders({ traceparent: `00-${TRACE}-b7ad6b7169203331-01` }, gateway)).toEqual({
      traceparent: gateway,
    });
  });
});
