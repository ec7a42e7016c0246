import type { SqlWriter } from '@portcullis/db/pg';
import type { RedisLocation } from '@portcullis/db/redis';
import type { RedisTurnWriter } from '@portcullis/db/redis-turn';
import { describeError, type Logger } from '../log.ts';
import { UsageMeter } from './meter.ts';
import { RequestLogRetention } from './retention.ts';
import { meterSink, StreamUsageSink, type UsageSink } from './sink.ts';

export interface GatewayUsage {
  /** request log rows, keys' last use, and (embedded mode) usage rollups, written in batches */
  meter: UsageMeter;
  /** where usage events go: the Redis stream, or the meter */
  sink: UsageSink;
  /** the RequestLog retention job, when enabled */
  retention: RequestLogRetention | undefined;
}

/**
 * Redis mode: usage events on the stream the metering worker (apps/metering) reads; embedded: the meter.
 * Started: the meter flushes and retention runs from here on.
 */
export function createUsage(options: {
  sql: SqlWriter;
  redis: RedisLocation | undefined;
  redisKeyPrefix?: string | undefined;
  /** Redis health as the limit store sees it */
  redisHealthy: () => boolean;
  /** The limit store's connection, shared by the usage stream (one socket write per turn for both) */
  redisTurn?: RedisTurnWriter | undefined;
  flushIntervalMs?: number | undefined;
  /** false disables it (default: 30 days, hourly) */
  requestLogRetention?: { defaultDays: number; intervalMs: number } | false | undefined;
  log: Logger;
  now: () => number;
}): GatewayUsage {
  const { log } = options;
  const meter = new UsageMeter(options.sql, {
    flushIntervalMs: options.flushIntervalMs ?? 500,
    now: options.now,
    onFlushError: (error, batchId) =>
      log('error', 'usage flush failed; batch kept for retry', { batchId, error: describeError(error) }),
  });
  meter.start();
  const sink: UsageSink = options.redis
    ? new StreamUsageSink({
        turn: options.redisTurn,
        redisUrl: options.redis.url,
        redisClusterNodes: options.redis.clusterNodes ? [...options.redis.clusterNodes] : undefined,
        keyPrefix: options.redisKeyPrefix,
        sql: options.sql,
        log,
        redisHealthy: options.redisHealthy,
      })
    : meterSink(meter);
  const retentionOptions = options.requestLogRetention ?? { defaultDays: 30, intervalMs: 3_600_000 };
  const retention = retentionOptions
    ? new RequestLogRetention(options.sql, {
        ...retentionOptions,
        onResult: (result) => log('info', 'request log retention', { ...result }),
        onError: (error) => log('warn', 'request log retention failed', { error: describeError(error) }),
      })
    : undefined;
  retention?.start();
  return { meter, sink, retention };
}
