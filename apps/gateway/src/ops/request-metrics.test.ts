import { describe, expect, it } from 'vitest';
import { OTHER_API, RequestMetrics } from './request-metrics.ts';

const sumOf = (metrics: RequestMetrics) => {
  let requests = 0;
  let durations = 0;
  for (const series of metrics.series.values()) {
    for (const value of series.requests.values()) requests += value;
    for (const histogram of series.duration.values()) durations += histogram.count;
  }
  return { requests, durations };
};

const call = (api: string, status = 200) => ({ api, status, durationSeconds: 0.003, upstreamSeconds: 0.002 });

describe('RequestMetrics', () => {
  it('gives 10,000 APIs at most top-N + listed + other series, adding up to every request', () => {
    let clock = 0;
    const metrics = new RequestMetrics({ topApis: 50, apis: ['listed/api'], now: () => clock });
    let total = 0;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 10_000; i++) {
        // API i gets more traffic the lower i is: 0–99 twice more each round.
        for (let n = 0; n < (i < 100 ? 3 : 1); n++) {
          metrics.record(call(`org${i}/api${i}`, i % 7 === 0 ? 500 : 200));
          total++;
        }
      }
      metrics.record(call('listed/api'));
      total++;
      clock += 60_000;
    }
    expect(metrics.series.size).toBeLessThanOrEqual(50 + 1 + 1);
    expect(metrics.series.has('listed/api')).toBe(true);
    expect(metrics.series.has(OTHER_API)).toBe(true);
    expect(sumOf(metrics)).toEqual({ requests: total, durations: total });
  });

  it('ranks by traffic: busier APIs take the series of quieter ones, whose counts move to other', () => {
    let clock = 0;
    const metrics = new RequestMetrics({ topApis: 2, apis: [], now: () => clock });
    metrics.record(call('a/first'));
    metrics.record(call('b/second'));
    for (let i = 0; i < 10; i++) metrics.record(call('c/busy'));
    expect([...metrics.series.keys()].sort()).toEqual(['a/first', 'b/second', OTHER_API]);
    clock += 60_000;
    metrics.record(call('c/busy'));
    expect(metrics.series.has('c/busy')).toBe(true);
    expect(metrics.series.size).toBe(3);
    expect(sumOf(metrics).requests).toBe(13);
  });

  it('keeps one API with few calls when there is room for it', () => {
    const metrics = new RequestMetrics({ topApis: 50, apis: [] });
    metrics.record(call('acme/weather', 404));
    expect(metrics.series.get('acme/weather')?.requests.get(404)).toBe(1);
    expect(metrics.series.has(OTHER_API)).toBe(false);
  });
});
