import { randomUUID } from 'node:crypto';
import { hourStart } from '@portcullis/core/periods';
import { type Db, Prisma, type Tx } from '@portcullis/db';

export interface UsageEvent {
  subscriptionId: string;
  atMs: number;
  status: number;
  bytesIn: number;
  bytesOut: number;
}

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
}

interface Rollup {
  subscriptionId: string;
  bucketStart: Date;
  statusClass: number;
  requests: number;
  billable: number;
  bytesIn: number;
  bytesOut: number;
}

/** A cut of the aggregator; keeps its id across retries so applying it twice changes nothing. */
interface Batch {
  id: string;
  events: number;
  rollups: Map<string, Rollup>;
  logs: RequestLogEntry[];
  keysUsed: Map<string, Date>;
  /** Sent to Postgres at least once: from then on its content is frozen (it may have committed). */
  attempted: boolean;
}

export interface UsageMeterOptions {
  flushIntervalMs: number;
  onFlushError?: (error: unknown, batchId: string) => void;
  /** Sees every request log entry, kept or dropped (access log, metrics). Must not throw. */
  onRequestLog?: (entry: RequestLogEntry) => void;
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
 * one transaction per batch records the UsageBatch id, adds to UsageRollup, writes request logs and
 * ApiKey.lastUsedAt. A failed batch is kept and retried with the same id.
 */
export class UsageMeter {
  private rollups = new Map<string, Rollup>();
  private logs: RequestLogEntry[] = [];
  private keysUsed = new Map<string, Date>();
  private events = 0;
  private readonly keyTouchedAt = new Map<string, number>();
  private readonly pending: Batch[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private droppedLogs = 0;
  private pendingLogs = 0;
  private readonly now: () => number;

  constructor(
    private readonly db: Db,
    private readonly options: UsageMeterOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Counts one admitted request. Billable: admitted and answered below 500. */
  recordUsage(event: UsageEvent): void {
    const bucketStart = hourStart(new Date(event.atMs));
    const statusClass = Math.min(5, Math.max(1, Math.floor(event.status / 100)));
    const id = `${event.subscriptionId}|${bucketStart.getTime()}|${statusClass}`;
    let rollup = this.rollups.get(id);
    if (!rollup) {
      rollup = {
        subscriptionId: event.subscriptionId,
        bucketStart,
        statusClass,
        requests: 0,
        billable: 0,
        bytesIn: 0,
        bytesOut: 0,
      };
      this.rollups.set(id, rollup);
    }
    rollup.requests += 1;
    if (event.status < 500) rollup.billable += 1;
    rollup.bytesIn += event.bytesIn;
    rollup.bytesOut += event.bytesOut;
    this.events += 1;
  }

  recordLog(entry: RequestLogEntry): void {
    this.options.onRequestLog?.(entry);
    if (this.logs.length + this.pendingLogs >= MAX_PENDING_LOGS) {
      this.droppedLogs += 1;
      return;
    }
    this.logs.push(entry);
  }

  /** Marks a key used; written at most once a minute per key. */
  touchKey(keyId: string, atMs: number): void {
    const last = this.keyTouchedAt.get(keyId);
    if (last !== undefined && atMs - last < KEY_TOUCH_INTERVAL_MS) return;
    this.keyTouchedAt.set(keyId, atMs);
    this.keysUsed.set(keyId, new Date(atMs));
  }

  get droppedLogCount(): number {
    return this.droppedLogs;
  }

  get pendingBatches(): number {
    return this.pending.length;
  }

  /** Cuts the current aggregate into a batch and applies every pending batch in order. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.cut();
    this.flushing = this.applyPending().finally(() => {
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
        this.keysUsed.size === 0
      )
        return;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }

  private cut(): void {
    if (this.events === 0 && this.logs.length === 0 && this.keysUsed.size === 0) return;
    this.pendingLogs += this.logs.length;
    const tail = this.pending.at(-1);
    if (tail && !tail.attempted && tail.logs.length + this.logs.length <= MAX_LOGS_PER_BATCH) {
      mergeInto(tail, this.events, this.rollups, this.logs, this.keysUsed);
    } else {
      this.pending.push({
        id: randomUUID(),
        events: this.events,
        rollups: this.rollups,
        logs: this.logs,
        keysUsed: this.keysUsed,
        attempted: false,
      });
    }
    this.rollups = new Map();
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
    const nowIso = new Date(this.now()).toISOString();
    await this.db.$transaction(async (tx) => {
      const inserted = await tx.$executeRaw`
        INSERT INTO "UsageBatch" (id, events) VALUES (${batch.id}, ${batch.events}) ON CONFLICT (id) DO NOTHING`;
      if (inserted === 0) return; // applied before (a retry after a lost commit acknowledgement)
      if (batch.rollups.size > 0) {
        const values = [...batch.rollups.values()].map(
          (
            r,
          ) => Prisma.sql`(${randomUUID()}, ${r.subscriptionId}, ${r.bucketStart.toISOString()}::timestamp(3),
            ${r.statusClass}::int, ${r.requests}::bigint, ${r.billable}::bigint, ${r.bytesIn}::bigint, ${r.bytesOut}::bigint)`,
        );
        // The join drops rows of subscriptions deleted meanwhile, which would otherwise poison the batch.
        await tx.$executeRaw`
          INSERT INTO "UsageRollup" (id, "subscriptionId", "bucketStart", "statusClass", requests, billable, "bytesIn", "bytesOut", "updatedAt")
          SELECT v.id, v.sid, v.bucket, v.cls, v.requests, v.billable, v.bytes_in, v.bytes_out, ${nowIso}::timestamp(3)
          FROM (VALUES ${Prisma.join(values)}) AS v(id, sid, bucket, cls, requests, billable, bytes_in, bytes_out)
          JOIN "Subscription" s ON s.id = v.sid
          ON CONFLICT ("subscriptionId", "bucketStart", "statusClass") DO UPDATE SET
            requests = "UsageRollup".requests + excluded.requests,
            billable = "UsageRollup".billable + excluded.billable,
            "bytesIn" = "UsageRollup"."bytesIn" + excluded."bytesIn",
            "bytesOut" = "UsageRollup"."bytesOut" + excluded."bytesOut",
            "updatedAt" = excluded."updatedAt"`;
      }
      if (batch.logs.length > 0) await insertRequestLogs(tx, batch.logs);
      for (const [keyId, at] of batch.keysUsed) {
        await tx.apiKey.updateMany({
          where: { id: keyId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: at } }] },
          data: { lastUsedAt: at },
        });
      }
    });
  }
}

function mergeInto(
  batch: Batch,
  events: number,
  rollups: Map<string, Rollup>,
  logs: RequestLogEntry[],
  keysUsed: Map<string, Date>,
): void {
  batch.events += events;
  for (const [id, rollup] of rollups) {
    const into = batch.rollups.get(id);
    if (!into) {
      batch.rollups.set(id, rollup);
      continue;
    }
    into.requests += rollup.requests;
    into.billable += rollup.billable;
    into.bytesIn += rollup.bytesIn;
    into.bytesOut += rollup.bytesOut;
  }
  for (const log of logs) batch.logs.push(log);
  for (const [keyId, at] of keysUsed) {
    const known = batch.keysUsed.get(keyId);
    if (!known || known < at) batch.keysUsed.set(keyId, at);
  }
}

/**
 * One INSERT … SELECT FROM unnest(column arrays): 17 parameters whatever the row count. Prisma's
 * createMany builds and plans every row in JS/wasm on the event loop, which the benchmark showed costing
 * ~25% of the gateway's CPU and stalling responses for hundreds of ms at each flush.
 */
async function insertRequestLogs(tx: Tx, logs: RequestLogEntry[]): Promise<void> {
  const column = <K extends keyof RequestLogEntry>(key: K) => logs.map((log) => log[key]);
  await tx.$executeRaw`
    INSERT INTO "RequestLog" (id, at, "orgId", "apiId", "appId", "keyId", "subscriptionId", method, path,
      status, "latencyMs", "upstreamMs", "bytesIn", "bytesOut", "clientIp", "userAgent", "errorCode")
    SELECT * FROM unnest(
      ${column('id')}::text[], ${logs.map((log) => log.at.toISOString())}::timestamp(3)[],
      ${column('orgId')}::text[], ${column('apiId')}::text[], ${column('appId')}::text[],
      ${column('keyId')}::text[], ${column('subscriptionId')}::text[], ${column('method')}::text[],
      ${column('path')}::text[], ${column('status')}::int[], ${column('latencyMs')}::int[],
      ${column('upstreamMs')}::int[], ${column('bytesIn')}::int[], ${column('bytesOut')}::int[],
      ${column('clientIp')}::text[], ${column('userAgent')}::text[], ${column('errorCode')}::text[])
    ON CONFLICT (id) DO NOTHING`;
}
