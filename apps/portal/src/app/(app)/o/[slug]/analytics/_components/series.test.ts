import { describe, expect, it } from 'vitest';
import { axisFormat, bucketTicks, chartRows, needsDots, tickLabel, timeTicks } from './series';

const at = (iso: string) => new Date(iso);
const ms = (iso: string) => at(iso).getTime();
const HOUR = 3_600_000;

const point = (iso: string, requests = 1) => ({
  t: at(iso),
  requests,
  errors: 0,
  errorRate: requests > 0 ? 0 : null,
  p50: null,
  p95: null,
  p99: null,
});

describe('axisFormat', () => {
  it('shows dates for ranges of seven days or more, times within a day', () => {
    expect(axisFormat(at('2026-12-01T00:00:00Z'), at('2026-12-08T00:00:00Z'))).toBe('date');
    expect(axisFormat(at('2026-12-01T00:00:00Z'), at('2026-12-31T00:00:00Z'))).toBe('date');
    expect(axisFormat(at('2026-12-01T00:00:00Z'), at('2026-12-03T00:00:00Z'))).toBe('day-hour');
    expect(axisFormat(at('2026-12-01T00:00:00Z'), at('2026-12-02T00:00:00Z'))).toBe('hour');
  });
});

describe('tickLabel', () => {
  it('labels by the format', () => {
    const t = ms('2026-12-06T13:00:00Z');
    expect(tickLabel(t, 'date')).toBe('Dec 6');
    expect(tickLabel(t, 'day-hour')).toBe('Dec 6 13:00');
    expect(tickLabel(t, 'hour')).toBe('13:00');
    expect(tickLabel(ms('2026-12-07T00:00:00Z'), 'hour')).toBe('Dec 7');
  });
});

describe('timeTicks and bucketTicks', () => {
  it('puts a week of hourly buckets on whole days, in order', () => {
    const from = ms('2026-11-29T14:00:00Z');
    const xs = Array.from({ length: 7 * 24 }, (_, i) => from + i * HOUR);
    const ticks = bucketTicks(xs, 'date');
    expect(ticks.length).toBeGreaterThan(1);
    expect(ticks.length).toBeLessThanOrEqual(7);
    expect(ticks.every((t) => t % (24 * HOUR) === 0)).toBe(true);
    expect([...ticks].sort((a, b) => a - b)).toEqual(ticks);
    expect(ticks.map((t) => tickLabel(t, 'date'))[0]).toBe('Nov 30');
  });

  it('labels a single bucket', () => {
    expect(bucketTicks([ms('2026-12-06T13:00:00Z')], 'hour')).toEqual([ms('2026-12-06T13:00:00Z')]);
  });

  it('spaces a month of days at most seven ticks apart', () => {
    const ticks = timeTicks(ms('2026-12-01T00:00:00Z'), ms('2026-12-31T00:00:00Z'), 'date');
    expect(ticks.length).toBeLessThanOrEqual(7);
    expect(ticks[1]! - ticks[0]!).toBe(7 * 24 * HOUR);
  });
});

describe('chartRows', () => {
  it('orders rows by time whatever order the points came in', () => {
    const rows = chartRows([point('2026-12-02T00:00:00Z'), point('2026-12-01T00:00:00Z')]);
    expect(rows.map((r) => r.x)).toEqual([ms('2026-12-01T00:00:00Z'), ms('2026-12-02T00:00:00Z')]);
    expect(rows[0]?.errorPercent).toBe(0);
  });
});

describe('needsDots', () => {
  it('draws dots for a single point or one standing between gaps', () => {
    expect(needsDots([5])).toBe(true);
    expect(needsDots([null, 5, null])).toBe(true);
    expect(needsDots([1, 2, null, 3])).toBe(true);
  });
  it('draws plain lines when every value has a neighbour', () => {
    expect(needsDots([1, 2, null, 3, 4])).toBe(false);
    expect(needsDots([null, null])).toBe(false);
  });
});
