/**
 * Chart shaping, kept apart from the drawing: which axis labels a range gets, where its ticks fall,
 * rows in time order, and when lines need dots to be seen at all. Times are UTC, like the rollups.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** `hour`: 13:00. `day-hour`: Dec 6 13:00. `date`: Dec 6 (ranges of a week or more). */
export type AxisFormat = 'hour' | 'day-hour' | 'date';

export function axisFormat(from: Date, to: Date): AxisFormat {
  const length = to.getTime() - from.getTime();
  if (length >= 7 * DAY_MS) return 'date';
  return length > DAY_MS ? 'day-hour' : 'hour';
}

const pad = (n: number) => String(n).padStart(2, '0');
const monthDay = (at: Date) =>
  `${at.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' })} ${at.getUTCDate()}`;

export function tickLabel(t: number, format: AxisFormat): string {
  const at = new Date(t);
  const time = `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}`;
  if (format === 'date') return monthDay(at);
  if (format === 'day-hour') return `${monthDay(at)} ${time}`;
  return at.getUTCHours() === 0 && at.getUTCMinutes() === 0 ? monthDay(at) : time;
}

const STEPS: Record<AxisFormat, number[]> = {
  hour: [1, 2, 3, 4, 6, 12].map((h) => h * HOUR_MS),
  'day-hour': [6, 12, 24, 48].map((h) => h * HOUR_MS),
  date: [1, 2, 7, 14, 28, 56, 91].map((d) => d * DAY_MS),
};

/**
 * The instants in [from, to] on the format's boundaries (whole hours, whole UTC days), at the smallest
 * step that keeps at most `maxTicks` of them.
 */
export function timeTicks(from: number, to: number, format: AxisFormat, maxTicks = 7): number[] {
  if (!(to > from)) return [from];
  const steps = STEPS[format];
  const step = steps.find((s) => (to - from) / s <= maxTicks) ?? steps.at(-1)!;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return ticks.length > 0 ? ticks : [from];
}

/**
 * Of the buckets' start times (sorted), those to label: the ones on a tick boundary, or all of them when
 * there are few (a single bucket always gets its label).
 */
export function bucketTicks(xs: number[], format: AxisFormat, maxTicks = 7): number[] {
  if (xs.length <= maxTicks) return xs;
  const first = xs[0]!;
  const last = xs.at(-1)!;
  const boundaries = new Set(timeTicks(first, last, format, maxTicks));
  const onBoundary = xs.filter((x) => boundaries.has(x));
  return onBoundary.length > 0 ? onBoundary : [first, last];
}

export interface SeriesPoint {
  t: Date;
  requests: number;
  errors: number;
  errorRate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** One row per bucket in time order, keyed by its start (`x`, ms), with the error rate in percent. */
export function chartRows<P extends SeriesPoint>(points: P[]) {
  return [...points]
    .sort((a, b) => a.t.getTime() - b.t.getTime())
    .map((p) => ({
      ...p,
      x: p.t.getTime(),
      errorPercent: p.errorRate === null ? null : p.errorRate * 100,
    }));
}

/**
 * Whether a line needs dots: some value has no value beside it (the only point, or one between gaps),
 * and a line through one point draws nothing.
 */
export function needsDots(values: Array<number | null | undefined>): boolean {
  const present = (i: number) => values[i] !== null && values[i] !== undefined;
  return values.some((_, i) => present(i) && !present(i - 1) && !present(i + 1));
}
