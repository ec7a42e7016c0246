import { randomUUID } from 'node:crypto';
import { emptyLatencyCounts, latencyBucketIndex, mergeCounts } from '@portcullis/core/latency';
import { hourStart } from '@portcullis/core/periods';
import type { SqlWriter } from '@portcullis/db/pg';
import {
  type LatencyHistogram,
  type UsageFigures,
  UsageTally,
  writeLatencyRollups,
  writeRollups,
} from '@portcullis/usage/rollups';
import {
  DEFAULT_IN_FLIGHT_BOUND_MS,
  DEFAULT_WATERMARK_INTERVAL_MS,
  DELETE_WATERMARK_SQL,
  gatewayWatermarkSource,
  RECORD_WATERMARKS_SQL,
  watermarkReportsJson,
} from '@portcullis/usage/watermark';

export interface RequestLogEntry {
  id: string;
  /** The x-request-id the client saw: in the access log only (it may be client-chosen, so not a key). */
  requestId?: string;
  at: Date;
  orgId: string | null;
  apiId: string | null;
  appId: string | null;
  keyId: string | null;
  subscriptionId: string | null;
  method: string;
  path: string;
  status: number;
  latencyMs: number;
  upstreamMs: number | null;
  bytesIn: number;
  bytesOut: number;
  clientIp: string | null;
  userAgent: string | null;
  errorCode: string | null;
  /** MCP tool calls (RequestLog.mcpTool): the tool's name; absent or null otherwise */
  mcpTool?: string | null;
}

/** A cut of the aggregator; keeps its id across retries so applying it twice changes nothing. */
interface Batch {
  id: string;
  events: number;
  rollups: UsageTally;
  latency: Map<string, LatencyHistogram>;
  /** RequestLog rows, each already one JSON object (see requestLogRow) */
  logs: string[];
  keysUsed: Map<string, Date>;
  /** Sent to Postgres at least once: from then on its content is frozen (it may have committed). */
  attempted: boolean;
}

export interface UsageMeterOptions {
  flushIntervalMs: number;
  onFlushError?: (error: unknown, batchId: string) => void;
  /** Sees every request log entry, kept or dropped (access log, metrics). Must not throw. */
  onRequestLog?: (entry: RequestLogEntry) => void;
  /** Longest request plus clock skew, for the usage watermark (see reportWatermark); default 10 min. */
  inFlightBoundMs?: number;
  now?: () => number;
}

// Logs are best-effort: under a flood of refused requests, or a long Postgres outage, they must not eat
// the heap. The cap counts every log not yet written (current cut and pending batches).
const MAX_PENDING_LOGS = 50_000;
// While Postgres is down, new cuts merge into the last never-sent batch up to this many logs, so an
// outage leaves a few large batches to replay instead of one per flush interval.
const MAX_LOGS_PER_BATCH = 5_000;
const KEY_TOUCH_INTERVAL_MS = 60_000;

/**
 * Aggregates usage in memory on the response path (no I/O there) and writes it to Postgres in batches:
 * one transaction per batch records the UsageBatch id, adds to UsageRollup and UsageDailyRollup and to
 * the LatencyRollup and LatencyDailyRollup histograms, writes request logs and ApiKey.lastUsedAt. A failed batch is kept and
 * retried with the same id.
 */
export class UsageMeter {
  private rollups = new UsageTally();
  private latency = new Map<string, LatencyHistogram>();
  private logs: string[] = [];
  private keysUsed = new Map<string, Date>();
  private events = 0;
  /**
   * Keys marked used in this touch interval and the one before: two generations swapped every interval,
   * so the memory follows the keys in use now, not every key ever seen.
   */
  private touchedKeys = new Map<string, number>();
  private touchedBefore = new Map<string, number>();
  private touchGenerationAt = Number.NEGATIVE_INFINITY;
  private readonly pending: Batch[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private droppedLogs = 0;
  private pendingLogs = 0;
  private readonly now: () => number;
  private readonly watermarkSource = gatewayWatermarkSource();
  /** Set once usage goes through this meter (embedded mode): from then on it reports a watermark. */
  private metersUsage = false;
  private watermarkAt = Number.NEGATIVE_INFINITY;

  constructor(
    /** node-postgres, not Prisma: these batches are written from the gateway's event loop */
    private readonly sql: SqlWriter,
    private readonly options: UsageMeterOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => {
      if (!this.flushing) void this.flush();
    }, this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Counts one admitted request. Billable: admitted and answered below 500. */
  recordUsage(event: UsageFigures): void {
    this.metersUsage = true;
    this.rollups.add(event);
    this.events += 1;
  }

  recordLog(entry: RequestLogEntry): void {
    this.options.onRequestLog?.(entry);
    // Counted before the log cap: histograms are small, and the charts must not lose the requests of a
    // flood whose log lines are dropped.
    if (entry.apiId !== null) this.countLatency(entry.apiId, entry);
    if (this.logs.length + this.pendingLogs >= MAX_PENDING_LOGS) {
      this.droppedLogs += 1;
      return;
    }
    this.logs.push(requestLogRow(entry));
  }

  private countLatency(apiId: string, entry: RequestLogEntry): void {
    const bucketStart = hourStart(entry.at);
    const subscriptionId = entry.subscriptionId ?? '';
    const id = `${apiId}|${subscriptionId}|${bucketStart.getTime()}`;
    let aggregate = this.latency.get(id);
    if (!aggregate) {
      const counts = emptyLatencyCounts();
      aggregate = { apiId, subscriptionId, bucketStart, counts, requests: 0, errors: 0 };
      this.latency.set(id, aggregate);
    }
    const bucket = latencyBucketIndex(entry.latencyMs);
    aggregate.counts[bucket] = (aggregate.counts[bucket] ?? 0) + 1;
    aggregate.requests += 1;
    if (entry.status >= 500) aggregate.errors += 1;
  }

  /** Marks a key used; written at most once a minute per key. */
  touchKey(keyId: string, atMs: number): void {
    if (atMs - this.touchGenerationAt >= KEY_TOUCH_INTERVAL_MS) {
      this.touchedBefore = this.touchedKeys;
      this.touchedKeys = new Map();
      this.touchGenerationAt = atMs;
    }
    // A key last touched before the previous generation began is more than an interval ago anyway.
    const last = this.touchedKeys.get(keyId) ?? this.touchedBefore.get(keyId);
    if (last !== undefined && atMs - last < KEY_TOUCH_INTERVAL_MS) return;
    this.touchedKeys.set(keyId, atMs);
    this.keysUsed.set(keyId, new Date(atMs));
  }

  /** Keys held to space out lastUsedAt writes: those used in the last two touch intervals. */
  get trackedKeyCount(): number {
    return this.touchedKeys.size + this.touchedBefore.size;
  }

  get droppedLogCount(): number {
    return this.droppedLogs;
  }

  get pendingBatches(): number {
    return this.pending.length;
  }

  /** Cuts the current aggregate into a batch and applies every pending batch in order. */
  flush(): Promise<void> {
    // A flush already running took its cut before the caller's latest records: wait for it, then cut again.
    if (this.flushing) return this.flushing.then(() => this.flush());
    const cutAt = this.now();
    this.cut();
    this.flushing = this.applyPending()
      .then(() => this.reportWatermark(cutAt))
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  /** Stops the timer and flushes, retrying a few times; what still fails is reported, not silently lost. */
  async close(retries = 5): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (let attempt = 0; attempt <= retries; attempt++) {
      await this.flushing;
      await this.flush();
      if (
        this.pending.length === 0 &&
        this.events === 0 &&
        this.logs.length === 0 &&
        this.latency.size === 0 &&
        this.keysUsed.size === 0
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
    // This process holds no usage any more (or what it could not write dies with it): stop holding closes.
    if (this.metersUsage) await this.sql.execute(DELETE_WATERMARK_SQL, [this.watermarkSource]).catch(() => 0);
  }

  /**
   * Embedded mode's usage watermark (@portcullis/usage/watermark): once every batch cut at
   * `cutAt` has committed, every request that ENDED before it is applied, and one still in flight then
   * started after cutAt − inFlightBoundMs. Period close waits for it, so usage still in this process'
   * memory (Postgres unreachable: batches pending) is never closed out.
   */
  private async reportWatermark(cutAt: number): Promise<void> {
    if (!this.metersUsage || this.pending.length > 0) return;
    if (cutAt - this.watermarkAt < DEFAULT_WATERMARK_INTERVAL_MS) return;
    const report = {
      source: this.watermarkSource,
      kind: 'gateway' as const,
      watermarkMs: cutAt - (this.options.inFlightBoundMs ?? DEFAULT_IN_FLIGHT_BOUND_MS),
      reportedAtMs: cutAt,
      reportedBy: this.watermarkSource,
    };
    try {
      await this.sql.execute(RECORD_WATERMARKS_SQL, [watermarkReportsJson([report])]);
      this.watermarkAt = cutAt;
    } catch (error) {
      this.options.onFlushError?.(error, 'usage watermark');
    }
  }

  private cut(): void {
    if (this.events === 0 && this.logs.length === 0 && this.latency.size === 0 && this.keysUsed.size === 0) {
      return;
    }
    this.pendingLogs += this.logs.length;
    const tail = this.pending.at(-1);
    if (tail && !tail.attempted && tail.logs.length + this.logs.length <= MAX_LOGS_PER_BATCH) {
      mergeInto(tail, this.events, this.rollups, this.latency, this.logs, this.keysUsed);
    } else {
      this.pending.push({
        id: randomUUID(),
        events: this.events,
        rollups: this.rollups,
        latency: this.latency,
        logs: this.logs,
        keysUsed: this.keysUsed,
        attempted: false,
      });
    }
    this.rollups = new UsageTally();
    this.latency = new Map();
    this.logs = [];
    this.keysUsed = new Map();
    this.events = 0;
  }

  private async applyPending(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending[0] as Batch;
      batch.attempted = true;
      try {
        await this.apply(batch);
        this.pending.shift();
        this.pendingLogs -= batch.logs.length;
      } catch (error) {
        this.options.onFlushError?.(error, batch.id);
        return;
      }
    }
  }

  private async apply(batch: Batch): Promise<void> {
    const nowMs = this.now();
    await this.sql.transaction(async (tx) => {
      const inserted = await tx.execute(
        'INSERT INTO "UsageBatch" (id, events) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING',
        [batch.id, batch.events],
      );
      if (inserted === 0) return; // applied before (a retry after a lost commit acknowledgement)
      await writeRollups(tx, batch.rollups, nowMs);
      await writeLatencyRollups(tx, [...batch.latency.values()], nowMs);
      if (batch.keysUsed.size > 0) {
        const keys = [...batch.keysUsed].map(([id, at]) => ({ id, at }));
        await tx.execute(TOUCH_KEYS_SQL, [JSON.stringify(keys)]);
      }
    });
    // Outside the transaction (idempotent by id): also after a retry found the usage applied before.
    if (batch.logs.length > 0) await this.sql.execute(INSERT_REQUEST_LOGS_SQL, [`[${batch.logs.join(',')}]`]);
  }
}

function mergeInto(
  batch: Batch,
  events: number,
  rollups: UsageTally,
  latency: Map<string, LatencyHistogram>,
  logs: string[],
  keysUsed: Map<string, Date>,
): void {
  batch.events += events;
  batch.rollups.merge(rollups);
  for (const [id, aggregate] of latency) {
    const into = batch.latency.get(id);
    if (!into) {
      batch.latency.set(id, aggregate);
      continue;
    }
    mergeCounts(into.counts, aggregate.counts);
    into.requests += aggregate.requests;
    into.errors += aggregate.errors;
  }
  for (const log of logs) batch.logs.push(log);
  for (const [keyId, at] of keysUsed) {
    const known = batch.keysUsed.get(keyId);
    if (!known || known < at) batch.keysUsed.set(keyId, at);
  }
}

/*
 * Every batch statement takes its rows as ONE JSON text parameter ($1, made by the native JSON.stringify)
 * unpacked by json_to_recordset: no per-value parameter conversion on the event loop, one round trip.
 */

/**
 * A request log entry as the JSON object its RequestLog row is inserted from, made when the request
 * ends: until the next flush the meter then holds one flat string per request instead of an object
 * graph (entry, Date, a dozen strings), which every young-generation GC in between would have to
 * trace and copy — at thousands of requests per second, most of the gateway's GC time.
 */
function requestLogRow(entry: RequestLogEntry): string {
  return JSON.stringify({
    id: entry.id,
    at: entry.at,
    orgId: entry.orgId,
    apiId: entry.apiId,
    appId: entry.appId,
    keyId: entry.keyId,
    subscriptionId: entry.subscriptionId,
    method: entry.method,
    path: entry.path,
    status: entry.status,
    latencyMs: entry.latencyMs,
    upstreamMs: entry.upstreamMs,
    bytesIn: entry.bytesIn,
    bytesOut: entry.bytesOut,
    clientIp: entry.clientIp,
    userAgent: entry.userAgent,
    errorCode: entry.errorCode,
    // absent reads as NULL: the rows of requests without a tool stay as short as before
    ...(entry.mcpTool ? { mcpTool: entry.mcpTool } : {}),
  });
}

/** Request logs; ON CONFLICT on the key (id, at), so a retried batch writes none twice. */
const INSERT_REQUEST_LOGS_SQL = `
    INSERT INTO "RequestLog" (id, at, "orgId", "apiId", "appId", "keyId", "subscriptionId", method, path,
      status, "latencyMs", "upstreamMs", "bytesIn", "bytesOut", "clientIp", "userAgent", "errorCode",
      "mcpTool")
    SELECT id, at, "orgId", "apiId", "appId", "keyId", "subscriptionId", method, path,
      status, "latencyMs", "upstreamMs", "bytesIn", "bytesOut", "clientIp", "userAgent", "errorCode",
      "mcpTool"
    FROM json_to_recordset($1::json) AS x(
      id text, at timestamp(3), "orgId" text, "apiId" text, "appId" text, "keyId" text,
      "subscriptionId" text, method text, path text, status int, "latencyMs" int, "upstreamMs" int,
      "bytesIn" int, "bytesOut" int, "clientIp" text, "userAgent" text, "errorCode" text,
      "mcpTool" text)
    ON CONFLICT (id, at) DO NOTHING`;

/** ApiKey.lastUsedAt only moves forward. */
const TOUCH_KEYS_SQL = `
    UPDATE "ApiKey" k SET "lastUsedAt" = x.at
    FROM json_to_recordset($1::json) AS x(id text, at timestamp(3))
    WHERE k.id = x.id AND (k."lastUsedAt" IS NULL OR k."lastUsedAt" < x.at)`;
