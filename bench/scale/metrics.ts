/**
 * The gateway's `/metrics` scrape against the number of APIs seen, for the data-scale benchmark.
 *
 * Contract (what bench/scale's driver calls; nothing else of this file is meant to be imported):
 *
 *   import { measureMetricsScrape } from './metrics.ts';
 *   const result = await measureMetricsScrape({ apis: 10_000 });
 *
 * It feeds the gateway's request metrics (apps/gateway/src/ops/http-metrics.ts, configured as the
 * gateway configures them from GATEWAY_METRICS_TOP_APIS, default 50) `requestsPerApi` requests for each
 * of `apis` distinct APIs (statuses 200, 404 and 500 in turn), in this process, then renders the
 * registry `/metrics` serves (the same text, without the HTTP round trip) `scrapes` times. The first
 * scrape compiles the rendering code and is not counted. `scrapeMs` is the median of the others; it also
 * checks that the `gateway_requests_total` series add up to the requests fed.
 *
 * Run on its own: `npx tsx bench/scale/metrics.ts [--apis=N]`.
 */
import { fileURLToPath } from 'node:url';
import { configureRequestMetrics, observeRequest } from '../../apps/gateway/src/ops/http-metrics.ts';
import { metricsRegistry } from '../../apps/gateway/src/ops/metrics.ts';
import type { RequestLogEntry } from '../../apps/gateway/src/usage/meter.ts';

/** @public what the data-scale benchmark passes or gets back */
export interface MetricsScrapeOptions {
  apis: number;
  /** requests fed per API (default 3) */
  requestsPerApi?: number;
  /** APIs with their own series (default 50, GATEWAY_METRICS_TOP_APIS' default) */
  topApis?: number;
  /** scrapes measured after the first (default 5) */
  scrapes?: number;
}

/** @public what the data-scale benchmark passes or gets back */
export interface MetricsScrapeResult {
  apis: number;
  requests: number;
  /** distinct `api` label values on gateway_requests_total */
  apiLabels: number;
  /** sample lines of the whole scrape (excluding # HELP / # TYPE) */
  series: number;
  bytes: number;
  scrapeMs: number;
  /** the gateway_requests_total series add up to `requests` */
  totalsAddUp: boolean;
}

const STATUSES = [200, 404, 500];

/** @public the data-scale benchmark's entry point (see the top of this file) */
export async function measureMetricsScrape(options: MetricsScrapeOptions): Promise<MetricsScrapeResult> {
  configureRequestMetrics({ topApis: options.topApis ?? 50, apis: [] });
  const perApi = options.requestsPerApi ?? 3;
  let requests = 0;
  for (let i = 0; i < options.apis; i++) {
    for (let n = 0; n < perApi; n++) {
      observeRequest({
        apiId: `api_${i}`,
        path: `/org-${i}/api-${i}/v1/items`,
        status: STATUSES[n % STATUSES.length],
        latencyMs: 1 + (n % 50),
        upstreamMs: n % 50,
      } as RequestLogEntry);
      requests++;
    }
  }
  let text = await metricsRegistry.metrics();
  const times: number[] = [];
  for (let i = 0; i < (options.scrapes ?? 5); i++) {
    const started = performance.now();
    text = await metricsRegistry.metrics();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const samples = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
  const requestLines = samples.filter((line) => line.startsWith('gateway_requests_total{'));
  const sum = requestLines.reduce((acc, line) => acc + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  return {
    apis: options.apis,
    requests,
    apiLabels: new Set(requestLines.map((line) => /api="([^"]*)"/.exec(line)?.[1])).size,
    series: samples.length,
    bytes: Buffer.byteLength(text),
    scrapeMs: times[Math.floor(times.length / 2)] ?? 0,
    totalsAddUp: sum === requests,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = process.argv.find((a) => a.startsWith('--apis='));
  const result = await measureMetricsScrape({ apis: arg ? Number(arg.slice('--apis='.length)) : 10_000 });
  process.stdout.write(
    `${result.apis} APIs, ${result.requests} requests: ${result.apiLabels} api labels, ${result.series} series, ` +
      `${(result.bytes / 1024).toFixed(1)} KiB per scrape in ${result.scrapeMs.toFixed(1)} ms; ` +
      `totals add up: ${result.totalsAddUp}\n`,
  );
}
