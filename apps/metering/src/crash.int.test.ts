import { randomInt } from 'node:crypto';
import { createDb, type Db } from '@portcullis/db';
import { createPgPool, type PgPool } from '@portcullis/db/pg';
import {
  decodeUsageFields,
  type StreamUsageEvent,
  USAGE_CONSUMER_GROUP,
  UsageStreamProducer,
  usageStreamKeys,
} from '@portcullis/usage/stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageConsumer } from './consumer.ts';
import { readMeteringEnv } from './env.ts';
import {
  countRecorded,
  databaseUrl,
  deleteKeysUnder,
  eventually,
  makeEvents,
  reconcile,
  redisUrl,
  seedSubscriptions,
  silentLogger,
  spawnWorker,
  streamState,
  testKeyPrefix,
  type WorkerProcess,
} from './test-helpers.ts';
import { createWorkerRedis, waitReady } from './worker.ts';

/*
 * What a SIGKILL leaves behind. Redis: entries the worker read and had not acknowledged stay pending
 * under its consumer name. Postgres: a killed client's backend does not notice the death until it next
 * reads from or writes to its socket (client_connection_check_interval is off by default). A transaction
 * left open between statements is rolled back then, but a statement (or COMMIT) already received runs to
 * its end first, even one waiting for a lock, once the lock is released. The worker's apply is one
 * statement, so its own transaction: it commits unless writing its reply fails first. A kill can thus
 * leave a batch committed but not acknowledged, or read and never committed: the successor must record
 * the second and find the first already recorded.
 *
 * Three kinds of kill, in turn, all while events keep arriving:
 * - blind: a random moment within a second of the worker's first apply (reading, applying, acknowledging);
 * - stalled, then committed: a row lock on the rollups holds the worker's apply statement open; SIGKILL
 *   lands while its entries are read and its transaction is in progress; the lock is released and the
 *   dead worker's statement commits on its own: committed, never acknowledged;
 * - stalled, then rolled back: the same, but the dead worker's backend is terminated: never committed.
 * Each kill is classified from what Redis and Postgres hold afterwards, and the test asserts the kinds
 * really happened. Consumer names change every second run, so some entries come back through the
 * restarted worker re-reading its own pending entries and others only through XAUTOCLAIM.
 */

const KILLS = 21;
const KINDS = ['blind', 'stalled-then-committed', 'stalled-then-rolled-back'] as const;
const EVENTS_PER_SECOND = 400;
const CLAIM_IDLE_MS = 1_000;
const APPLY_STATEMENT = '%INSERT INTO "UsageEvent"%';

interface Kill {
  round: number;
  kind: (typeof KINDS)[number];
  consumer: string;
  /** Entries this run of the worker had read and not acknowledged when it died. */
  held: number;
  /** Its apply statement was still running in Postgres after it died. */
  applyInFlight: boolean;
  /** Held entries whose events the dead worker's transaction committed anyway. */
  committedUnacknowledged: number;
}

describe('metering worker killed with SIGKILL 21 times under load', () => {
  let db: Db;
  let redis: Redis;
  let pg: PgPool;
  const keyPrefix = testKeyPrefix('crash');
  const workers: WorkerProcess[] = [];

  beforeAll(() => {
    db = createDb(databaseUrl(), 3);
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: 0 });
    pg = createPgPool(databaseUrl(), 2);
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    if (redis) await deleteKeysUnder(redis, keyPrefix);
    await redis?.quit();
    await pg?.end();
    await db?.$disconnect();
  });

  it('ends with every produced event recorded exactly once and exact rollups', {
    timeout: 300_000,
  }, async () => {
    const keys = usageStreamKeys(keyPrefix);
    const subs = await seedSubscriptions(db, 3);
    const load = startLoad(new UsageStreamProducer(redis, { keyPrefix, timeoutMs: 10_000 }), subs);
    const kills: Kill[] = [];

    const killOnce = async (round: number): Promise<Kill> => {
      const kind = KINDS[round % KINDS.length] as Kill['kind'];
      // Two runs per name: a restart in place, then a replacement that must claim what the last one held.
      const consumer = `crash-w${Math.floor(round / 2)}`;
      const app = `${keyPrefix}${round}`;
      const spawnedAt = Date.now();
      const worker = spawnWorker({
        DATABASE_URL: withApplicationName(databaseUrl(), app),
        REDIS_URL: redisUrl(),
        METERING_REDIS_KEY_PREFIX: keyPrefix,
        METERING_CONSUMER_NAME: consumer,
        // Small batches and no linger: the worker is always between a read, an apply and an XACK.
        METERING_BATCH_SIZE: '200',
        METERING_BLOCK_MS: '100',
        METERING_LINGER_MS: '0',
        METERING_CLAIM_IDLE_MS: String(CLAIM_IDLE_MS),
        METERING_LOG_LEVEL: 'warn',
        METERING_METRICS_PORT: '',
      });
      workers.push(worker);
      const failWith = (error: unknown) => {
        throw new Error(`${(error as Error).message}\n${worker.output()}`);
      };
      await eventually(() => hasApplied(pg, app), 30_000, `worker ${round} applying`).catch(failWith);

      // Let it work through some of the backlog its downtime left, then strike somewhere in that work.
      await new Promise((resolve) => setTimeout(resolve, randomInt(0, kind === 'blind' ? 1_000 : 500)));
      let applyInFlight: boolean;
      if (kind === 'blind') {
        await worker.kill();
        applyInFlight = await applyRunning(pg, app);
      } else {
        const locker = await pg.connect();
        try {
          await locker.query('BEGIN');
          const backend = await stallApply(locker, pg, app, subs).catch(failWith);
          await worker.kill();
          applyInFlight = await applyRunning(pg, app);
          if (kind === 'stalled-then-rolled-back') {
            await pg.query('SELECT pg_terminate_backend($1)', [backend]);
          }
        } finally {
          await locker.query('ROLLBACK');
          locker.release();
        }
      }
      // What the dead worker's statement did is settled only once its backend is gone.
      await eventually(async () => !(await hasBackend(pg, app)), 15_000, `worker ${round}'s backend gone`);
      const heldIds = await heldEventIds(redis, keys, consumer, Date.now() - spawnedAt);
      return {
        round,
        kind,
        consumer,
        held: heldIds.length,
        applyInFlight,
        committedUnacknowledged: heldIds.length > 0 ? await countRecorded(db, heldIds) : 0,
      };
    };

    try {
      for (let round = 0; round < KILLS; round++) kills.push(await killOnce(round));
    } finally {
      await load.stop();
    }
    const produced = load.produced;

    // A replacement under a new name: it can only get the last holder's entries through XAUTOCLAIM.
    const workerRedis = createWorkerRedis(
      readMeteringEnv({ DATABASE_URL: databaseUrl(), REDIS_URL: redisUrl() }),
    );
    const final = new UsageConsumer({
      redis: workerRedis,
      db,
      logger: silentLogger(),
      consumerName: 'crash-final',
      keyPrefix,
      batchSize: 5_000,
      blockMs: 100,
      claimIdleMs: CLAIM_IDLE_MS,
    });
    let left: { length: number; pending: number };
    try {
      await waitReady(workerRedis);
      final.start();
      left = await settle(redis, keys);
      await final.stop();
    } finally {
      workerRedis.disconnect();
    }

    const outcome = await reconcile(db, subs, produced);
    const log = kills.map(
      (k) =>
        `#${k.round} ${k.kind} ${k.consumer}: held ${k.held}, apply ${k.applyInFlight ? 'in flight' : 'idle'}, ` +
        `committed unacknowledged ${k.committedUnacknowledged}`,
    );
    const report = [
      `${produced.length} events produced, ${KILLS} SIGKILLs; left in Redis ${JSON.stringify(left)}; final ` +
        `worker applied ${final.stats.applied}, ignored ${final.stats.duplicates} redelivered`,
      ...log,
    ].join('\n');
    expect(outcome.problems, report).toEqual([]);
    expect(left, report).toEqual({ length: 0, pending: 0 });

    // The faults landed on work in flight, each kind as intended, or the run above proved nothing.
    const stalled = kills.filter((k) => k.kind !== 'blind');
    expect(
      stalled.filter((k) => k.held > 0 && k.applyInFlight),
      `every stalled kill holds read entries inside a running apply\n${report}`,
    ).toHaveLength(stalled.length);
    expect(
      kills.filter((k) => k.kind === 'stalled-then-rolled-back' && k.committedUnacknowledged > 0),
      `a terminated backend commits nothing\n${report}`,
    ).toEqual([]);
    const committed = kills.filter((k) => k.committedUnacknowledged > 0);
    const rolledBack = kills.filter((k) => k.held > 0 && k.applyInFlight && k.committedUnacknowledged === 0);
    // A stalled statement commits after its client died unless writing its reply fails first (its rows
    // are written before the stall, so none has been seen failing); blind kills add more.
    expect(
      committed.length,
      `kills leaving a batch committed, not acknowledged\n${report}`,
    ).toBeGreaterThanOrEqual(4);
    expect(rolledBack.length, `kills undoing a batch in progress\n${report}`).toBeGreaterThanOrEqual(
      KILLS / KINDS.length,
    );
    // Most blind kills hold entries too (the rest land between an XACK and the next read): real
    // concurrency, not only the stalls arranged above.
    const blindHolding = kills.filter((k) => k.kind === 'blind' && k.held > 0);
    expect(blindHolding.length, `blind kills landing with entries held\n${report}`).toBeGreaterThanOrEqual(2);
    expect(produced.length).toBeGreaterThanOrEqual(KILLS * 200);
    process.stdout.write(
      `crash test: ${report.split('\n')[0]}\n  ${committed.length} kills left a batch committed and unacknowledged, ` +
        `${rolledBack.length} rolled one back, ${blindHolding.length} of ${KILLS - stalled.length} blind kills held entries\n`,
    );
  });
});

/** Events at a steady rate until stopped; every one of them was acknowledged by Redis (XADD). */
function startLoad(producer: UsageStreamProducer, subs: readonly string[]) {
  const produced: StreamUsageEvent[] = [];
  let stopped = false;
  const started = performance.now();
  const loop = (async () => {
    while (!stopped) {
      const due = Math.floor(((performance.now() - started) / 1_000) * EVENTS_PER_SECOND) - produced.length;
      if (due > 0) {
        const events = makeEvents(subs, Math.min(due, 500), () => Date.now(), produced.length);
        await Promise.all(events.map((event) => producer.record(event)));
        produced.push(...events);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    produced,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

function withApplicationName(url: string, name: string): string {
  const withName = new URL(url);
  withName.searchParams.set('application_name', name);
  return withName.toString();
}

async function hasApplied(pg: PgPool, app: string): Promise<boolean> {
  const { rowCount } = await pg.query(
    'SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query LIKE $2',
    [app, APPLY_STATEMENT],
  );
  return (rowCount ?? 0) > 0;
}

async function applyRunning(pg: PgPool, app: string): Promise<boolean> {
  const { rowCount } = await pg.query(
    `SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND query LIKE $2`,
    [app, APPLY_STATEMENT],
  );
  return (rowCount ?? 0) > 0;
}

async function hasBackend(pg: PgPool, app: string): Promise<boolean> {
  const { rowCount } = await pg.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [app]);
  return (rowCount ?? 0) > 0;
}

/**
 * Locks the subscriptions' hourly rollup rows inside `locker`'s open transaction until the worker's apply
 * statement waits for one of them (it has inserted its events by then); returns that backend's pid.
 * Rows are locked in the apply's own key order, so the two cannot deadlock; new rows (a new hour) are
 * locked on the next pass.
 */
async function stallApply(
  locker: { query(text: string, values?: unknown[]): Promise<unknown> },
  pg: PgPool,
  app: string,
  subs: readonly string[],
): Promise<number> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    await locker.query(
      `SELECT 1 FROM "UsageRollup" WHERE "subscriptionId" = ANY($1)
       ORDER BY "subscriptionId", "bucketStart", "statusClass" FOR UPDATE`,
      [subs],
    );
    for (let i = 0; i < 50; i++) {
      const { rows } = await pg.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity
         WHERE application_name = $1 AND state = 'active' AND wait_event_type = 'Lock' AND query LIKE $2`,
        [app, APPLY_STATEMENT],
      );
      if (rows[0]) return rows[0].pid;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  throw new Error(`worker ${app} never waited on the locked rollup rows`);
}

/**
 * Event ids of the entries pending under `consumer` that were delivered within the last `withinMs`
 * (by the run that just died: the entries an earlier run left and this one did not re-read are idle
 * for longer).
 */
async function heldEventIds(
  redis: Redis,
  keys: readonly string[],
  consumer: string,
  withinMs: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (const key of keys) {
    const pending = (await redis.xpending(key, USAGE_CONSUMER_GROUP, '-', '+', 100_000, consumer)) as [
      string,
      string,
      number,
      number,
    ][];
    const held = pending.filter(([, , idleMs]) => idleMs < withinMs);
    if (held.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const [entryId] of held) pipeline.xrange(key, entryId, entryId);
    for (const [error, entries] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      const [entry] = entries as [string, string[]][];
      const decoded = decodeUsageFields(entry?.[1] ?? null);
      if (!decoded.ok) throw new Error(`held entry unreadable: ${decoded.reason}`);
      ids.push(decoded.event.id);
    }
  }
  return ids;
}

/** Waits until the streams are empty, or until nothing has changed for a while (then something is stuck). */
async function settle(redis: Redis, keys: readonly string[]): Promise<{ length: number; pending: number }> {
  const deadline = Date.now() + 60_000;
  let state = await streamState(redis, keys);
  let changedAt = Date.now();
  while (state.length > 0 || state.pending > 0) {
    if (Date.now() > deadline || Date.now() - changedAt > 5 * CLAIM_IDLE_MS) return state;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const next = await streamState(redis, keys);
    if (next.length !== state.length || next.pending !== state.pending) changedAt = Date.now();
    state = next;
  }
  return state;
}
