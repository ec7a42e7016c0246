import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Cluster, Redis } from 'ioredis';

/**
 * Usage watermarks: per source that feeds the rollups, the time before which every request's usage has
 * been applied. Period close (invoicing.ts) closes a period only once every source is past its end.
 *
 * An event carries its request's START (atMs), but reaches its source only when the request ends: a
 * stream entry is XADDed as the response completes, and the embedded meter records it then. A source can
 * therefore only vouch for "every request that ENDED before T is applied"; it turns that into a watermark
 * by assuming that no request still in flight at T started more than `inFlightBoundMs` before T. The
 * bound must cover the longest request the gateways serve (long AI streams included) plus the clock skew
 * between gateways, Redis and the metering worker. A request longer than the bound that straddles a
 * period's end can land after the period closed: it is then billed as late usage on a later invoice
 * (late-usage.ts), never lost.
 *
 * Plain SQL and Redis only: the gateway's embedded meter writes its watermark with this too.
 */

/** Longest request (plus clock skew) a watermark assumes; METERING_IN_FLIGHT_BOUND_MS overrides it. */
export const DEFAULT_IN_FLIGHT_BOUND_MS = 10 * 60_000;
/** How often a writer records its watermark (it is also its heartbeat). */
export const DEFAULT_WATERMARK_INTERVAL_MS = 5_000;

export type WatermarkKind = 'stream' | 'gateway';

export interface WatermarkReport {
  source: string;
  kind: WatermarkKind;
  watermarkMs: number;
  reportedAtMs: number;
  reportedBy: string;
}

/**
 * Upserts reports given as one JSON array ($1). A watermark never moves back (GREATEST): two workers
 * reporting the same partition, or a report delayed behind a newer one, cannot undo what was vouched for.
 */
export const RECORD_WATERMARKS_SQL = `
    INSERT INTO "UsageWatermark" (source, kind, watermark, "reportedAt", "reportedBy")
    SELECT source, kind, watermark, reported_at, reported_by
    FROM json_to_recordset($1::json) AS x(source text, kind text, watermark timestamp(3),
      reported_at timestamp(3), reported_by text)
    ORDER BY source
    ON CONFLICT (source) DO UPDATE SET
      watermark = GREATEST("UsageWatermark".watermark, excluded.watermark),
      "reportedAt" = GREATEST("UsageWatermark"."reportedAt", excluded."reportedAt"),
      "reportedBy" = excluded."reportedBy",
      kind = excluded.kind`;

export const DELETE_WATERMARK_SQL = 'DELETE FROM "UsageWatermark" WHERE source = $1';

export function watermarkReportsJson(reports: readonly WatermarkReport[]): string {
  return JSON.stringify(
    reports.map((r) => ({
      source: r.source,
      kind: r.kind,
      watermark: new Date(r.watermarkMs).toISOString(),
      reported_at: new Date(r.reportedAtMs).toISOString(),
      reported_by: r.reportedBy,
    })),
  );
}

/** A name no other gateway process shares (a restarted process is a new source; the old one retires). */
export function gatewayWatermarkSource(): string {
  return `gateway:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

const entryTimeMs = (streamId: string) => Number(streamId.slice(0, streamId.indexOf('-')));

/**
 * Watermarks of the usage stream partitions, read at `nowMs` (taken BEFORE the streams are read).
 * The worker deletes an entry (XACK + XDEL, after its batch committed) and never before, so a
 * partition's oldest entry is the oldest event not yet applied — whoever holds it, pending or never
 * delivered — and every entry XADDed before it, or before `nowMs` when the partition is empty, has
 * been applied. Entry ids are XADD times (Redis' clock), so with the in-flight bound:
 *
 *   watermark = min(nowMs, oldest entry's XADD time) − inFlightBoundMs
 */
export async function streamWatermarks(
  redis: Redis | Cluster,
  keys: readonly string[],
  nowMs: number,
  inFlightBoundMs: number,
): Promise<Array<{ source: string; watermarkMs: number }>> {
  const oldest = await Promise.all(keys.map((key) => redis.xrange(key, '-', '+', 'COUNT', 1)));
  return keys.map((source, i) => {
    const first = oldest[i]?.[0]?.[0];
    const drainedUntil = first === undefined ? nowMs : Math.min(nowMs, entryTimeMs(first));
    return { source, watermarkMs: drainedUntil - inFlightBoundMs };
  });
}
