import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from '../ops/metrics.ts';

export const upstreamRetries = new Counter({
  name: 'gateway_upstream_retries_total',
  help: 'Upstream attempts retried after a connect error, by failure',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
});

const openBreakerSources = new Set<() => number>();

// Registered for its collect(): read at each scrape.
new Gauge({
  name: 'gateway_upstream_open_breakers',
  help: 'Upstream targets whose circuit breaker is open or half-open',
  registers: [metricsRegistry],
  collect() {
    let open = 0;
    for (const source of openBreakerSources) open += source();
    this.set(open);
  },
});

/** Counts `source()` into the open-breakers gauge until the returned function is called. */
export function trackOpenBreakers(source: () => number): () => void {
  openBreakerSources.add(source);
  return () => openBreakerSources.delete(source);
}
