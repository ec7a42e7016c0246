import { describe, expect, it } from 'vitest';
import { addAnniversaryMonths, billingPeriod } from './periods.ts';

const d = (iso: string) => new Date(iso);
const period = (anchor: string, at: string) => {
  const { start, end } = billingPeriod(d(anchor), d(at));
  return [start.toISOString(), end.toISOString()];
};

describe('billingPeriod', () => {
  it('runs from one monthly anniversary of the anchor to the next, keeping the time of day', () => {
    expect(period('2026-01-15T10:30:00.000Z', '2026-03-20T00:00:00.000Z')).toEqual([
      '2026-03-15T10:30:00.000Z',
      '2026-04-15T10:30:00.000Z',
    ]);
    // Before the anniversary's time of day on the anniversary itself: still the previous period.
    expect(period('2026-01-15T10:30:00.000Z', '2026-03-15T10:29:59.999Z')).toEqual([
      '2026-02-15T10:30:00.000Z',
      '2026-03-15T10:30:00.000Z',
    ]);
    // Start is inclusive, end exclusive.
    expect(period('2026-01-15T10:30:00.000Z', '2026-03-15T10:30:00.000Z')[0]).toBe(
      '2026-03-15T10:30:00.000Z',
    );
  });

  it('clamps day 29-31 to the last day of shorter months without drifting', () => {
    expect(period('2026-01-31T00:00:00.000Z', '2026-02-10T00:00:00.000Z')).toEqual([
      '2026-01-31T00:00:00.000Z',
      '2026-02-28T00:00:00.000Z',
    ]);
    expect(period('2026-01-31T00:00:00.000Z', '2026-03-01T00:00:00.000Z')).toEqual([
      '2026-02-28T00:00:00.000Z',
      '2026-03-31T00:00:00.000Z',
    ]);
    expect(period('2026-01-31T00:00:00.000Z', '2026-04-30T12:00:00.000Z')).toEqual([
      '2026-04-30T00:00:00.000Z',
      '2026-05-31T00:00:00.000Z',
    ]);
    expect(period('2026-03-30T08:00:00.000Z', '2027-02-28T09:00:00.000Z')).toEqual([
      '2027-02-28T08:00:00.000Z',
      '2027-03-30T08:00:00.000Z',
    ]);
  });

  it('handles leap years', () => {
    expect(period('2027-12-29T00:00:00.000Z', '2028-02-29T12:00:00.000Z')).toEqual([
      '2028-02-29T00:00:00.000Z',
      '2028-03-29T00:00:00.000Z',
    ]);
    expect(period('2028-01-31T00:00:00.000Z', '2028-02-28T23:59:59.999Z')).toEqual([
      '2028-01-31T00:00:00.000Z',
      '2028-02-29T00:00:00.000Z',
    ]);
    expect(period('2028-01-31T00:00:00.000Z', '2028-02-29T00:00:00.000Z')).toEqual([
      '2028-02-29T00:00:00.000Z',
      '2028-03-31T00:00:00.000Z',
    ]);
    // An anchor on Feb 29 recurs on the 29th in 31-day months and Feb 28 in common years.
    expect(period('2028-02-29T00:00:00.000Z', '2029-02-28T00:00:00.000Z')).toEqual([
      '2029-02-28T00:00:00.000Z',
      '2029-03-29T00:00:00.000Z',
    ]);
  });

  it('crosses year ends and works for instants before the anchor', () => {
    expect(period('2025-11-30T00:00:00.000Z', '2026-01-05T00:00:00.000Z')).toEqual([
      '2025-12-30T00:00:00.000Z',
      '2026-01-30T00:00:00.000Z',
    ]);
    expect(period('2026-05-10T00:00:00.000Z', '2026-03-12T00:00:00.000Z')).toEqual([
      '2026-03-10T00:00:00.000Z',
      '2026-04-10T00:00:00.000Z',
    ]);
  });

  it('always contains the instant (property check over many anchors and instants)', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const from = Date.UTC(2020, 0, 1);
    const span = Date.UTC(2032, 0, 1) - from;
    for (let i = 0; i < 2_000; i++) {
      const anchor = new Date(from + Math.floor(random() * span));
      const at = new Date(from + Math.floor(random() * span));
      const { start, end } = billingPeriod(anchor, at);
      expect(start.getTime()).toBeLessThanOrEqual(at.getTime());
      expect(end.getTime()).toBeGreaterThan(at.getTime());
      expect(end.getTime() - start.getTime()).toBeGreaterThanOrEqual(28 * 86_400_000);
      expect(end.getTime() - start.getTime()).toBeLessThanOrEqual(31 * 86_400_000);
    }
  });

  it('addAnniversaryMonths goes backwards across years', () => {
    expect(addAnniversaryMonths(d('2026-03-31T00:00:00.000Z'), -13).toISOString()).toBe(
      '2025-02-28T00:00:00.000Z',
    );
  });
});
