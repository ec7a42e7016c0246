/**
 * Latency histograms with fixed bucket bounds, shared by the gateway (which counts requests per bucket
 * into LatencyRollup.counts) and the analytics queries (which add rows up and read percentiles).
 * Fixed bounds make histograms of different hours, subscriptions and APIs addable element by element,
 * which is what lets percentiles over any range be computed from rollups instead of raw request logs.
 */

/** Inclusive upper bounds in ms of every bucket but the last, which holds everything slower. */
export const LATENCY_BUCKET_BOUNDS_MS: readonly number[] = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000,
];

/** Buckets per histogram: one per bound plus the open-ended (> 10 s) one. */
export const LATENCY_BUCKET_COUNT = LATENCY_BUCKET_BOUNDS_MS.length + 1;

export const emptyLatencyCounts = (): number[] => new Array<number>(LATENCY_BUCKET_COUNT).fill(0);

/** The bucket a latency falls in: the first whose bound is ≥ ms (garbage such as NaN counts as fastest). */
export function latencyBucketIndex(ms: number): number {
  if (!(ms > LATENCY_BUCKET_BOUNDS_MS[0]!)) return 0;
  for (let i = 1; i < LATENCY_BUCKET_BOUNDS_MS.length; i++) {
    if (ms <= LATENCY_BUCKET_BOUNDS_MS[i]!) return i;
  }
  return LATENCY_BUCKET_BOUNDS_MS.length;
}

/**
 * Element-wise sum into `into` (mutated and returned). Arrays written under other bounds may be shorter
 * or longer; missing elements count as 0 and extra ones land in the open-ended bucket, so no request is
 * ever dropped from a total.
 */
export function mergeCounts(into: number[], add: ReadonlyArray<number | null> | null | undefined): number[] {
  while (into.length < LATENCY_BUCKET_COUNT) into.push(0);
  if (!add) return into;
  const last = LATENCY_BUCKET_COUNT - 1;
  for (let i = 0; i < add.length; i++) {
    const target = Math.min(i, last);
    into[target] = (into[target] ?? 0) + (add[i] ?? 0);
  }
  return into;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of a histogram, in ms, or null when it counts nothing.
 *
 * Interpolates linearly inside the bucket that holds the quantile's rank (as Prometheus'
 * histogram_quantile does): with 10 requests in the 20–50 ms bucket and the rank falling on the 3rd of
 * them, the answer is 20 + 30 × 3/10 = 29 ms. The first bucket starts at 0 ms. A rank in the open-ended
 * bucket answers that bucket's lower bound (10 000 ms): the histogram only knows "slower than that".
 * The result is therefore exact to within the width of one bucket.
 */
export function percentileFromCounts(counts: ReadonlyArray<number | null>, q: number): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within [0, 1], got ${q}`);
  const normalized = mergeCounts(emptyLatencyCounts(), counts);
  const total = normalized.reduce((sum, n) => sum + n, 0);
  if (total <= 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < normalized.length; i++) {
    const inBucket = normalized[i] ?? 0;
    if (inBucket > 0 && below + inBucket >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BUCKET_BOUNDS_MS[i - 1]!;
      const upper = LATENCY_BUCKET_BOUNDS_MS[i];
      if (upper === undefined) return lower;
      return lower + ((upper - lower) * Math.max(0, rank - below)) / inBucket;
    }
    below += inBucket;
  }
  return LATENCY_BUCKET_BOUNDS_MS.at(-1) ?? null;
}
