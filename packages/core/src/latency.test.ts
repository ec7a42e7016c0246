import { describe, expect, it } from 'vitest';
import {
  emptyLatencyCounts,
  LATENCY_BUCKET_BOUNDS_MS,
  LATENCY_BUCKET_COUNT,
  latencyBucketIndex,
  mergeCounts,
  percentileFromCounts,
} from './latency.ts';

/** A histogram with `n` requests in the bucket whose upper bound is `boundMs` (Infinity: the last one). */
function histogram(entries: Array<[boundMs: number, n: number]>): number[] {
  const counts = emptyLatencyCounts();
  for (const [bound, n] of entries) {
    const index = bound === Number.POSITIVE_INFINITY ? LATENCY_BUCKET_COUNT - 1 : latencyBucketIndex(bound);
    counts[index] = (counts[index] ?? 0) + n;
  }
  return counts;
}

describe('latency buckets', () => {
  it('has 13 finite bounds plus an open-ended bucket', () => {
    expect(LATENCY_BUCKET_BOUNDS_MS).toEqual([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]);
    expect(LATENCY_BUCKET_COUNT).toBe(14);
    expect(emptyLatencyCounts()).toEqual(new Array(14).fill(0));
  });

  it('puts a latency in the first bucket whose bound is at least it (bounds are inclusive)', () => {
    expect(latencyBucketIndex(0)).toBe(0);
    expect(latencyBucketIndex(1)).toBe(0);
    expect(latencyBucketIndex(1.01)).toBe(1);
    expect(latencyBucketIndex(2)).toBe(1);
    expect(latencyBucketIndex(3)).toBe(2);
    expect(latencyBucketIndex(50)).toBe(5);
    expect(latencyBucketIndex(51)).toBe(6);
    expect(latencyBucketIndex(10_000)).toBe(12);
    expect(latencyBucketIndex(10_001)).toBe(13);
    expect(latencyBucketIndex(3_600_000)).toBe(13);
  });

  it('counts nonsense (negative, NaN) as fastest rather than losing it', () => {
    expect(latencyBucketIndex(-5)).toBe(0);
    expect(latencyBucketIndex(Number.NaN)).toBe(0);
  });
});

describe('mergeCounts', () => {
  it('adds element-wise into the first array', () => {
    const into = histogram([[10, 2]]);
    const result = mergeCounts(
      into,
      histogram([
        [10, 3],
        [Number.POSITIVE_INFINITY, 1],
      ]),
    );
    expect(result).toBe(into);
    expect(result[3]).toBe(5);
    expect(result[13]).toBe(1);
    expect(result.reduce((a, b) => a + b, 0)).toBe(6);
  });

  it('pads short arrays, treats nulls as 0 and folds extra elements into the last bucket', () => {
    expect(mergeCounts([1], [null, 2])).toEqual([1, 2, ...new Array(12).fill(0)]);
    const longer = new Array(16).fill(1);
    const merged = mergeCounts(emptyLatencyCounts(), longer);
    expect(merged).toHaveLength(14);
    expect(merged[13]).toBe(3);
    expect(merged.reduce((a, b) => a + b, 0)).toBe(16);
    expect(mergeCounts(emptyLatencyCounts(), null)).toEqual(emptyLatencyCounts());
  });
});

describe('percentileFromCounts', () => {
  it('interpolates linearly inside the bucket holding the rank', () => {
    // 10 requests in (20, 50]: p30 is the 3rd of them → 20 + 30 × 3/10.
    expect(percentileFromCounts(histogram([[50, 10]]), 0.3)).toBeCloseTo(29, 10);
    expect(percentileFromCounts(histogram([[50, 10]]), 1)).toBe(50);
    // The first bucket starts at 0 ms.
    expect(percentileFromCounts(histogram([[1, 4]]), 0.5)).toBe(0.5);
  });

  it('walks the cumulative counts across buckets', () => {
    // 90 fast (≤ 10 ms), 9 in (100, 200], 1 in (1000, 2000]
    const counts = histogram([
      [10, 90],
      [200, 9],
      [2000, 1],
    ]);
    expect(percentileFromCounts(counts, 0.5)).toBeCloseTo(5 + (5 * 50) / 90, 10);
    expect(percentileFromCounts(counts, 0.9)).toBe(10);
    expect(percentileFromCounts(counts, 0.95)).toBeCloseTo(100 + (100 * 5) / 9, 10);
    expect(percentileFromCounts(counts, 0.99)).toBe(200);
    expect(percentileFromCounts(counts, 0.999)).toBeCloseTo(1000 + 1000 * 0.9, 6);
  });

  it('skips empty buckets at the start for low quantiles', () => {
    expect(percentileFromCounts(histogram([[500, 3]]), 0)).toBe(200);
  });

  it('answers the last finite bound for ranks in the open-ended bucket', () => {
    expect(
      percentileFromCounts(
        histogram([
          [10, 1],
          [Number.POSITIVE_INFINITY, 99],
        ]),
        0.99,
      ),
    ).toBe(10_000);
  });

  it('is null for an empty histogram and refuses quantiles outside [0, 1]', () => {
    expect(percentileFromCounts(emptyLatencyCounts(), 0.5)).toBeNull();
    expect(percentileFromCounts([], 0.5)).toBeNull();
    expect(() => percentileFromCounts(histogram([[10, 1]]), 1.5)).toThrow(RangeError);
    expect(() => percentileFromCounts(histogram([[10, 1]]), Number.NaN)).toThrow(RangeError);
  });
});
