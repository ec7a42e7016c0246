import { describe, expect, it } from 'vitest';
import { errorRate, projectionWindowStart, projectPeriodUsage } from './usage-metrics.ts';

const at = (iso: string) => new Date(iso);
const period = { start: at('2026-12-01T00:00:00Z'), end: at('2027-01-01T00:00:00Z') };
const DAY = 86_400_000;

describe('projectPeriodUsage', () => {
  it('does not extrapolate four requests in the first minute to the whole month', () => {
    const p = projectPeriodUsage({
      period,
      now: at('2026-12-01T00:01:00Z'),
      used: 4,
      windowRequests: 4,
      quota: 1000,
      capAtQuota: false,
    });
    expect(p).toEqual({ kind: 'not_enough_data', needMs: DAY - 60_000 });
  });

  it('projects from the recent pace, flagged rough with under three days of data', () => {
    const p = projectPeriodUsage({
      period,
      now: at('2026-12-02T00:00:00Z'),
      used: 100,
      windowRequests: 100,
      quota: 10_000,
      capAtQuota: false,
    });
    // 100 a day, 30 days left.
    expect(p).toMatchObject({
      kind: 'projected',
      projected: 3100,
      rough: true,
      capped: false,
      reachesQuotaAt: null,
    });
  });

  it('measures the pace over the last seven days only', () => {
    const now = at('2026-12-21T00:00:00Z');
    expect(projectionWindowStart(period, now)).toEqual(at('2026-12-14T00:00:00Z'));
    // A burst early in the month (9,300 requests) then 10 a day for the last week.
    const p = projectPeriodUsage({
      period,
      now,
      used: 9_370,
      windowRequests: 70,
      quota: null,
      capAtQuota: false,
    });
    expect(p).toMatchObject({ kind: 'projected', projected: 9_370 + 110, basisMs: 7 * DAY, rough: false });
  });

  it('says when the quota will be reached and holds a hard-capped projection at the quota', () => {
    const now = at('2026-12-11T00:00:00Z');
    const input = { period, now, used: 500, windowRequests: 350, quota: 1000, capAtQuota: false };
    // 50 a day: 500 more take 10 days.
    expect(projectPeriodUsage(input)).toMatchObject({
      projected: 500 + 50 * 21,
      capped: false,
      reachesQuotaAt: at('2026-12-21T00:00:00Z'),
    });
    expect(projectPeriodUsage({ ...input, capAtQuota: true })).toMatchObject({
      projected: 1000,
      capped: true,
    });
  });

  it('projects no growth without recent traffic, and the final count once the period is over', () => {
    expect(
      projectPeriodUsage({
        period,
        now: at('2026-12-20T00:00:00Z'),
        used: 42,
        windowRequests: 0,
        quota: 100,
        capAtQuota: false,
      }),
    ).toMatchObject({ projected: 42, reachesQuotaAt: null });
    expect(
      projectPeriodUsage({
        period,
        now: at('2027-02-01T00:00:00Z'),
        used: 42,
        windowRequests: 0,
        quota: 100,
        capAtQuota: false,
      }),
    ).toMatchObject({ projected: 42 });
  });
});

describe('errorRate', () => {
  it('is 5xx over answered requests, null without any', () => {
    expect(errorRate(1, 4)).toBe(0.25);
    expect(errorRate(0, 0)).toBeNull();
  });
});
