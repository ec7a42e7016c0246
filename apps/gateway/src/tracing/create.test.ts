import { createRequire } from 'node:module';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCollector, type TestCollector } from '../../test/otlp-collector.ts';
import { createTracer, type TracingOptions } from './create.ts';
import type { Tracer } from './types.ts';

const CLIENT_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CLIENT_SPAN = 'b7ad6b7169203331';
const TRACEPARENT = /^00-([\da-f]{32})-([\da-f]{16})-(0[01])$/;

const loadedOtelModules = () =>
  Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('/@opentelemetry/'));

describe('createTracer', () => {
  let collector: TestCollector;
  const tracers: Tracer[] = [];
  const tracer = (options: Partial<TracingOptions> = {}) => {
    const created = createTracer({ endpoint: collector.tracesUrl, serviceName: 'gw-test', ...options });
    if (!created) throw new Error('expected a tracer');
    tracers.push(created);
    return created;
  };

  beforeAll(async () => {
    collector = await startCollector();
  });
  beforeEach(() => {
    collector.spans.length = 0;
  });
  afterAll(async () => {
    await Promise.all(tracers.map((t) => t.shutdown()));
    await collector.close();
  });

  it('is off without an endpoint, without loading OpenTelemetry', () => {
    expect(createTracer({})).toBeUndefined();
    expect(createTracer({ endpoint: '', serviceName: 'x' })).toBeUndefined();
    expect(loadedOtelModules()).toEqual([]);
  });

  it('continues the caller trace: root span, step spans under it, traceparent naming the current span', async () => {
    const t = tracer();
    const trace = t.start(
      'POST',
      { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`, tracestate: 'vendor=abc' },
      '/acme/weather/v1/forecast?city=Oslo&key=secret',
    );
    expect(await trace.step('screen', () => 'screened')).toBe('screened');
    const upstreamParent = await trace.step('serve', async () => trace.traceparent());
    await trace.step('complete', () => {
      trace.end(201, { orgId: 'org_1', apiId: 'api_1' });
      trace.end(500); // only the first end counts
    });
    await t.shutdown();

    const spans = collector.spans;
    expect(spans.map((s) => s.name)).toEqual([
      'gateway.screen',
      'gateway.serve',
      'gateway.complete',
      'gateway.request', // ended with its last step, not before it
    ]);
    const root = spans.find((s) => s.name === 'gateway.request');
    const serve = spans.find((s) => s.name === 'gateway.serve');
    expect(root).toMatchObject({
      service: 'gw-test',
      traceId: CLIENT_TRACE,
      parentSpanId: CLIENT_SPAN,
      kind: 2,
      statusCode: 0,
      attributes: {
        'http.request.method': 'POST',
        'url.path': '/acme/weather/v1/forecast',
        'http.response.status_code': 201,
        'portcullis.org.id': 'org_1',
        'portcullis.api.id': 'api_1',
      },
    });
    for (const step of spans.filter((s) => s !== root))
      expect(step).toMatchObject({ traceId: CLIENT_TRACE, parentSpanId: root?.spanId, kind: 1 });
    expect(upstreamParent).toBe(`00-${CLIENT_TRACE}-${serve?.spanId}-01`);
  });

  it('starts a new trace for a missing or malformed traceparent; a failing step is an error span', async () => {
    const t = tracer();
    const trace = t.start('BREW', { traceparent: 'not-a-traceparent' }, '/acme/coffee');
    const outside = trace.traceparent();
    await expect(
      trace.step('admit', () => {
        throw new Error('store down');
      }),
    ).rejects.toThrow('store down');
    trace.end(503);
    await t.shutdown();

    const [, traceId, rootSpan, flags] = TRACEPARENT.exec(outside) ?? [];
    expect(traceId).not.toBe(CLIENT_TRACE);
    expect(flags).toBe('01');
    const root = collector.spans.find((s) => s.name === 'gateway.request');
    expect(root).toMatchObject({ traceId, spanId: rootSpan, parentSpanId: undefined, statusCode: 2 });
    expect(root?.attributes).toMatchObject({
      'http.request.method': '_OTHER',
      'http.request.method_original': 'BREW',
      'http.response.status_code': 503,
    });
    expect(collector.spans.find((s) => s.name === 'gateway.admit')).toMatchObject({
      parentSpanId: rootSpan,
      statusCode: 2,
    });
  });

  it('samples parent-based by default: an unsampled caller trace is propagated, not exported', async () => {
    const t = tracer();
    const trace = t.start('GET', { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-00` }, '/a/b');
    const sent = await trace.step('serve', async () => trace.traceparent());
    trace.end(200);
    const ratioZero = tracer({ sampler: 'traceidratio', samplerRatio: 0 });
    const unsampled = ratioZero.start('GET', {}, '/a/b');
    await unsampled.step('serve', () => undefined);
    unsampled.end(200);
    await Promise.all([t.shutdown(), ratioZero.shutdown()]);

    const [, traceId, parentId, flags] = TRACEPARENT.exec(sent) ?? [];
    expect(traceId).toBe(CLIENT_TRACE);
    expect(parentId).not.toBe(CLIENT_SPAN);
    expect(flags).toBe('00');
    expect(TRACEPARENT.exec(unsampled.traceparent())?.[3]).toBe('00');
    expect(collector.spans).toEqual([]);
  });

  it('reports a batch the collector did not take', async () => {
    const errors: unknown[] = [];
    const t = tracer({
      endpoint: collector.tracesUrl.replace('/v1/traces', '/nowhere'),
      onExportError: (e) => errors.push(e),
    });
    t.start('GET', {}, '/a').end(200);
    await t.shutdown();
    expect(errors).toHaveLength(1);
    expect(collector.spans).toEqual([]);
  });
});
