import type { Db } from '@portcullis/db';
import {
  RECORD_WATERMARKS_SQL,
  type WatermarkReport,
  watermarkReportsJson,
} from '@portcullis/usage/watermark';

/**
 * When may a period close? Only once no usage for it can still arrive: every source that feeds the
 * rollups (usage/watermark.ts) must have vouched for everything up to the period's end.
 *
 * - A stream partition holds closes for as long as its watermark is behind, however long that is: its
 *   entries wait in Redis for a worker, so closing would only bill them late. A partition whose worker
 *   stopped reporting is "stale" (said in the reason) and keeps holding.
 * - An embedded gateway holds them too, but a gateway that has been silent for `gatewayGiveUpMs` is
 *   presumed dead (SIGKILL, host lost): its in-memory usage died with it. If it was alive after all (cut
 *   off from Postgres), what it flushes later is billed as late usage; nothing is lost.
 * - No source at all (a deployment before its first worker or gateway reported) holds nothing.
 */

const DEFAULT_WATERMARK_STALE_MS = 2 * 60_000;
const DEFAULT_GATEWAY_GIVE_UP_MS = 60 * 60_000;
/** Rows of gateways presumed dead are deleted after this long (each restart makes a new source). */
const DEAD_GATEWAY_RETENTION_MS = 7 * 86_400_000;

type WatermarkState =
  /** reporting */
  | 'current'
  /** silent for longer than staleMs: its worker or gateway stopped, or cannot reach Postgres */
  | 'stale'
  /** a gateway silent past gatewayGiveUpMs: no longer holds anything */
  | 'abandoned';

export interface WatermarkSourceState {
  source: string;
  kind: string;
  watermark: Date;
  reportedAt: Date;
  reportedBy: string;
  state: WatermarkState;
}

export interface CloseGate {
  /** A period ending after this waits; null when no source holds anything. */
  closableUntil: Date | null;
  sources: WatermarkSourceState[];
}

export interface CloseGateOptions {
  now: Date;
  staleMs?: number;
  gatewayGiveUpMs?: number;
}

export async function recordWatermarks(db: Db, reports: readonly WatermarkReport[]): Promise<void> {
  if (reports.length === 0) return;
  await db.$executeRawUnsafe(RECORD_WATERMARKS_SQL, watermarkReportsJson(reports));
}

export async function readCloseGate(db: Db, options: CloseGateOptions): Promise<CloseGate> {
  const now = options.now.getTime();
  const staleMs = options.staleMs ?? DEFAULT_WATERMARK_STALE_MS;
  const giveUpMs = options.gatewayGiveUpMs ?? DEFAULT_GATEWAY_GIVE_UP_MS;
  await db.usageWatermark.deleteMany({
    where: { kind: 'gateway', reportedAt: { lt: new Date(now - DEAD_GATEWAY_RETENTION_MS) } },
  });
  const rows = await db.usageWatermark.findMany({ orderBy: { source: 'asc' } });
  let closableUntil: Date | null = null;
  const sources = rows.map((row): WatermarkSourceState => {
    const silentMs = now - row.reportedAt.getTime();
    const state: WatermarkState =
      row.kind === 'gateway' && silentMs > giveUpMs ? 'abandoned' : silentMs > staleMs ? 'stale' : 'current';
    if (state !== 'abandoned' && (closableUntil === null || row.watermark < closableUntil)) {
      closableUntil = row.watermark;
    }
    const { source, kind, watermark, reportedAt, reportedBy } = row;
    return { source, kind, watermark, reportedAt, reportedBy, state };
  });
  return { closableUntil, sources };
}

/** The sources a period ending at `end` waits for. */
export function sourcesBehind(gate: CloseGate, end: Date): WatermarkSourceState[] {
  return gate.sources.filter((s) => s.state !== 'abandoned' && s.watermark.getTime() < end.getTime());
}
