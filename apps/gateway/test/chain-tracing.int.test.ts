import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import type { RequestTrace, Tracer } from '../src/tracing/types.ts';
import { bearer, call, startWorld, type TestWorld } from './harness.ts';

const GATEWAY_TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const CLIENT_TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

interface RecordedTrace {
  method: string;
  headers: IncomingHttpHeaders;
  steps: string[];
  ended: number[];
}

/** Records what the chain hands the tracer: one trace per request, its steps and its end. */
function recordingTracer(): Tracer & { traces: RecordedTrace[] } {
  const traces: RecordedTrace[] = [];
  return {
    traces,
    start(method, headers): RequestTrace {
      const trace: RecordedTrace = { method, headers, steps: [], ended: [] };
      traces.push(trace);
      return {
        async step(name, run) {
          trace.steps.push(name);
          return run();
        },
        traceparent: () => GATEWAY_TRACEPARENT,
        clientSpan: () => ({
          traceparent: () => GATEWAY_TRACEPARENT,
          setAttributes: () => undefined,
          end: () => undefined,
        }),
        end: (status) => void trace.ended.push(status),
      };
    },
    shutdown: () => Promise.resolve(),
  };
}

describe('request chain tracing hook', () => {
  let world: TestWorld;
  const tracer = recordingTracer();

  beforeAll(async () => {
    world = await startWorld({ redis: false, tracer });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('runs each chain step through the trace, ends it with the status and sends its traceparent upstream', async () => {
    const provider = await seedProviderWithApi(world.db, { upstreamUrl: world.upstream.url });
    const consumer = await seedConsumerWithKey(world.db, provider.plan.id);
    const path = `/${provider.org.slug}/${provider.api.slug}/traced`;
    const seenBefore = world.upstream.seen.length;
    const res = await call(world.gateway.url, path, {
      headers: { ...bearer(consumer.plaintext), traceparent: CLIENT_TRACEPARENT },
    });
    expect(res.status).toBe(200);
    const trace = tracer.traces.at(-1);
    expect(trace?.method).toBe('GET');
    expect(trace?.headers.traceparent).toBe(CLIENT_TRACEPARENT);
    expect(trace?.steps).toEqual(['screen', 'admit', 'serve-proxy', 'complete']);
    expect(trace?.ended).toEqual([200]);
    const upstreamSaw = world.upstream.seen.slice(seenBefore).find((r) => r.url.endsWith('/traced'));
    expect(upstreamSaw?.headers.traceparent).toBe(GATEWAY_TRACEPARENT);
  });

  it('ends a refused request after the step that refused it, and traces no probe', async () => {
    const provider = await seedProviderWithApi(world.db, { upstreamUrl: world.upstream.url });
    const before = tracer.traces.length;
    const refused = await call(world.gateway.url, `/${provider.org.slug}/${provider.api.slug}/x`);
    expect(refused.status).toBe(401);
    expect(tracer.traces.at(-1)?.steps).toEqual(['screen', 'admit']);
    expect(tracer.traces.at(-1)?.ended).toEqual([401]);
    const probe = await call(world.gateway.url, '/healthz');
    expect(probe.status).toBe(200);
    expect(tracer.traces.length).toBe(before + 1);
  });
});
