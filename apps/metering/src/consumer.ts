import { recordWatermarks } from '@portcullis/billing/watermarks';
import { type Db, prismaSqlRunner } from '@portcullis/db';
import { type ApplyResult, applyUsageEvents } from '@portcullis/usage/apply';
import {
  DEFAULT_USAGE_KEY_PREFIX,
  deadLetterStreamKey,
  decodeUsageFields,
  type StreamUsageEvent,
  USAGE_CONSUMER_GROUP,
  usageStreamKeys,
} from '@portcullis/usage/stream';
import {
  DEFAULT_IN_FLIGHT_BOUND_MS,
  DEFAULT_WATERMARK_INTERVAL_MS,
  streamWatermarks,
} from '@portcullis/usage/watermark';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { LagWindow } from './metrics.ts';

export interface UsageConsumerOptions {
  redis: Redis | Cluster;
  db: Db;
  logger: Logger;
  /** Stable across restarts, so a restarted worker finds the entries it held. */
  consumerName: string;
  keyPrefix?: string;
  batchSize: number;
  blockMs: number;
  /**
   * A round that found less than a full batch, and no partition with a full page waiting, leaves at
   * least this long (from its start) before the next read, so light traffic is applied in batches of
   * many events instead of a transaction per few; a backlog is read on at once. Adds at most this much
   * lag. Default 0.
   */
  lingerMs?: number;
  claimIdleMs: number;
  /**
   * The longest a request can run (plus clock skew between gateways, Redis and this worker): a
   * partition's watermark is how far it has drained minus this (usage/watermark.ts). Default 10 min.
   */
  inFlightBoundMs?: number;
  /** How often the partitions' watermarks are recorded (they are also this worker's heartbeat). */
  watermarkIntervalMs?: number;
  now?: () => number;
  /** Seen after every committed batch (metrics, benchmark). */
  onApplied?: (result: ApplyResult, events: readonly StreamUsageEvent[]) => void;
  apply?: typeof applyUsageEvents;
}

interface StreamEntry {
  key: string;
  streamId: string;
  fields: string[] | null;
}

type StreamReply = [key: string, entries: [streamId: string, fields: string[] | null][]][] | null;

export interface ConsumerStats {
  applied: number;
  duplicates: number;
  deadLettered: number;
  batches: number;
  failures: number;
}

const MAX_BACKOFF_MS = 5_000;

/**
 * Reads usage events from every partition through the `metering` consumer group and records them in
 * Postgres. An entry is acknowledged (XACK) and deleted (XDEL), atomically, only after the transaction
 * that recorded it has committed, so a crash at any point leaves it pending, and it is delivered again: to this
 * consumer when it restarts (it first re-reads its own pending entries), or to another one through
 * XAUTOCLAIM once it has been idle for claimIdleMs. Applying an event twice changes nothing
 * (applyUsageEvents), so redelivery is harmless: at-least-once delivery, exactly-once effect.
 */
export class UsageConsumer {
  readonly stats: ConsumerStats = { applied: 0, duplicates: 0, deadLettered: 0, batches: 0, failures: 0 };
  readonly lag: LagWindow;
  private readonly keys: string[];
  private readonly deadKey: string;
  private readonly perStream: number;
  private readonly claimEveryMs: number;
  private readonly now: () => number;
  private readonly apply: typeof applyUsageEvents;
  /** After a start or any failure, this consumer's pending entries come first. */
  private mode: 'pending' | 'new' = 'pending';
  private groupsReady = false;
  private lastClaimAt = 0;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private lastRoundAt = 0;
  /** The last read filled a whole page of some partition: more is waiting there, so no linger. */
  private pageFilled = false;
  private lastWatermarkAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: UsageConsumerOptions) {
    const prefix = options.keyPrefix ?? DEFAULT_USAGE_KEY_PREFIX;
    this.keys = usageStreamKeys(prefix);
    this.deadKey = deadLetterStreamKey(prefix);
    this.perStream = Math.max(1, Math.ceil(options.batchSize / this.keys.length));
    this.claimEveryMs = Math.max(100, Math.min(options.claimIdleMs / 2, 10_000));
    this.now = options.now ?? Date.now;
    this.apply = options.apply ?? applyUsageEvents;
    this.lag = new LagWindow(60, this.now);
  }

  get streamKeys(): readonly string[] {
    return this.keys;
  }

  /** Time of the last round that completed (ms), 0 before the first: liveness. */
  get lastRoundCompletedAt(): number {
    return this.lastRoundAt;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Lets the round in progress finish (its batch committed and acknowledged), then resolves. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  /** Creates the group on every partition (and the streams), from the start of each stream. */
  async ensureGroups(): Promise<void> {
    for (const key of this.keys) {
      try {
        await this.options.redis.xgroup('CREATE', key, USAGE_CONSUMER_GROUP, '0', 'MKSTREAM');
      } catch (error) {
        if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
      }
    }
    this.groupsReady = true;
  }

  /** One read → apply → acknowledge round; returns how many entries it handled. */
  async round(): Promise<number> {
    if (!this.groupsReady) await this.ensureGroups();
    if (this.now() - this.lastClaimAt >= this.claimEveryMs) {
      this.lastClaimAt = this.now();
      const { entries, more } = await this.claimIdle();
      // A full page means more may be waiting: claim again next round (and do not linger).
      if (more) this.lastClaimAt = 0;
      this.pageFilled = more;
      if (entries.length > 0) return this.handle(entries);
    }
    if (this.mode === 'pending') {
      const entries = await this.read('0');
      if (entries.length === 0) {
        this.mode = 'new';
        return 0;
      }
      return this.handle(entries);
    }
    return this.handle(await this.read('>'));
  }

  /**
   * Records in Postgres how far every partition has drained (usage/watermark.ts): period close waits
   * until each is past a period's end. Recorded before the first read, so a worker starting on a backlog
   * holds the periods the backlog belongs to before it applies anything.
   */
  async recordWatermarks(): Promise<void> {
    const at = this.now();
    this.lastWatermarkAt = at;
    const bound = this.options.inFlightBoundMs ?? DEFAULT_IN_FLIGHT_BOUND_MS;
    const marks = await streamWatermarks(this.options.redis, this.keys, at, bound);
    await recordWatermarks(
      this.options.db,
      marks.map((mark) => ({
        ...mark,
        kind: 'stream' as const,
        reportedAtMs: at,
        reportedBy: this.options.consumerName,
      })),
    );
  }

  private async recordWatermarksWhenDue(force = false): Promise<void> {
    const everyMs = this.options.watermarkIntervalMs ?? DEFAULT_WATERMARK_INTERVAL_MS;
    if (!force && this.now() - this.lastWatermarkAt < everyMs) return;
    try {
      await this.recordWatermarks();
    } catch (error) {
      // Not recorded: the watermarks stay where they were, which only holds period closes longer.
      this.options.logger.warn({ err: (error as Error).message }, 'recording usage watermarks failed');
    }
  }

  private async run(): Promise<void> {
    let backoffMs = 0;
    while (!this.stopping) {
      await this.recordWatermarksWhenDue();
      try {
        const started = performance.now();
        const handled = await this.round();
        this.lastRoundAt = this.now();
        backoffMs = 0;
        const lingerLeft = (this.options.lingerMs ?? 0) - (performance.now() - started);
        if (!this.pageFilled && handled < this.options.batchSize && lingerLeft > 0 && !this.stopping)
          await this.sleep(lingerLeft);
      } catch (error) {
        this.stats.failures++;
        // Whatever was read and not acknowledged is still pending: read it again from the start.
        this.mode = 'pending';
        if (String((error as Error).message).includes('NOGROUP')) this.groupsReady = false;
        backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(100, backoffMs * 2));
        this.options.logger.warn(
          { err: (error as Error).message, retryInMs: backoffMs },
          'metering round failed; entries stay pending',
        );
        await this.sleep(backoffMs);
      }
    }
    // A clean stop leaves the watermarks where this worker got to.
    await this.recordWatermarksWhenDue(true);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** `0`: this consumer's pending entries; `>`: entries never delivered to anyone (blocks when none). */
  private async read(from: '0' | '>'): Promise<StreamEntry[]> {
    const { redis, consumerName, blockMs } = this.options;
    const head = ['GROUP', USAGE_CONSUMER_GROUP, consumerName, 'COUNT', String(this.perStream)];
    if (!redis.isCluster) {
      const block = from === '>' ? ['BLOCK', String(blockMs)] : [];
      const ids = this.keys.map(() => from);
      const reply = (await redis.call(
        'XREADGROUP',
        ...head,
        ...block,
        'STREAMS',
        ...this.keys,
        ...ids,
      )) as StreamReply;
      return this.noteFill(flatten(reply));
    }
    // A multi-key XREADGROUP cannot span Cluster slots, and a blocking one would hold a node's shared
    // connection: read each partition without blocking, and poll briefly when all are empty.
    const replies = await Promise.all(
      this.keys.map((key) => redis.call('XREADGROUP', ...head, 'STREAMS', key, from) as Promise<StreamReply>),
    );
    const entries = replies.flatMap(flatten);
    if (entries.length === 0 && from === '>') await this.sleep(Math.min(blockMs, 100));
    return this.noteFill(entries);
  }

  /** Records whether any partition gave a whole page (then a backlog is waiting: read again at once). */
  private noteFill(entries: StreamEntry[]): StreamEntry[] {
    const perKey = new Map<string, number>();
    for (const entry of entries) perKey.set(entry.key, (perKey.get(entry.key) ?? 0) + 1);
    this.pageFilled = [...perKey.values()].some((count) => count >= this.perStream);
    return entries;
  }

  /** Takes over entries other consumers have held longer than claimIdleMs (they are presumed dead). */
  private async claimIdle(): Promise<{ entries: StreamEntry[]; more: boolean }> {
    const { redis, consumerName, claimIdleMs } = this.options;
    const entries: StreamEntry[] = [];
    let more = false;
    for (const key of this.keys) {
      const reply = (await redis.call(
        'XAUTOCLAIM',
        key,
        USAGE_CONSUMER_GROUP,
        consumerName,
        String(claimIdleMs),
        '0-0',
        'COUNT',
        String(this.perStream),
      )) as [string, [string, string[] | null][], string[]?];
      const [cursor, claimed] = reply;
      if (cursor !== '0-0') more = true;
      for (const [streamId, fields] of claimed) entries.push({ key, streamId, fields });
    }
    if (entries.length > 0) {
      this.options.logger.info({ entries: entries.length }, 'claimed entries idle in another consumer');
    }
    return { entries, more };
  }

  private async handle(entries: StreamEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    const events: StreamUsageEvent[] = [];
    const malformed: { entry: StreamEntry; reason: string }[] = [];
    for (const entry of entries) {
      // A pending entry whose content was deleted cannot be recorded; only its acknowledgement is left.
      if (entry.fields === null) continue;
      const decoded = decodeUsageFields(entry.fields);
      if (decoded.ok) events.push(decoded.event);
      else malformed.push({ entry, reason: decoded.reason });
    }
    if (malformed.length > 0) await this.deadLetter(malformed);
    if (events.length > 0) {
      const result = await this.apply(prismaSqlRunner(this.options.db), events, this.now);
      this.stats.applied += result.applied;
      this.stats.duplicates += result.duplicates;
      this.stats.batches++;
      for (const event of events) this.lag.record(result.committedAtMs - event.atMs);
      this.options.onApplied?.(result, events);
    }
    await this.acknowledge(entries);
    return entries.length;
  }

  /** Dead letters are written before the acknowledgement: a crash in between duplicates one, loses none. */
  private async deadLetter(malformed: { entry: StreamEntry; reason: string }[]): Promise<void> {
    const pipeline = this.options.redis.pipeline();
    for (const { entry, reason } of malformed) {
      this.options.logger.error(
        { stream: entry.key, entryId: entry.streamId, reason },
        'malformed usage entry moved to the dead-letter stream',
      );
      pipeline.xadd(
        this.deadKey,
        '*',
        'stream',
        entry.key,
        'entry',
        entry.streamId,
        'reason',
        reason,
        'fields',
        JSON.stringify(entry.fields),
      );
    }
    throwOnPipelineError(await pipeline.exec());
    this.stats.deadLettered += malformed.length;
  }

  private async acknowledge(entries: StreamEntry[]): Promise<void> {
    const byKey = new Map<string, string[]>();
    for (const { key, streamId } of entries) {
      const ids = byKey.get(key);
      if (ids) ids.push(streamId);
      else byKey.set(key, [streamId]);
    }
    const { redis } = this.options;
    // MULTI/EXEC, not a bare pipeline: XACK and XDEL happen together or not at all. A crash (of the
    // worker mid-write, or of Redis between the two) must not leave an entry acknowledged but not
    // deleted: nothing would ever deliver or delete it again. XACK comes first in any case: an entry
    // deleted while still pending would be redelivered without content.
    const ackAndDelete = (transaction: ReturnType<typeof redis.multi>, key: string, ids: string[]) =>
      transaction.xack(key, USAGE_CONSUMER_GROUP, ...ids).xdel(key, ...ids);
    if (!redis.isCluster) {
      const transaction = redis.multi();
      for (const [key, ids] of byKey) ackAndDelete(transaction, key, ids);
      throwOnPipelineError(await transaction.exec());
      return;
    }
    // Each partition is one slot; a Cluster transaction must stay on one slot.
    await Promise.all(
      [...byKey].map(async ([key, ids]) => {
        throwOnPipelineError(await ackAndDelete(redis.multi(), key, ids).exec());
      }),
    );
  }
}

function flatten(reply: StreamReply): StreamEntry[] {
  if (!reply) return [];
  const entries: StreamEntry[] = [];
  for (const [key, items] of reply) {
    for (const [streamId, fields] of items) entries.push({ key, streamId, fields });
  }
  return entries;
}

function throwOnPipelineError(results: [Error | null, unknown][] | null): void {
  if (!results) throw new Error('pipeline was not executed');
  for (const [error] of results) if (error) throw error;
}
