import { describe, expect, it } from 'vitest';
import { LagWindow, renderMetrics } from './metrics.ts';

describe('LagWindow', () => {
  it('reads percentiles within 5% and never below the truth', () => {
    let now = 1_000_000;
    const window = new LagWindow(60, () => now);
    for (let ms = 1; ms <= 1_000; ms++) window.record(ms);
    const p50 = window.quantile(0.5) as number;
    const p99 = window.quantile(0.99) as number;
    expect(p50).toBeGreaterThanOrEqual(500);
    expect(p50).toBeLessThanOrEqual(500 * 1.05);
    expect(p99).toBeGreaterThanOrEqual(990);
    expect(p99).toBeLessThanOrEqual(990 * 1.05);
    now += 1_000;
    window.record(0, 1_000_000); // a later second dominated by instant events
    expect(window.quantile(0.5)).toBe(1);
  });

  it('forgets what is older than the window', () => {
    let now = 5_000_000;
    const window = new LagWindow(60, () => now);
    expect(window.quantile(0.99)).toBeUndefined();
    window.record(30_000);
    now += 59_000;
    expect(window.quantile(0.99)).toBeGreaterThanOrEqual(30_000);
    window.record(10);
    now += 2_000;
    expect(window.quantile(0.99)).toBeLessThan(11);
    now += 60_000;
    expect(window.quantile(0.99)).toBeUndefined();
  });
});

describe('renderMetrics', () => {
  it('writes Prometheus text, leaving out unknown gauges', () => {
    const text = renderMetrics({
      applied: 10,
      duplicates: 2,
      deadLettered: 1,
      batches: 3,
      failures: 0,
      lagP50Ms: 120,
      lagP99Ms: 1_500,
      pending: undefined,
      backlog: 7,
    });
    expect(text).toContain('metering_events_applied_total 10\n');
    expect(text).toContain('metering_events_duplicate_total 2\n');
    expect(text).toContain('metering_lag_p99_seconds 1.5\n');
    expect(text).toContain('metering_stream_backlog_entries 7\n');
    expect(text).toContain('# TYPE metering_pending_entries gauge\n');
    expect(text).not.toMatch(/^metering_pending_entries /m);
  });
});
