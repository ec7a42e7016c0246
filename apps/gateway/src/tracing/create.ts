import type { IncomingHttpHeaders } from 'node:http';
import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';
import type * as OtelCore from '@opentelemetry/core';
import type * as OtelExporter from '@opentelemetry/exporter-trace-otlp-http';
import type * as OtelResources from '@opentelemetry/resources';
import type * as OtelSdk from '@opentelemetry/sdk-trace-base';
import type { ClientSpan, RequestTrace, SpanAttributes, TracedRoute, Tracer } from './types.ts';

/** OTEL_TRACES_SAMPLER values (the OpenTelemetry SDK environment specification). */
export const TRACES_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
type TracesSampler = (typeof TRACES_SAMPLERS)[number];

export interface TracingOptions {
  /** OTLP/HTTP traces URL (…/v1/traces); absent: tracing is off */
  endpoint?: string | undefined;
  /** service.name of the exported resource (default portcullis-gateway) */
  serviceName?: string;
  /** default parentbased_always_on */
  sampler?: TracesSampler;
  /** OTEL_TRACES_SAMPLER_ARG: the ratio of the traceidratio samplers, 0 to 1 (default 1) */
  samplerRatio?: number;
  /** BatchSpanProcessor's export delay (default 5 s; tests shorten it) */
  exportDelayMs?: number;
  /** a batch the collector did not take (unreachable, refused): its spans are dropped */
  onExportError?: (error: unknown) => void;
}

interface Otel {
  api: typeof OtelApi;
  core: typeof OtelCore;
  sdk: typeof OtelSdk;
  resources: typeof OtelResources;
  exporter: typeof OtelExporter;
}

/**
 * The SDK is loaded only here, when an endpoint is configured: a gateway without tracing never loads an
 * OpenTelemetry module. `require` (the packages' CommonJS builds, which is what Node resolves for them
 * anyway) keeps createTracer synchronous; the gateway bundle leaves these packages in node_modules.
 */
function loadOtel(): Otel {
  const require = createRequire(import.meta.url);
  return {
    api: require('@opentelemetry/api'),
    core: require('@opentelemetry/core'),
    sdk: require('@opentelemetry/sdk-trace-base'),
    resources: require('@opentelemetry/resources'),
    exporter: require('@opentelemetry/exporter-trace-otlp-http'),
  };
}

/** A tracer exporting over OTLP/HTTP, or undefined when no endpoint is configured (tracing off). */
export function createTracer(options: TracingOptions): Tracer | undefined {
  if (!options.endpoint) return undefined;
  const otel = loadOtel();
  const provider = new otel.sdk.BasicTracerProvider({
    resource: otel.resources.resourceFromAttributes({
      'service.name': options.serviceName ?? 'portcullis-gateway',
    }),
    sampler: samplerOf(otel.sdk, options.sampler ?? 'parentbased_always_on', options.samplerRatio ?? 1),
    spanProcessors: [
      new otel.sdk.BatchSpanProcessor(exporterOf(otel, options.endpoint, options.onExportError), {
        ...(options.exportDelayMs === undefined ? {} : { scheduledDelayMillis: options.exportDelayMs }),
      }),
    ],
  });
  const tracer = provider.getTracer('@portcullis/gateway');
  const propagator = new otel.core.W3CTraceContextPropagator();
  return {
    start: (method, headers, target) =>
      new OtelRequestTrace(otel, tracer, propagator, method, headers, target),
    // A last batch the collector refuses was reported by the exporter: shutting down still succeeds.
    shutdown: () => provider.shutdown().catch(() => undefined),
  };
}

/** The OTLP/HTTP (JSON) exporter, reporting the batches it could not deliver. */
function exporterOf(
  otel: Otel,
  url: string,
  onError: ((error: unknown) => void) | undefined,
): OtelSdk.SpanExporter {
  const exporter = new otel.exporter.OTLPTraceExporter({ url });
  if (!onError) return exporter;
  return {
    export: (spans, done) =>
      exporter.export(spans, (result) => {
        if (result.code !== otel.core.ExportResultCode.SUCCESS)
          onError(result.error ?? new Error(`${spans.length} spans not exported`));
        done(result);
      }),
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush(),
  };
}

function samplerOf(sdk: typeof OtelSdk, name: TracesSampler, ratio: number): OtelSdk.Sampler {
  switch (name) {
    case 'always_on':
      return new sdk.AlwaysOnSampler();
    case 'always_off':
      return new sdk.AlwaysOffSampler();
    case 'traceidratio':
      return new sdk.TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(ratio) });
  }
}

const headerGetter: OtelApi.TextMapGetter<IncomingHttpHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

/** HTTP methods semantic conventions name as they are; any other is `_OTHER`. */
const KNOWN_METHODS = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
]);

class OtelRequestTrace implements RequestTrace {
  private readonly root: OtelApi.Span;
  /** the span upstream calls are made under: the step running now, else the root */
  private current: OtelApi.Span;
  private ended = false;
  /** end() came while a step ran: the root ends with that step, so it never ends before a child */
  private endDeferred = false;

  constructor(
    private readonly otel: Otel,
    private readonly tracer: OtelApi.Tracer,
    private readonly propagator: OtelCore.W3CTraceContextPropagator,
    method: string,
    headers: IncomingHttpHeaders,
    target: string | undefined,
  ) {
    const { api } = otel;
    const parent = propagator.extract(api.ROOT_CONTEXT, headers, headerGetter);
    const known = KNOWN_METHODS.has(method);
    const attributes: OtelApi.Attributes = { 'http.request.method': known ? method : '_OTHER' };
    if (!known) attributes['http.request.method_original'] = method;
    if (target !== undefined) attributes['url.path'] = target.split('?', 1)[0] ?? '';
    this.root = tracer.startSpan('gateway.request', { kind: api.SpanKind.SERVER, attributes }, parent);
    this.current = this.root;
  }

  async step<T>(name: string, run: () => Promise<T> | T): Promise<T> {
    const { api } = this.otel;
    const parent = this.current;
    const span = this.tracer.startSpan(
      `gateway.${name}`,
      { kind: api.SpanKind.INTERNAL },
      api.trace.setSpan(api.ROOT_CONTEXT, parent),
    );
    this.current = span;
    try {
      return await run();
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: api.SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
      this.current = parent;
      if (this.endDeferred && parent === this.root) this.root.end();
    }
  }

  traceparent(): string {
    const carrier: { traceparent?: string } = {};
    this.propagator.inject(
      this.otel.api.trace.setSpan(this.otel.api.ROOT_CONTEXT, this.current),
      carrier,
      this.otel.api.defaultTextMapSetter,
    );
    return carrier.traceparent ?? '';
  }

  clientSpan(name: string, attributes: SpanAttributes): ClientSpan {
    const { api } = this.otel;
    const span = this.tracer.startSpan(
      name,
      { kind: api.SpanKind.CLIENT, attributes: definedAttributes(attributes) },
      api.trace.setSpan(api.ROOT_CONTEXT, this.current),
    );
    let ended = false;
    return {
      traceparent: () => {
        const carrier: { traceparent?: string } = {};
        this.propagator.inject(api.trace.setSpan(api.ROOT_CONTEXT, span), carrier, api.defaultTextMapSetter);
        return carrier.traceparent ?? '';
      },
      setAttributes: (more) => {
        if (!ended) span.setAttributes(definedAttributes(more));
      },
      end: (errorType) => {
        if (ended) return;
        ended = true;
        if (errorType !== undefined) {
          span.setAttribute('error.type', errorType);
          span.setStatus({ code: api.SpanStatusCode.ERROR });
        }
        span.end();
      },
    };
  }

  end(status: number, route?: TracedRoute): void {
    if (this.ended) return;
    this.ended = true;
    this.root.setAttribute('http.response.status_code', status);
    if (route?.orgId) this.root.setAttribute('portcullis.org.id', route.orgId);
    if (route?.apiId) this.root.setAttribute('portcullis.api.id', route.apiId);
    // Server spans: 5xx is the server's failure, a 4xx the client's (left unset).
    if (status >= 500) this.root.setStatus({ code: this.otel.api.SpanStatusCode.ERROR });
    if (this.current === this.root) this.root.end();
    else this.endDeferred = true;
  }
}

function definedAttributes(attributes: SpanAttributes): OtelApi.Attributes {
  const out: OtelApi.Attributes = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out[key] = value;
  return out;
}
