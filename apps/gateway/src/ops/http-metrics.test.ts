import { describe, expect, it } from 'vitest';
import type { RequestLogEntry } from '../usage/meter.ts';
import { apiLabel, configureRequestMetrics, observeRequest } from './http-metrics.ts';
import { metricsRegistry } from './metrics.ts';

describe('apiLabel', () => {
  it('uses the org/api slug only for resolved routes', () => {
    expect(apiLabel({ apiId: 'a1', path: '/acme/weather/v1/today' })).toBe('acme/weather');
    expect(apiLabel({ apiId: 'a1', path: '/acme/weather' })).toBe('acme/weather');
    expect(apiLabel({ apiId: null, path: '/random/garbage/123' })).toBe('unmatched');
    expect(apiLabel({ apiId: 'a1', path: '/acme' })).toBe('unmatched');
  });
});

const entry = (path: string, status: number) =>
  ({ apiId: 'id', path, status, latencyMs: 4, upstreamMs: 3 }) as RequestLogEntry;

describe('/metrics with 10,000 APIs', () => {
  it('stays under 1 MB, with bounded series adding up to every request', async () => {
    configureRequestMetrics({ topApis: 50, apis: ['org9999/api9999'] });
    let total = 0;
    for (let i = 0; i < 10_000; i++) {
      for (const status of [200, 404, 500]) {
        observeRequest(entry(`/org${i}/api${i}/v1/items`, status));
        total++;
      }
    }
    observeRequest({ ...entry('/no/such/api', 404), apiId: null });
    total++;
    // Its time is the benchmark's to measure (bench/scale/metrics.ts), not a test's on a shared machine.
    const text = await metricsRegistry.metrics();
    expect(Buffer.byteLength(text)).toBeLessThan(1024 * 1024);
    const lines = text.split('\n').filter((line) => line.startsWith('gateway_requests_total{'));
    const apis = new Set(lines.map((line) => /api="([^"]+)"/.exec(line)?.[1]));
    expect(apis.size).toBe(50 + 3); // the top 50, the listed one, other, unmatched
    expect(apis).toContain('org9999/api9999');
    const sum = lines.reduce((acc, line) => acc + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    expect(sum).toBe(total);
    const counts = text
      .split('\n')
      .filter((line) => line.startsWith('gateway_request_duration_seconds_count{'))
      .reduce((acc, line) => acc + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    expect(counts).toBe(total);
  });
});
