import { Counter, collectDefaultMetrics, Gauge, Histogram } from 'prom-client';
import type { RequestLogEntry } from '../usage/meter.ts';
import { metricsRegistry } from './metrics.ts';

// Sub-millisecond to 10 s: the gateway's own overhead lives in the first buckets, slow upstreams in the last.
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const requestsTotal = new Counter({
  name: 'gateway_requests_total',
  help: 'Requests answered on gateway paths, by API (org/api slug) and status code.',
  labelNames: ['api', 'status'] as const,
  registers: [metricsRegistry],
});

const requestDuration = new Histogram({
  name: 'gateway_request_duration_seconds',
  help: 'Time from request head to the end of the response, by API and status class.',
  labelNames: ['api', 'status_class'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [metricsRegistry],
});

const upstreamDuration = new Histogram({
  name: 'gateway_upstream_duration_seconds',
  help: 'Time spent waiting for and streaming from the upstream, by API and status class.',
  labelNames: ['api', 'status_class'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [metricsRegistry],
});

const inFlight = new Gauge({
  name: 'gateway_requests_in_flight',
  help: 'Requests being handled right now (all paths).',
  registers: [metricsRegistry],
});

let defaultsCollected = false;
/** Process metrics (CPU, memory, event loop lag, GC); once per process even with several gateways. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

/**
 * The API label is the route's `org/api` slug, taken from the path only once the route resolved (apiId set):
 * unknown paths all count as `unmatched`, so garbage URLs cannot blow up label cardinality.
 */
export function apiLabel(entry: Pick<RequestLogEntry, 'apiId' | 'path'>): string {
  if (entry.apiId === null) return 'unmatched';
  const second = entry.path.indexOf('/', 1);
  if (second < 0) return 'unmatched';
  const third = entry.path.indexOf('/', second + 1);
  return entry.path.slice(1, third < 0 ? undefined : third);
}

interface RequestSeries {
  total: Counter.Internal;
  duration: Histogram.Internal<'api' | 'status_class'>;
  upstream: Histogram.Internal<'api' | 'status_class'>;
}

/**
 * The labelled children per (api, status), looked up once: no label objects built per request (prom-client
 * still hashes the child's labels inside each inc/observe). Bounded like the series (APIs × statuses).
 */
const seriesByLabels = new Map<string, RequestSeries>();

function seriesFor(api: string, status: number): RequestSeries {
  const id = `${status} ${api}`;
  let series = seriesByLabels.get(id);
  if (!series) {
    const statusClass = `${Math.floor(status / 100)}xx`;
    series = {
      total: requestsTotal.labels({ api, status: String(status) }),
      duration: requestDuration.labels({ api, status_class: statusClass }),
      upstream: upstreamDuration.labels({ api, status_class: statusClass }),
    };
    seriesByLabels.set(id, series);
  }
  return series;
}

export function observeRequest(entry: RequestLogEntry): void {
  const series = seriesFor(apiLabel(entry), entry.status);
  series.total.inc();
  series.duration.observe(entry.latencyMs / 1000);
  if (entry.upstreamMs !== null) series.upstream.observe(entry.upstreamMs / 1000);
}

export const requestsInFlight = {
  inc: () => inFlight.inc(),
  dec: () => inFlight.dec(),
};
