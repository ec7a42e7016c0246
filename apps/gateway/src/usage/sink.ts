import type { SqlRunner } from '@portcullis/db/pg';
import { createRedis } from '@portcullis/db/redis';
import { RedisTurnWriter } from '@portcullis/db/redis-turn';
import { applyUsageEvents } from '@portcullis/usage/apply';
import { type StreamUsageEvent, UsageStreamProducer } from '@portcullis/usage/stream';
import type { Cluster, Redis } from 'ioredis';
import { describeError, type Logger } from '../log.ts';
import type { UsageMeter } from './meter.ts';

/** Where an admitted request's usage goes. `record` never rejects. */
export interface UsageSink {
  /**
   * True when `record` resolves only once the event has left the process — written to the Redis
   * connection (a failed acknowledgement then falls back to Postgres under the same id) or committed to
   * Postgres — so the response should not end before it. False for the embedded in-memory batch.
   */
  readonly durable: boolean;
  record(event: StreamUsageEvent): Promise<void>;
  /** Resolves once everything recorded so far has been answered (written, or given up on). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Embedded mode: aggregated in memory and written to Postgres in batches by the UsageMeter. */
export function meterSink(meter: UsageMeter): UsageSink {
  return {
    durable: false,
    record(event) {
      meter.recordUsage(event);
      return Promise.resolve();
    },
    flush: () => Promise.resolve(), // the meter flushes its own batches
    close: () => Promise.resolve(),
  };
}

export interface StreamSinkOptions {
  /**
   * The connection to share (the limit store's): XADDs then leave in the same socket write as the
   * turn's limit checks. Its owner closes it. Absent: the sink opens its own from redisUrl/clusterNodes.
   */
  turn?: RedisTurnWriter | undefined;
  redisUrl?: string | undefined;
  redisClusterNodes?: { host: string; port: number }[] | undefined;
  keyPrefix?: string | undefined;
  /** Postgres (node-postgres): only a Redis outage writes usage this way */
  sql: SqlRunner;
  log: Logger;
  /**
   * An XADD not acknowledged within this falls back to Postgres (default 1 s; exact either way). Long
   * enough that a saturated event loop does not flip healthy traffic onto the much costlier Postgres path.
   */
  timeoutMs?: number;
  /** Redis health as another client sees it (the limiter detects a hung Redis within 1 s). */
  redisHealthy?: () => boolean;
}

const FALLBACK_RETRY_MS = 1_000;
/** After a failed XADD, Redis is skipped this long before it is tried again. */
const SUSPECT_MS = 1_000;
/** Events held while Redis and Postgres are both unreachable; beyond this they are dropped (and logged). */
const MAX_HELD_EVENTS = 200_000;

/**
 * Redis mode: one XADD per request (sent with the turn's other Redis commands) read by the metering worker. When the
 * XADD fails or times out, the same event (same id) is written straight to Postgres through the worker's
 * own idempotent apply, so an XADD that landed after all is dropped by the worker as a duplicate: no loss
 * and no double count while Redis is away. Only if Postgres is unreachable too are events held in memory
 * (retried every second, and lost if the gateway dies meanwhile).
 */
export class StreamUsageSink implements UsageSink {
  readonly durable = true;
  private readonly redis: Redis | Cluster;
  private readonly ownsConnection: boolean;
  private readonly producer: UsageStreamProducer;
  private fallback: { event: StreamUsageEvent; done: () => void }[] = [];
  private fallbackScheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private fallbackRunning: Promise<void> | undefined;
  private suspectUntil = 0;

  constructor(private readonly options: StreamSinkOptions) {
    const retryStrategy = (times: number) => Math.min(50 * times, 500);
    // No offline queue: while Redis is down an XADD fails at once and the event goes to Postgres.
    const turn =
      options.turn ??
      new RedisTurnWriter(
        createRedis({
          url: options.redisUrl,
          clusterNodes: options.redisClusterNodes,
          command: { maxRetriesPerRequest: 0 },
          enableOfflineQueue: false,
          retryStrategy,
        }),
      );
    this.ownsConnection = options.turn === undefined;
    this.redis = turn.client;
    this.producer = new UsageStreamProducer(turn, {
      ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}),
      timeoutMs: options.timeoutMs ?? 1_000,
    });
  }

  record(event: StreamUsageEvent): Promise<void> {
    // Down, or recently failing (a hung server answers nothing): straight to Postgres, no timeout per request.
    if (
      this.redis.status !== 'ready' ||
      Date.now() < this.suspectUntil ||
      this.options.redisHealthy?.() === false
    )
      return this.toPostgres(event);
    const fallBack = () => {
      this.suspectUntil = Date.now() + SUSPECT_MS;
      return this.toPostgres(event);
    };
    return this.producer.submit(event, () => void fallBack()).catch(fallBack);
  }

  async flush(): Promise<void> {
    await this.producer.drain();
    await this.fallbackRunning;
  }

  async close(): Promise<void> {
    await this.producer.drain();
    clearTimeout(this.retryTimer);
    await this.fallbackRunning;
    if (this.fallback.length > 0) await this.flushFallback();
    if (this.fallback.length > 0) {
      this.options.log('error', 'usage events could not be recorded anywhere before shutdown', {
        events: this.fallback.length,
      });
    }
    if (this.ownsConnection) this.redis.disconnect();
  }

  private toPostgres(event: StreamUsageEvent): Promise<void> {
    return new Promise<void>((done) => {
      this.fallback.push({ event, done });
      if (this.fallbackScheduled) return;
      this.fallbackScheduled = true;
      setImmediate(() => {
        this.fallbackScheduled = false;
        void this.flushFallback();
      });
    });
  }

  private flushFallback(): Promise<void> {
    if (this.fallbackRunning) return this.fallbackRunning;
    const batch = this.fallback;
    this.fallback = [];
    if (batch.length === 0) return Promise.resolve();
    this.fallbackRunning = applyUsageEvents(
      this.options.sql,
      batch.map((b) => b.event),
    )
      .then(
        () => {
          for (const b of batch) b.done();
        },
        (error: unknown) => {
          this.options.log('error', 'usage: Redis and Postgres both failed; holding events in memory', {
            events: batch.length,
            error: describeError(error),
          });
          // The responses go out (the client must not wait for an outage); the events wait for a retry.
          for (const b of batch) b.done();
          const held = [...batch.map((b) => ({ event: b.event, done: () => undefined })), ...this.fallback];
          if (held.length > MAX_HELD_EVENTS) {
            this.options.log('error', 'usage: dropping events held through a Redis + Postgres outage', {
              dropped: held.length - MAX_HELD_EVENTS,
            });
          }
          this.fallback = held.slice(-MAX_HELD_EVENTS);
          this.retryTimer ??= setTimeout(() => {
            this.retryTimer = undefined;
            void this.flushFallback();
          }, FALLBACK_RETRY_MS);
          this.retryTimer.unref();
        },
      )
      .finally(() => {
        this.fallbackRunning = undefined;
        if (this.fallback.length > 0 && !this.retryTimer) void this.flushFallback();
      });
    return this.fallbackRunning;
  }
}
