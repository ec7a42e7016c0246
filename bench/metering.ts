import { randomBytes, randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { createDb, type Db } from '@portcullis/db';
import { ensureDatabase, migrate } from '@portcullis/db/migrate';
import type { StreamUsageEvent } from '@portcullis/usage/stream';
import { UsageStreamProducer, usageStreamKeys } from '@portcullis/usage/stream';
import { Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import { UsageConsumer } from '../apps/metering/src/consumer.ts';
import { readMeteringEnv } from '../apps/metering/src/env.ts';
import { seedConsumerWithKey, seedProviderWithApi } from '../test/fixtures.ts';
import { readBenchEnv } from './env.ts';

export interface MeteringBenchOptions {
  /** Server URL; the bench works in a database of its own next to it (`<name>_metering`, recreated). */
  databaseUrl: string;
  redisUrl: string;
  /** Events pushed at full speed, then ingested by one worker (the ingest measurement). */
  events?: number;
  /** Events and rate of the lag measurement, where producer and worker run together. */
  lagEvents?: number;
  lagRatePerSecond?: number;
  subscriptions?: number;
  batchSize?: number;
  log?: (line: string) => void;
}

export interface MeteringBenchResult {
  /** One worker's ingest rate: `events` already in the streams → committed in Postgres. */
  eventsPerSecond: number;
  /** Event-to-Postgres lag (commit time − event time) at lagRatePerSecond. */
  lagP50Ms: number;
  lagP99Ms: number;
  events: number;
  /** How fast the producer's pipelined XADDs were acknowledged while filling the streams. */
  producerEventsPerSecond: number;
  lagEvents: number;
  lagRatePerSecond: number;
  batchSize: number;
}

const quantile = (sorted: Float64Array, q: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0);

async function freshDatabase(serverUrl: string): Promise<string> {
  const url = new URL(serverUrl);
  const name = `${url.pathname.slice(1) || 'portcullis_bench'}_metering`;
  url.pathname = `/${name}`;
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
  await ensureDatabase(url.toString());
  await migrate(url.toString());
  return url.toString();
}

function makeEvent(subscriptionIds: string[], i: number): StreamUsageEvent {
  const status = i % 50 === 0 ? 503 : 200;
  return {
    id: randomUUID(),
    subscriptionId: subscriptionIds[i % subscriptionIds.length] as string,
    atMs: Date.now(),
    status,
    billable: status < 500,
    bytesIn: 200,
    bytesOut: 1_500,
    ...(i % 4 === 0 ? { tokensIn: 300, tokensOut: 120, costMicros: 450 } : {}),
  };
}

/**
 * Metering throughput and lag, one worker (UsageConsumer) in this process against a fresh database
 * and a fresh Redis key namespace:
 * 1. ingest: `events` pushed through UsageStreamProducer at full speed, then one worker drains them;
 *    eventsPerSecond = events ÷ (last commit − worker start). The producer is idle by then, so this is
 *    the worker's own capacity.
 * 2. lag: the producer paces `lagEvents` at `lagRatePerSecond` while the worker runs; each event's lag
 *    is its commit time − its atMs, exact (no histogram). Producer and worker share this process's event
 *    loop, so the figure is pessimistic compared with a worker in its own process.
 */
export async function runMeteringBench(options: MeteringBenchOptions): Promise<MeteringBenchResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const events = options.events ?? 200_000;
  const lagEvents = options.lagEvents ?? 100_000;
  const lagRatePerSecond = options.lagRatePerSecond ?? 10_000;
  const batchSize = options.batchSize ?? 5_000;
  const databaseUrl = await freshDatabase(options.databaseUrl);
  const db: Db = createDb(databaseUrl, 3);
  const keyPrefix = `portcullis-bench-metering:${randomBytes(4).toString('hex')}:`;
  const producerRedis = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  const workerRedis = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  await Promise.all(
    [producerRedis, workerRedis].map(
      (r) =>
        new Promise<void>((resolve) => (r.status === 'ready' ? resolve() : r.once('ready', () => resolve()))),
    ),
  );
  try {
    const provider = await seedProviderWithApi(db, {
      upstreamUrl: 'http://127.0.0.1:9',
      requiresApproval: false,
    });
    const subscriptionIds: string[] = [];
    for (let i = 0; i < (options.subscriptions ?? 10); i++) {
      subscriptionIds.push((await seedConsumerWithKey(db, provider.plan.id)).subscription.id);
    }
    const producer = new UsageStreamProducer(producerRedis, { keyPrefix, timeoutMs: 30_000 });
    let committed = 0;
    let lags: Float64Array | undefined;
    let lagCount = 0;
    const consumer = new UsageConsumer({
      redis: workerRedis,
      db,
      logger: pino({ level: 'warn' }),
      consumerName: 'bench-worker',
      keyPrefix,
      batchSize,
      blockMs: 100,
      // what the worker ships with (METERING_LINGER_MS), so the lag figures are the default's
      lingerMs: readMeteringEnv({ DATABASE_URL: databaseUrl, REDIS_URL: options.redisUrl })
        .METERING_LINGER_MS,
      claimIdleMs: 30_000,
      onApplied: (result, batch) => {
        committed += result.applied;
        if (!lags) return;
        for (const event of batch)
          if (lagCount < lags.length) lags[lagCount++] = result.committedAtMs - event.atMs;
      },
    });
    await consumer.ensureGroups();

    // 1. Fill the streams at full speed: 2,000 records per event-loop turn, one pipeline each.
    const fillStarted = performance.now();
    for (let i = 0; i < events; i += 2_000) {
      const turn: Promise<void>[] = [];
      for (let k = i; k < Math.min(events, i + 2_000); k++)
        turn.push(producer.record(makeEvent(subscriptionIds, k)));
      await Promise.all(turn);
    }
    const producerEventsPerSecond = events / ((performance.now() - fillStarted) / 1000);
    log(`metering bench: ${events} events in the streams (producer ${producerEventsPerSecond.toFixed(0)}/s)`);

    const ingestStarted = performance.now();
    consumer.start();
    while (committed < events) await new Promise((resolve) => setTimeout(resolve, 5));
    const eventsPerSecond = events / ((performance.now() - ingestStarted) / 1000);
    log(`metering bench: one worker ingested ${events} events at ${eventsPerSecond.toFixed(0)}/s`);

    // 2. Lag at a steady rate: a tick every 10 ms records its share of the rate.
    lags = new Float64Array(lagEvents);
    const perTick = Math.max(1, Math.round(lagRatePerSecond / 100));
    const lagStarted = performance.now();
    const target = events + lagEvents;
    for (let sent = 0; sent < lagEvents; ) {
      const due = Math.min(
        lagEvents,
        Math.floor(((performance.now() - lagStarted) / 10) * perTick) + perTick,
      );
      const turn: Promise<void>[] = [];
      for (; sent < due; sent++) turn.push(producer.record(makeEvent(subscriptionIds, sent)));
      await Promise.all(turn);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    while (committed < target) await new Promise((resolve) => setTimeout(resolve, 5));
    await consumer.stop();
    const sorted = lags.slice(0, lagCount).sort();
    const lagP50Ms = quantile(sorted, 0.5);
    const lagP99Ms = quantile(sorted, 0.99);
    log(
      `metering bench: lag at ${lagRatePerSecond}/s over ${lagEvents} events: ` +
        `p50 ${lagP50Ms.toFixed(0)} ms, p99 ${lagP99Ms.toFixed(0)} ms`,
    );
    const billed = await db.usageRollup.aggregate({ _sum: { requests: true } });
    if (billed._sum.requests !== BigInt(target)) {
      throw new Error(`rollups hold ${billed._sum.requests} requests, expected ${target}`);
    }
    return {
      eventsPerSecond: Math.round(eventsPerSecond),
      lagP50Ms: Math.round(lagP50Ms),
      lagP99Ms: Math.round(lagP99Ms),
      events,
      producerEventsPerSecond: Math.round(producerEventsPerSecond),
      lagEvents,
      lagRatePerSecond,
      batchSize,
    };
  } finally {
    await producerRedis.del(...usageStreamKeys(keyPrefix)).catch(() => undefined);
    producerRedis.disconnect();
    workerRedis.disconnect();
    await db.$disconnect();
  }
}

function argNumber(name: string): number | undefined {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.slice(name.length + 3)) : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // `tsx bench/metering.ts [--events=N] [--lag-events=N] [--lag-rate=N] [--batch=N]`
  const env = readBenchEnv();
  runMeteringBench({
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    events: argNumber('events'),
    lagEvents: argNumber('lag-events'),
    lagRatePerSecond: argNumber('lag-rate'),
    batchSize: argNumber('batch'),
  }).then(
    (result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
