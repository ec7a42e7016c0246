/**
 * Definitions the analytics charts, their KPI cards and the quota burn-down share, so each number has
 * one meaning wherever it is shown.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** How the error rate is defined, as the UI names it. */
export const ERROR_RATE_DEFINITION = '5xx responses ÷ all requests the gateway answered';

/** The error rate: 5xx responses over every answered request; null when nothing was answered. */
export function errorRate(errors: number, answered: number): number | null {
  return answered > 0 ? errors / answered : null;
}

/** Less of the period than this elapsed: too little to project from. */
const MIN_PROJECTION_ELAPSED_MS = DAY_MS;
/** The pace is measured over at most the last this-much of the period (recent use, not the first hour). */
const PROJECTION_WINDOW_MS = 7 * DAY_MS;
/** Projections from less than this much of the period are flagged as rough. */
const ROUGH_BELOW_MS = 3 * DAY_MS;

export interface ProjectionInput {
  period: { start: Date; end: Date };
  now: Date;
  /** requests used so far in the period */
  used: number;
  /** requests in the pace window [windowStart(period, now), now) */
  windowRequests: number;
  quota: number | null;
  /** the gateway refuses requests past the quota (hard cap): usage cannot end above it */
  capAtQuota: boolean;
}

export type Projection =
  | { kind: 'not_enough_data'; needMs: number }
  | {
      kind: 'projected';
      /** requests expected by the period's end at the recent pace */
      projected: number;
      /** how much recent usage the pace was measured over */
      basisMs: number;
      /** measured over less than three days: a rough estimate */
      rough: boolean;
      /** the projection was held at the quota because the gateway stops there */
      capped: boolean;
      /** when the quota would be reached at this pace (null: not within the period, or no quota) */
      reachesQuotaAt: Date | null;
    };

/** Where the pace is measured from: the last PROJECTION_WINDOW_MS of the period so far. */
export function projectionWindowStart(period: { start: Date }, now: Date): Date {
  return new Date(Math.max(period.start.getTime(), now.getTime() - PROJECTION_WINDOW_MS));
}

/**
 * Usage at the period's end if the recent pace holds: used + pace × time left, where the pace is the
 * requests of the last (up to) seven days over that window. Before a day of the period has passed there
 * is no pace worth extrapolating (four requests in the first minute are not 170,000 a month).
 */
export function projectPeriodUsage(input: ProjectionInput): Projection {
  const start = input.period.start.getTime();
  const end = input.period.end.getTime();
  const now = Math.min(Math.max(input.now.getTime(), start), end);
  const elapsed = now - start;
  if (now >= end) {
    return {
      kind: 'projected',
      projected: input.used,
      basisMs: elapsed,
      rough: false,
      capped: false,
      reachesQuotaAt: null,
    };
  }
  if (elapsed < MIN_PROJECTION_ELAPSED_MS)
    return { kind: 'not_enough_data', needMs: MIN_PROJECTION_ELAPSED_MS - elapsed };
  const basisMs = now - projectionWindowStart(input.period, new Date(now)).getTime();
  const pace = Math.max(0, input.windowRequests) / basisMs;
  let projected = Math.round(input.used + pace * (end - now));
  let reachesQuotaAt: Date | null = null;
  if (input.quota !== null && pace > 0) {
    const at = input.used >= input.quota ? now : now + (input.quota - input.used) / pace;
    if (at < end) reachesQuotaAt = new Date(Math.ceil(at));
  }
  let capped = false;
  if (input.capAtQuota && input.quota !== null && projected > input.quota) {
    projected = Math.max(input.quota, input.used);
    capped = true;
  }
  return { kind: 'projected', projected, basisMs, rough: basisMs < ROUGH_BELOW_MS, capped, reachesQuotaAt };
}
