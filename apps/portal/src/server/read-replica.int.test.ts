import { randomUUID } from 'node:crypto';
import { type AddressInfo, createServer } from 'node:net';
import { hourStart } from '@portcullis/core/periods';
import { createDb, createReadReplicaDb, type Db, getDb } from '@portcullis/db';
import { ensureDatabase, migrate } from '@portcullis/db/migrate';
import pg from 'pg';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seedOrg, seedUser, uniq } from '../../../../test/fixtures';
import { rebuildOrgRollups } from '../../../../test/org-rollups';
import {
  postgresServerBinaries,
  type ReplicatedPostgres,
  startReplicatedPostgres,
} from '../../../../test/postgres-replica';

/*
 * DATABASE_REPLICA_URL against a real streaming replica: a primary and a standby made with initdb and
 * pg_basebackup -R, the portal's tRPC and CSV routes as a browser calls them. With the standby's replay
 * paused, a row written to the primary is absent from what the explorers and analytics show until
 * replay resumes: they read the standby. Membership and writes use the primary. A stopped standby sends
 * reads to the primary, with one warning.
 */

const bin = postgresServerBinaries();
if (!bin) {
  console.warn(
    'read replica tests skipped: no Postgres server binaries (initdb, pg_ctl, pg_basebackup) under /usr/lib/postgresql/<version>/bin; install postgresql-15',
  );
}

// The routes read the session through next-auth; the tests decide who is signed in.
const session = vi.hoisted(() => ({ userId: null as string | null }));
vi.mock('./auth', () => ({ currentUserId: async () => session.userId }));

type Handler = (req: Request) => Response | Promise<Response>;
type CsvHandler = (req: Request, ctx: { params: Promise<{ slug: string }> }) => Promise<Response>;

const DATABASE = 'portcullis_replica';
/** the run's database (test/global-setup.ts), before the replicated cluster's replaces it below */
const RUN_DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/portcullis_test';
const HOUR_MS = 3_600_000;

describe.skipIf(!bin)('reads from a streaming replica (DATABASE_REPLICA_URL)', () => {
  let cluster: ReplicatedPostgres;
  let primary: Db;
  let trpcGet: Handler;
  let trpcPost: Handler;
  let csvGet: CsvHandler;
  let serviceReads: () => Db | undefined;
  let world: Awaited<ReturnType<typeof seedWorld>>;

  beforeAll(async () => {
    cluster = await startReplicatedPostgres(bin!);
    await ensureDatabase(cluster.primaryUrl(DATABASE));
    await migrate(cluster.primaryUrl(DATABASE));
    // Before anything reads them: the portal's env module and getDb() take these on first use.
    process.env.DATABASE_URL = cluster.primaryUrl(DATABASE);
    process.env.DATABASE_REPLICA_URL = cluster.replicaUrl(DATABASE);
    const trpcRoute = await import('../app/api/trpc/[trpc]/route');
    trpcGet = trpcRoute.GET;
    trpcPost = trpcRoute.POST;
    csvGet = (await import('../app/api/orgs/[slug]/logs/csv/route')).GET;
    serviceReads = (await import('./db')).serviceReads;
    primary = getDb();
    world = await seedWorld(primary);
    await cluster.waitForReplay();
  }, 180_000);

  afterAll(async () => {
    await serviceReads?.()?.$disconnect();
    await primary?.$disconnect();
    await cluster?.stop();
  });

  async function call<T>(path: string, input: unknown, method: 'GET' | 'POST' = 'GET'): Promise<T> {
    const payload = JSON.stringify(superjson.serialize(input));
    const res =
      method === 'GET'
        ? await trpcGet(
            new Request(`http://portal.test/api/trpc/${path}?input=${encodeURIComponent(payload)}`),
          )
        : await trpcPost(
            new Request(`http://portal.test/api/trpc/${path}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: payload,
            }),
          );
    const body = (await res.json()) as { result?: { data: unknown }; error?: unknown };
    if (!res.ok || !body.result) throw new Error(`${path}: ${res.status} ${JSON.stringify(body.error)}`);
    return superjson.deserialize(body.result.data as never) as T;
  }

  /** Everything the explorers, analytics and the CSV export show the provider, as the user signed in. */
  async function shown(userId: string) {
    session.userId = userId;
    const orgSlug = world.provider.slug;
    const now = Date.now();
    const [logs, calls, series, csv] = await Promise.all([
      call<{ rows: Array<{ id: string }> }>('logs.list', { orgSlug, side: 'provider' }),
      call<{ items: Array<{ id: string }> }>('ai.calls', { orgSlug }),
      call<{ totals: { requests: number } }>('analytics.timeseries', {
        orgSlug,
        side: 'provider',
        from: new Date(now - 2 * HOUR_MS),
        to: new Date(now + 2 * HOUR_MS),
      }),
      csvGet(new Request(`http://portal.test/api/orgs/${orgSlug}/logs/csv?side=provider`), {
        params: Promise.resolve({ slug: orgSlug }),
      }).then(async (res) => {
        expect(res.status).toBe(200);
        return res.text();
      }),
    ]);
    return {
      requestLogIds: logs.rows.map((r) => r.id),
      aiCallIds: calls.items.map((r) => r.id),
      requests: series.totals.requests,
      csvIds: csv
        .split('\r\n')
        .slice(1)
        .filter(Boolean)
        .map((line) => line.split(',')[1]),
    };
  }

  /** A request-log row, an AI call and 5 admitted requests in the current hour's rollup, on the primary. */
  async function writeTraffic() {
    const requestLogId = `rl-${randomUUID()}`;
    const aiCallId = `ai-${randomUUID()}`;
    const at = new Date();
    await primary.requestLog.create({
      data: {
        id: requestLogId,
        at,
        orgId: world.provider.id,
        apiId: world.api.id,
        method: 'GET',
        path: '/replica',
        status: 200,
        latencyMs: 3,
      },
    });
    await primary.aiCallLog.create({
      data: {
        id: aiCallId,
        at,
        orgId: world.provider.id,
        apiId: world.api.id,
        requestId: randomUUID(),
        surface: 'chat',
        model: 'replica-model',
        status: 200,
        latencyMs: 5,
      },
    });
    await primary.usageRollup.upsert({
      where: {
        subscriptionId_bucketStart_statusClass: {
          subscriptionId: world.subscription.id,
          bucketStart: hourStart(at),
          statusClass: 2,
        },
      },
      create: {
        subscriptionId: world.subscription.id,
        bucketStart: hourStart(at),
        statusClass: 2,
        requests: 5,
      },
      update: { requests: { increment: 5 } },
    });
    await rebuildOrgRollups(primary, [world.provider.id]);
    return { requestLogId, aiCallId };
  }

  it('the explorers, analytics and the CSV export read the replica: rows appear once replayed', async () => {
    const before = await shown(world.owner.id);
    await cluster.pauseReplay();
    let written: Awaited<ReturnType<typeof writeTraffic>>;
    try {
      written = await writeTraffic();
      expect(await primary.requestLog.count({ where: { id: written.requestLogId } })).toBe(1);
      const paused = await shown(world.owner.id);
      expect(paused.requestLogIds).not.toContain(written.requestLogId);
      expect(paused.csvIds).not.toContain(written.requestLogId);
      expect(paused.aiCallIds).not.toContain(written.aiCallId);
      expect(paused.requests).toBe(before.requests);
    } finally {
      await cluster.resumeReplay();
    }
    await cluster.waitForReplay();
    const replayed = await shown(world.owner.id);
    expect(replayed.requestLogIds).toContain(written.requestLogId);
    expect(replayed.csvIds).toContain(written.requestLogId);
    expect(replayed.aiCallIds).toContain(written.aiCallId);
    expect(replayed.requests).toBe(before.requests + 5);
  });

  it('membership checks and writes use the primary; the read handle refuses writes', async () => {
    await cluster.pauseReplay();
    try {
      // A member added while the replica is behind is let in: membership is read on the primary.
      const viewer = await seedUser(primary, 'viewer');
      await primary.membership.create({
        data: { orgId: world.provider.id, userId: viewer.id, role: 'VIEWER' },
      });
      await expect(shown(viewer.id)).resolves.toMatchObject({ requestLogIds: expect.any(Array) });

      session.userId = world.owner.id;
      const name = uniq('replica-app');
      const app = await call<{ id: string }>('app.create', { orgSlug: world.provider.slug, name }, 'POST');
      expect(await primary.app.count({ where: { id: app.id } })).toBe(1);
      expect(
        await countOn(cluster.replicaUrl(DATABASE), 'SELECT count(*) FROM "App" WHERE id = $1', [app.id]),
      ).toBe(0);

      const reads = serviceReads()!;
      await expect(
        reads.requestLog.create({
          data: { id: `rl-${randomUUID()}`, method: 'GET', path: '/', status: 200, latencyMs: 1 },
        }),
      ).rejects.toThrow(/read-only transaction/);
    } finally {
      await cluster.resumeReplay();
    }
    await cluster.waitForReplay();
  });

  it('reads go to the primary, with one warning, while the replica is down', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await cluster.stopReplica();
    try {
      const written = await writeTraffic();
      const before = await primary.usageRollup.aggregate({
        _sum: { requests: true },
        where: { subscriptionId: world.subscription.id },
      });
      const down = await shown(world.owner.id);
      expect(down.requestLogIds).toContain(written.requestLogId);
      expect(down.csvIds).toContain(written.requestLogId);
      expect(down.aiCallIds).toContain(written.aiCallId);
      expect(down.requests).toBe(Number(before._sum.requests));
      const again = await shown(world.owner.id);
      expect(again.requestLogIds).toContain(written.requestLogId);
      // one warning for the outage, not one per query
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toMatch(
        /^Read replica unavailable \(.+\): reads go to the primary for the next 30 s$/,
      );
    } finally {
      warn.mockRestore();
      await cluster.startReplica();
    }
    await cluster.waitForReplay();
  });

  it('after the cool-off, reads go back to the replica', async () => {
    let clock = 0;
    const warnings: string[] = [];
    const reads = createReadReplicaDb(cluster.replicaUrl(DATABASE), {
      primary,
      connect: (url) => createDb(url, 2),
      coolOffMs: 10_000,
      warn: (message) => warnings.push(message),
      now: () => clock,
    });
    const onReplica = await writeTraffic();
    await cluster.waitForReplay();
    try {
      expect(await reads.requestLog.count({ where: { id: onReplica.requestLogId } })).toBe(1);
      await cluster.stopReplica();
      const whileDown = await writeTraffic();
      expect(await reads.requestLog.count({ where: { id: whileDown.requestLogId } })).toBe(1);
      expect(
        await reads.$queryRaw<
          Array<{ n: number }>
        >`SELECT 1::int AS n FROM "AiCallLog" WHERE id = ${whileDown.aiCallId}`,
      ).toEqual([{ n: 1 }]);
      expect(warnings).toHaveLength(1);

      await cluster.startReplica();
      await cluster.waitForReplay();
      await cluster.pauseReplay();
      const unreplayed = await writeTraffic();
      clock += 9_000;
      // still within the cool-off: the primary, which has the row
      expect(await reads.requestLog.count({ where: { id: unreplayed.requestLogId } })).toBe(1);
      clock += 2_000;
      // the replica again, where replay is paused
      expect(await reads.requestLog.count({ where: { id: unreplayed.requestLogId } })).toBe(0);
      expect(warnings).toHaveLength(1);
    } finally {
      await cluster.resumeReplay().catch(() => undefined);
      await reads.$disconnect();
    }
  });
});

describe('a replica that accepts connections and never answers', () => {
  it('is given up on after the connect timeout, and the primary answers', async () => {
    const primary = createDb(RUN_DATABASE_URL, 1);
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const warnings: string[] = [];
    const reads = createReadReplicaDb(`postgresql://postgres@127.0.0.1:${port}/portcullis`, {
      primary,
      connect: (url) => createDb(url, 1, { connectMs: 300 }),
      warn: (message) => warnings.push(message),
    });
    try {
      const started = Date.now();
      expect(await reads.$queryRaw<Array<{ n: number }>>`SELECT 1::int AS n`).toEqual([{ n: 1 }]);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(warnings).toEqual([expect.stringContaining('connection timeout')]);
    } finally {
      await reads.$disconnect();
      await primary.$disconnect();
      silent.close();
    }
  });
});

async function countOn(url: string, text: string, values: unknown[]): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: string }>(text, values);
    return Number(rows[0]?.count);
  } finally {
    await client.end();
  }
}

/** A provider org with an API and a plan, and a consumer app subscribed to it (whose usage is charted). */
async function seedWorld(db: Db) {
  const owner = await seedUser(db, 'provider');
  const provider = await seedOrg(db, owner.id, 'OWNER', 'prov');
  const api = await db.api.create({
    data: {
      orgId: provider.id,
      slug: uniq('api'),
      name: 'Replicated API',
      upstreamUrl: 'https://upstream.example.test',
      status: 'PUBLISHED',
      visibility: 'PUBLIC',
      publishedAt: new Date(),
    },
  });
  const plan = await db.plan.create({ data: { apiId: api.id, name: 'Basic', requiresApproval: false } });
  const consumerOwner = await seedUser(db, 'consumer');
  const consumer = await seedOrg(db, consumerOwner.id, 'OWNER', 'cons');
  const app = await db.app.create({ data: { orgId: consumer.id, name: uniq('app') } });
  const subscription = await db.subscription.create({
    data: { appId: app.id, planId: plan.id, status: 'ACTIVE' },
  });
  return { owner, provider, api, plan, subscription };
}
