import { Gauge } from 'prom-client';
import { metricsRegistry } from './metrics.ts';

/** One in-process cache as the gauges see it: its name, what it holds and its bound. */
export interface CacheFigures {
  cache: string;
  bytes: number;
  entries: number;
  budgetBytes: number;
}

const sources = new Set<() => CacheFigures[]>();

function gauge(name: string, help: string, pick: (figures: CacheFigures) => number): void {
  // Registered for its collect(): read at each scrape. Sources naming the same cache add up.
  new Gauge({
    name,
    help,
    labelNames: ['cache'] as const,
    registers: [metricsRegistry],
    collect() {
      this.reset();
      for (const source of sources) {
        for (const figures of source()) this.inc({ cache: figures.cache }, pick(figures));
      }
    },
  });
}

gauge(
  'gateway_cache_bytes',
  'Estimated heap bytes held by each in-process cache (entries, keys and bookkeeping).',
  (f) => f.bytes,
);
gauge('gateway_cache_entries', 'Entries held by each in-process cache.', (f) => f.entries);
gauge('gateway_cache_budget_bytes', 'The byte bound of each in-process cache.', (f) => f.budgetBytes);

/** Reports `source()` in the gateway_cache_* gauges until the returned function is called. */
export function trackCaches(source: () => CacheFigures[]): () => void {
  sources.add(source);
  return () => sources.delete(source);
}
