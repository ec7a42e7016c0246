import { collectDefaultMetrics, Gauge, type Metric } from 'prom-client';
import type { RequestLogEntry } from '../usage/meter.ts';
import { metricsRegistry } from './metrics.ts';
import {
  type ApiSeries,
  type HistogramData,
  LATENCY_BUCKETS,
  RequestMetrics,
  type RequestMetricsOptions,
  UNMATCHED_API,
} from './request-metrics.ts';

const DEFAULT_OPTIONS: RequestMetricsOptions = { topApis: 50, apis: [] };

let requests = new RequestMetrics(DEFAULT_OPTIONS);

/**
 * Sets which APIs get their own series (GATEWAY_METRICS_TOP_APIS, GATEWAY_METRICS_APIS). Call before
 * traffic: the counts so far start over.
 */
export function configureRequestMetrics(options: RequestMetricsOptions): void {
  requests = new RequestMetrics(options);
}

/** One line of a family: what prom-client's own metrics return from get(). */
interface SeriesValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

type HistogramPick = (series: ApiSeries) => Map<string, HistogramData>;

/** A family rendered from `requests` at each scrape; summed across cluster workers like prom-client's own. */
function register(name: string, help: string, type: 'counter' | 'histogram', values: () => SeriesValue[]) {
  const metric = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name, help, type, aggregator: 'sum', values: values() }),
    reset: () => undefined,
  };
  metricsRegistry.registerMetric(metric as unknown as Metric<string>);
}

register(
  'gateway_requests_total',
  'Requests answered on gateway paths, by API (org/api slug; "other" past the busiest APIs) and status code.',
  'counter',
  () => {
    const values: SeriesValue[] = [];
    for (const [api, series] of requests.series) {
      for (const [status, value] of series.requests) values.push({ labels: { api, status }, value });
    }
    return values;
  },
);

function histogramValues(name: string, pick: HistogramPick): SeriesValue[] {
  const values: SeriesValue[] = [];
  for (const [api, series] of requests.series) {
    for (const [statusClass, histogram] of pick(series)) {
      const labels = { api, status_class: statusClass };
      let cumulative = 0;
      LATENCY_BUCKETS.forEach((le, i) => {
        cumulative += histogram.buckets[i] ?? 0;
        values.push({ labels: { ...labels, le }, value: cumulative, metricName: `${name}_bucket` });
      });
      values.push({
        labels: { ...labels, le: '+Inf' },
        value: histogram.count,
        metricName: `${name}_bucket`,
      });
      values.push({ labels, value: histogram.sum, metricName: `${name}_sum` });
      values.push({ labels, value: histogram.count, metricName: `${name}_count` });
    }
  }
  return values;
}

register(
  'gateway_request_duration_seconds',
  'Time from request head to the end of the response, by API and status class.',
  'histogram',
  () => histogramValues('gateway_request_duration_seconds', (series) => series.duration),
);

register(
  'gateway_upstream_duration_seconds',
  'Time spent waiting for and streaming from the upstream, by API and status class.',
  'histogram',
  () => histogramValues('gateway_upstream_duration_seconds', (series) => series.upstream),
);

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
  if (entry.apiId === null) return UNMATCHED_API;
  const second = entry.path.indexOf('/', 1);
  if (second < 0) return UNMATCHED_API;
  const third = entry.path.indexOf('/', second + 1);
  return entry.path.slice(1, third < 0 ? undefined : third);
}

export function observeRequest(entry: RequestLogEntry): void {
  requests.record({
    api: apiLabel(entry),
    status: entry.status,
    durationSeconds: entry.latencyMs / 1000,
    upstreamSeconds: entry.upstreamMs === null ? null : entry.upstreamMs / 1000,
  });
}

export const requestsInFlight = {
  inc: () => inFlight.inc(),
  dec: () => inFlight.dec(),
};
