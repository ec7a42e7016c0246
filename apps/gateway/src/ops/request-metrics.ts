/**
 * The gateway's per-request counters and latency histograms, with bounded label sets: one `api` label
 * value for each of the busiest APIs (at most `topApis`) and each API named in `apis`; every other
 * resolved API counts as `other`, and paths that named no API as `unmatched`. Every request lands in
 * exactly one series, so the series of a family always add up to the total.
 *
 * Which APIs have their own series: while fewer than `topApis` have one, an API gets one on its first
 * request (a gateway with few APIs sees all of them at once). Every `rankIntervalMs` the APIs are ranked
 * by their recent traffic (counts halved at each ranking, so the ranking follows the traffic); an API
 * outside the series whose traffic is more than twice that of the quietest API with a series takes its
 * place. The series it replaces ends, and its counts move into `other`, keeping the sums exact.
 */

/** Sub-millisecond to 10 s: the gateway's own overhead lives in the first buckets, slow upstreams in the last. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const OTHER_API = 'other';
export const UNMATCHED_API = 'unmatched';

/** Bucket counts (not cumulative; the last one is above every bound), sum and count. */
export interface HistogramData {
  buckets: Float64Array;
  sum: number;
  count: number;
}

export interface ApiSeries {
  /** status code → requests */
  requests: Map<number, number>;
  /** status class (2xx…) → request durations */
  duration: Map<string, HistogramData>;
  /** status class → upstream durations */
  upstream: Map<string, HistogramData>;
}

export interface RequestObservation {
  api: string;
  status: number;
  durationSeconds: number;
  upstreamSeconds: number | null;
}

export interface RequestMetricsOptions {
  /** APIs given their own series by traffic (GATEWAY_METRICS_TOP_APIS) */
  topApis: number;
  /** `org/api` labels that always have their own series (GATEWAY_METRICS_APIS) */
  apis: readonly string[];
  rankIntervalMs?: number;
  now?: () => number;
}

const DEFAULT_RANK_INTERVAL_MS = 60_000;
/** At most this many APIs' recent traffic is tracked for ranking (beyond it, new ones wait a ranking). */
const MAX_RANKED = 20_000;

const emptyHistogram = (): HistogramData => ({
  buckets: new Float64Array(LATENCY_BUCKETS.length + 1),
  sum: 0,
  count: 0,
});

const emptySeries = (): ApiSeries => ({ requests: new Map(), duration: new Map(), upstream: new Map() });

function observe(histograms: Map<string, HistogramData>, statusClass: string, seconds: number): void {
  let histogram = histograms.get(statusClass);
  if (!histogram) {
    histogram = emptyHistogram();
    histograms.set(statusClass, histogram);
  }
  let index = 0;
  while (index < LATENCY_BUCKETS.length && seconds > (LATENCY_BUCKETS[index] as number)) index++;
  histogram.buckets[index] = (histogram.buckets[index] ?? 0) + 1;
  histogram.sum += seconds;
  histogram.count++;
}

function mergeHistograms(into: Map<string, HistogramData>, from: Map<string, HistogramData>): void {
  for (const [statusClass, source] of from) {
    let target = into.get(statusClass);
    if (!target) {
      target = emptyHistogram();
      into.set(statusClass, target);
    }
    for (let i = 0; i < source.buckets.length; i++) {
      target.buckets[i] = (target.buckets[i] as number) + (source.buckets[i] as number);
    }
    target.sum += source.sum;
    target.count += source.count;
  }
}

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'];
/** Status codes outside 100–599 (never sent by a conforming server) are counted as 0 / "other". */
const statusOf = (status: number) =>
  Number.isInteger(status) && status >= 100 && status <= 599 ? status : 0;
const classOf = (status: number) => STATUS_CLASSES[Math.floor(status / 100) - 1] ?? 'other';

export class RequestMetrics {
  /** label → its series: the promoted and listed APIs, `other` and `unmatched` */
  readonly series = new Map<string, ApiSeries>();
  private readonly listed: ReadonlySet<string>;
  /** APIs holding one of the top slots */
  private readonly promoted = new Set<string>();
  /** recent requests per resolved API, halved at each ranking */
  private traffic = new Map<string, number>();
  private nextRankAt: number;
  private readonly now: () => number;

  constructor(private readonly options: RequestMetricsOptions) {
    this.listed = new Set(options.apis);
    this.now = options.now ?? Date.now;
    this.nextRankAt = this.now() + (options.rankIntervalMs ?? DEFAULT_RANK_INTERVAL_MS);
    for (const api of options.apis) this.series.set(api, emptySeries());
  }

  record(observation: RequestObservation): void {
    const series = this.seriesFor(observation.api);
    const status = statusOf(observation.status);
    series.requests.set(status, (series.requests.get(status) ?? 0) + 1);
    const statusClass = classOf(status);
    observe(series.duration, statusClass, observation.durationSeconds);
    if (observation.upstreamSeconds !== null) {
      observe(series.upstream, statusClass, observation.upstreamSeconds);
    }
  }

  private seriesFor(api: string): ApiSeries {
    if (api === UNMATCHED_API || api === OTHER_API) return this.own(api);
    if (this.now() >= this.nextRankAt) this.rank();
    if (this.traffic.size < MAX_RANKED || this.traffic.has(api)) {
      this.traffic.set(api, (this.traffic.get(api) ?? 0) + 1);
    }
    if (this.listed.has(api) || this.promoted.has(api)) return this.own(api);
    if (this.promoted.size < this.options.topApis) {
      this.promoted.add(api);
      return this.own(api);
    }
    return this.own(OTHER_API);
  }

  private own(label: string): ApiSeries {
    let series = this.series.get(label);
    if (!series) {
      series = emptySeries();
      this.series.set(label, series);
    }
    return series;
  }

  /** Swaps the quietest promoted APIs for busier ones (more than twice their traffic). */
  rank(): void {
    this.nextRankAt = this.now() + (this.options.rankIntervalMs ?? DEFAULT_RANK_INTERVAL_MS);
    const trafficOf = (api: string) => this.traffic.get(api) ?? 0;
    const candidates = [...this.traffic]
      .filter(([api]) => !this.promoted.has(api) && !this.listed.has(api))
      .sort((a, b) => b[1] - a[1])
      .slice(0, this.options.topApis);
    const quietest = [...this.promoted].sort((a, b) => trafficOf(a) - trafficOf(b));
    for (const [api, requests] of candidates) {
      if (this.promoted.size < this.options.topApis) {
        this.promoted.add(api);
        continue;
      }
      const out = quietest.shift();
      if (out === undefined || requests <= 2 * trafficOf(out)) break;
      this.demote(out);
      this.promoted.add(api);
    }
    const halved = new Map<string, number>();
    for (const [api, requests] of this.traffic) if (requests >= 2) halved.set(api, Math.floor(requests / 2));
    this.traffic = halved;
  }

  private demote(api: string): void {
    this.promoted.delete(api);
    const series = this.series.get(api);
    this.series.delete(api);
    if (!series) return;
    const other = this.own(OTHER_API);
    for (const [status, requests] of series.requests) {
      other.requests.set(status, (other.requests.get(status) ?? 0) + requests);
    }
    mergeHistograms(other.duration, series.duration);
    mergeHistograms(other.upstream, series.upstream);
  }
}
