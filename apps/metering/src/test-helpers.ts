import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Db } from '@portcullis/db';
import { type StreamUsageEvent, USAGE_CONSUMER_GROUP } from '@portcullis/usage/stream';
import type { Cluster, Redis } from 'ioredis';
import { pino } from 'pino';
import { seedConsumerWithKey, seedProviderWithApi } from '../../../test/fixtures.ts';
import type { UsageConsumer } from './consumer.ts';

/** Shared by the metering integration tests (not a test file itself). */

export const silentLogger = () => pino({ level: 'silent' });

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is set by test/global-setup.ts');
  return url;
}

/** The configured Redis (REDIS_URL, defaulted by test/global-setup.ts): shared, so tests keep to their own keys. */
export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is set by test/global-setup.ts');
  return url;
}

/** A key prefix no other test run uses; only glob-safe characters, so `deleteKeysUnder` matches it literally. */
export const testKeyPrefix = (label: string) => `${label}-${randomBytes(6).toString('hex')}:`;

/** Deletes every key under a prefix from `testKeyPrefix` (streams, their groups, dead letters), and nothing else. */
export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<number> {
  if (!/^[A-Za-z0-9_:-]+$/.test(prefix)) throw new Error(`prefix ${prefix} would be read as a pattern`);
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** Real subscriptions: the rollups have a foreign key to Subscription. */
export async function seedSubscriptions(db: Db, count: number): Promise<string[]> {
  const provider = await seedProviderWithApi(db, {
    upstreamUrl: 'http://127.0.0.1:9',
    requiresApproval: false,
  });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await seedConsumerWithKey(db, provider.plan.id)).subscription.id);
  return ids;
}

const STATUSES = [200, 201, 204, 301, 404, 429, 500, 503];
// 23:30 UTC: events spread over two hours of two UTC days, so hourly and daily buckets both split.
const BASE_MS = Date.UTC(2026, 10, 23, 23, 30);

/**
 * Deterministic mix: statuses of every class, some AI events with tokens and cost, two days. `from`
 * continues the mix where an earlier call left off.
 */
export function makeEvents(subscriptionIds: readonly string[], count: number, atMs?: () => number, from = 0) {
  return Array.from({ length: count }, (_, n): StreamUsageEvent => {
    const i = from + n;
    const status = STATUSES[Math.floor(i / subscriptionIds.length) % STATUSES.length] as number;
    const event: StreamUsageEvent = {
      id: randomUUID(),
      subscriptionId: subscriptionIds[i % subscriptionIds.length] as string,
      atMs: atMs ? atMs() : BASE_MS + ((i * 7_919) % 3_600_000),
      status,
      billable: status < 500,
      bytesIn: i % 97,
      bytesOut: (i * 31) % 10_007,
    };
    if (i % 5 === 0) {
      event.tokensIn = i % 1_000;
      event.tokensOut = (i * 3) % 1_000;
      event.costMicros = BigInt(i) * 1_234n;
    }
    return event;
  });
}

export interface Totals {
  requests: bigint;
  billable: bigint;
  bytesIn: bigint;
  bytesOut: bigint;
  tokensIn: bigint;
  tokensOut: bigint;
  costMicros: bigint;
}

const zero = (): Totals => ({
  requests: 0n,
  billable: 0n,
  bytesIn: 0n,
  bytesOut: 0n,
  tokensIn: 0n,
  tokensOut: 0n,
  costMicros: 0n,
});

export function expectedTotals(events: readonly StreamUsageEvent[]): Totals {
  const totals = zero();
  for (const e of events) {
    totals.requests += 1n;
    if (e.billable) totals.billable += 1n;
    totals.bytesIn += BigInt(e.bytesIn);
    totals.bytesOut += BigInt(e.bytesOut);
    totals.tokensIn += BigInt(e.tokensIn ?? 0);
    totals.tokensOut += BigInt(e.tokensOut ?? 0);
    totals.costMicros += BigInt(e.costMicros ?? 0);
  }
  return totals;
}

/** Sums of the hourly and of the daily rollups of these subscriptions. */
export async function rollupTotals(
  db: Db,
  subscriptionIds: readonly string[],
): Promise<{ hourly: Totals; daily: Totals }> {
  const where = { subscriptionId: { in: [...subscriptionIds] } };
  const sum = {
    requests: true,
    billable: true,
    bytesIn: true,
    bytesOut: true,
    tokensIn: true,
    tokensOut: true,
    costMicros: true,
  } as const;
  const [hourly, daily] = await Promise.all([
    db.usageRollup.aggregate({ where, _sum: sum }),
    db.usageDailyRollup.aggregate({ where, _sum: sum }),
  ]);
  const fill = (s: Partial<Record<keyof Totals, bigint | null>>): Totals => {
    const totals = zero();
    for (const key of Object.keys(totals) as (keyof Totals)[]) totals[key] = s[key] ?? 0n;
    return totals;
  };
  return { hourly: fill(hourly._sum), daily: fill(daily._sum) };
}

/**
 * Matches every produced event id against the UsageEvent rows of these subscriptions, and the rollups
 * against the produced totals. `problems` is empty exactly when each event was recorded once and counted
 * once; otherwise it says how many were lost, how many are in excess and how far each total is off.
 */
export async function reconcile(
  db: Db,
  subscriptionIds: readonly string[],
  produced: readonly StreamUsageEvent[],
): Promise<{ lost: number; excess: number; problems: string[] }> {
  const rows = await db.$queryRaw<{ id: string; n: number }[]>`
    SELECT id, count(*)::int AS n FROM "UsageEvent"
    WHERE "subscriptionId" = ANY(string_to_array(${subscriptionIds.join(',')}, ','))
    GROUP BY id`;
  const recorded = new Map(rows.map((row) => [row.id, row.n]));
  const producedIds = new Set(produced.map((event) => event.id));
  const lost = [...producedIds].filter((id) => !recorded.has(id));
  let copies = 0;
  let unproduced = 0;
  for (const [id, n] of recorded) {
    copies += n - 1;
    if (!producedIds.has(id)) unproduced++;
  }
  const expected = expectedTotals(produced);
  const totals = await rollupTotals(db, subscriptionIds);
  // UsageEvent's primary key keeps a second recording of an event out of the table, not out of the
  // rollups: what they count beyond the rows recorded is the rest of the excess.
  const countedAgain = Number(totals.hourly.requests) - rows.reduce((sum, row) => sum + row.n, 0);
  const excess = copies + unproduced + Math.max(0, countedAgain);
  const problems: string[] = [];
  if (lost.length > 0) {
    problems.push(
      `lost ${lost.length} of ${producedIds.size} produced events (never recorded), e.g. ${lost.slice(0, 3).join(', ')}`,
    );
  }
  if (excess > 0) {
    problems.push(
      `excess ${excess}: ${copies} extra rows of recorded events, ${unproduced} recorded events never ` +
        `produced, ${Math.max(0, countedAgain)} recorded events counted again in the hourly rollups`,
    );
  }
  for (const [level, got] of [
    ['hourly', totals.hourly],
    ['daily', totals.daily],
  ] as const) {
    const off = (Object.keys(expected) as (keyof Totals)[])
      .filter((field) => got[field] !== expected[field])
      .map(
        (field) =>
          `${field} ${got[field]} (expected ${expected[field]}, off by ${got[field] - expected[field]})`,
      );
    if (off.length > 0) problems.push(`${level} rollups: ${off.join('; ')}`);
  }
  return { lost: lost.length, excess, problems };
}

/** How many of these ids are recorded in UsageEvent. */
export async function countRecorded(db: Db, ids: readonly string[]): Promise<number> {
  const [row] = await db.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM "UsageEvent" WHERE id = ANY(string_to_array(${ids.join(',')}, ','))`;
  return row?.n ?? 0;
}

/** Entries still in the streams and entries delivered but unacknowledged. */
export async function streamState(
  redis: Redis | Cluster,
  keys: readonly string[],
): Promise<{ length: number; pending: number }> {
  let length = 0;
  let pending = 0;
  for (const key of keys) {
    length += await redis.xlen(key);
    const summary = (await redis.xpending(key, USAGE_CONSUMER_GROUP).catch(() => [0])) as [number];
    pending += Number(summary[0] ?? 0);
  }
  return { length, pending };
}

/** Runs rounds until the streams are empty (no entry left, none pending). */
export async function drainWith(
  consumer: UsageConsumer,
  redis: Redis | Cluster,
  withinMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    await consumer.round();
    const state = await streamState(redis, consumer.streamKeys);
    if (state.length === 0 && state.pending === 0) return;
    if (Date.now() > deadline) throw new Error(`streams not drained: ${JSON.stringify(state)}`);
  }
}

export async function eventually(check: () => Promise<boolean>, withinMs: number, what: string) {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const ROOT = resolve(import.meta.dirname, '../../..');
const MAIN = resolve(import.meta.dirname, 'main.ts');

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGKILL: no chance to finish or acknowledge anything. */
  kill(): Promise<void>;
}

/** The worker as its own process, exactly as the platform command starts it. */
export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return {
    child,
    output: () => output,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
