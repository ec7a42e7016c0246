import { getDb, Prisma } from '@portcullis/db';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedOrg, seedUser, uniq } from '../../../../test/fixtures.ts';
import { aiCallPageQuery, listAiCalls } from './ai-calls.ts';
import {
  getRequestLog,
  listRequestLogs,
  type RequestLogListInput,
  requestLogExport,
  requestLogPageQuery,
} from './request-logs.ts';

const db = getDb();
const T0 = Date.UTC(2025, 2, 3, 9);
/** Few distinct timestamps for many rows: pages must split ties on `at` by id. */
const tick = (n: number) => new Date(T0 + (n % 7) * 1000);

/**
 * Provider P with one API; consumer C with three apps whose calls interleave in time and tie on `at`;
 * a stranger S whose rows share P's paths. Paths hold LIKE's wildcards as plain characters.
 */
async function seedWorld() {
  const org = async (label: string) => {
    const user = await seedUser(db, label);
    const o = await seedOrg(db, user.id, 'OWNER', label);
    return { db, org: { id: o.id }, actor: { id: user.id } };
  };
  const [p, c, s] = [await org('p'), await org('c'), await org('s')];
  const api = await db.api.create({
    data: { orgId: p.org.id, name: 'Pay', slug: uniq('pay'), upstreamUrl: 'http://127.0.0.1:9/' },
  });
  const apps = [
    await db.app.create({ data: { orgId: c.org.id, name: uniq('a1') } }),
    await db.app.create({ data: { orgId: c.org.id, name: uniq('a2') } }),
    await db.app.create({ data: { orgId: c.org.id, name: uniq('a3') } }),
  ];
  const paths = ['/pay/a_c', '/pay/abc', '/pay/a%c', '/pay/a%cd', '/pay/a\\c', '/pay/other'];
  const rows = Array.from({ length: 126 }, (_, n) => ({
    id: `${uniq('r')}-${n}`,
    at: tick(n),
    orgId: p.org.id,
    apiId: api.id,
    appId: apps[n % 3]!.id,
    method: 'GET',
    path: paths[n % paths.length]!,
    status: n % 10 === 0 ? 503 : 200,
    latencyMs: n,
  }));
  const stranger = rows.map((r, n) => ({ ...r, id: `${uniq('x')}-${n}`, orgId: s.org.id, appId: null }));
  await db.requestLog.createMany({ data: [...rows, ...stranger] });
  return { p, c, s, api, apps, rows };
}

let w: Awaited<ReturnType<typeof seedWorld>>;
beforeAll(async () => {
  w = await seedWorld();
});

/** The explorer's order: newest first, then id descending. */
const ordered = (rows: Array<{ id: string; at: Date }>) =>
  [...rows].sort((a, b) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : -1)).map((r) => r.id);

async function allPages(ctx: typeof w.p, input: RequestLogListInput, limit: number) {
  const seen: string[] = [];
  let cursor: { at: Date; id: string } | undefined;
  for (let page = 0; page < 1000; page++) {
    const result = await listRequestLogs(ctx, { ...input, limit, ...(cursor ? { cursor } : {}) });
    seen.push(...result.rows.map((r) => r.id));
    if (!result.nextCursor) return seen;
    cursor = result.nextCursor;
  }
  throw new Error('paging did not end');
}

describe('request log paging', () => {
  it('returns every provider row exactly once across pages, ties on `at` split by id', async () => {
    for (const limit of [1, 5, 7, 50]) {
      expect(await allPages(w.p, { side: 'provider' }, limit)).toEqual(ordered(w.rows));
    }
    const errors = w.rows.filter((r) => r.status >= 500);
    expect(await allPages(w.p, { side: 'provider', status: '5xx' }, 4)).toEqual(ordered(errors));
  });

  it("merges the consumer's apps in time order, interleaved and tied across apps", async () => {
    const seen = await allPages(w.c, { side: 'consumer' }, 7);
    expect(seen).toEqual(ordered(w.rows));
    // The newest 18 rows share one timestamp and belong to all three apps.
    const first = await listRequestLogs(w.c, { side: 'consumer', limit: 18 });
    expect(new Set(first.rows.map((r) => r.appId)).size).toBe(3);
    const oneApp = w.rows.filter((r) => r.appId === w.apps[1]!.id);
    const key = await db.apiKey.create({
      data: { appId: w.apps[1]!.id, name: 'k', hash: uniq('h'), prefix: 'pk_live_ab', last4: 'abcd' },
    });
    await db.requestLog.updateMany({
      where: { id: { in: oneApp.map((r) => r.id) } },
      data: { keyId: key.id },
    });
    expect(await allPages(w.c, { side: 'consumer', keyId: key.id }, 5)).toEqual(ordered(oneApp));
  });

  it('streams the CSV export in keyset batches with every row once', async () => {
    const ids: unknown[] = [];
    for await (const batch of requestLogExport(w.c, { side: 'consumer' }, { batchSize: 8 })) {
      ids.push(...batch.map((cells) => cells[1]));
    }
    expect(ids).toEqual(ordered(w.rows));
  });

  it('opens one row by id, narrowed to its time when the caller has it', async () => {
    const row = w.rows[10]!;
    expect((await getRequestLog(w.c, { side: 'consumer', id: row.id, at: row.at })).id).toBe(row.id);
    expect((await getRequestLog(w.p, { side: 'provider', id: row.id })).id).toBe(row.id);
    const elsewhen = new Date(row.at.getTime() + 1);
    await expect(getRequestLog(w.p, { side: 'provider', id: row.id, at: elsewhen })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('matches `%`, `_` and `\\` in a path prefix literally, on both sides', async () => {
    const withPath = (prefix: string) => ordered(w.rows.filter((r) => r.path.startsWith(prefix)));
    for (const prefix of ['/pay/a_', '/pay/a%', '/pay/a%c', '/pay/a\\', '/pay/a']) {
      expect(await allPages(w.p, { side: 'provider', pathPrefix: prefix }, 4)).toEqual(withPath(prefix));
      expect(await allPages(w.c, { side: 'consumer', pathPrefix: prefix }, 4)).toEqual(withPath(prefix));
    }
    expect(withPath('/pay/a_')).toHaveLength(21);
  });
});

type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };
const nodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)];

/** Every node of the statement's executed plan. */
async function planOf(query: Prisma.Sql): Promise<PlanNode[]> {
  const [row] = await db.$queryRaw<Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>>(
    Prisma.sql`EXPLAIN (ANALYZE, FORMAT JSON) ${query}`,
  );
  return nodes(row!['QUERY PLAN'][0]!.Plan);
}

/** A day partition (`RequestLog_p20261206`) or the DEFAULT one stands for its table, as do its indexes. */
const parentName = (name: unknown) => String(name).replace(/^(\w+?)_(default|p\d{8})(?=$|_)/, '$1');

/** The log table is read by index ranges only: no sequential scan, no row fetched and then dropped. */
function expectIndexRange(plan: PlanNode[], table: string) {
  const scans = plan.filter((n) => parentName(n['Relation Name']) === table);
  expect(scans.length).toBeGreaterThan(0);
  for (const scan of scans) {
    expect(scan['Node Type']).toMatch(/^Index (Only )?Scan$/);
    expect(scan['Rows Removed by Filter'] ?? 0).toBe(0);
    expect(String(scan['Index Cond'])).toMatch(/ROW\(at, id\) < ROW\(/);
  }
}

describe('log query plans', () => {
  const bulk = 20_000;
  // Every id sorts after '0' (md5 hex), so the row at the cursor's time is excluded.
  const deepCursor = { at: new Date(T0 - 5_000 * 1000), id: '0' };
  beforeAll(async () => {
    // Enough rows, older than the seeded ones, for the planner to prefer indexes as it would in production.
    await db.$executeRaw`
      INSERT INTO "RequestLog" (id, at, "orgId", "apiId", "appId", method, path, status, "latencyMs")
      SELECT md5('bulk' || i || ${w.p.org.id}), ${new Date(T0)}::timestamp(3) - make_interval(secs => i),
             ${w.p.org.id}, ${w.api.id}, (ARRAY[${Prisma.join(w.apps.map((a) => a.id))}])[1 + i % 3],
             'GET', '/pay/bulk', 200, 1
      FROM generate_series(1, ${bulk}) AS i`;
    // The stranger's traffic makes P's rare prefix look common in the column's statistics.
    await db.$executeRaw`
      INSERT INTO "RequestLog" (id, at, "orgId", method, path, status, "latencyMs")
      SELECT md5('stranger' || i || ${w.s.org.id}), ${new Date(T0)}::timestamp(3) - make_interval(secs => i),
             ${w.s.org.id}, 'GET', '/pay/a_c/' || i, 200, 1
      FROM generate_series(1, ${bulk}) AS i`;
    await db.$executeRaw`
      INSERT INTO "AiCallLog" (id, at, "orgId", "apiId", "requestId", surface, model, status, "latencyMs")
      SELECT md5('ai' || i || ${w.p.org.id}), ${new Date(T0)}::timestamp(3) - make_interval(secs => i),
             ${w.p.org.id}, ${w.api.id}, 'req', 'chat', 'm', 200, 1
      FROM generate_series(1, ${bulk}) AS i`;
    await db.$executeRaw`ANALYZE "RequestLog"`;
    await db.$executeRaw`ANALYZE "AiCallLog"`;
  });

  it('reads a deep page of either side as one index range from the cursor', async () => {
    const provider = await requestLogPageQuery(w.p, { side: 'provider', cursor: deepCursor, limit: 50 });
    expectIndexRange(await planOf(provider!.sql), 'RequestLog');
    const consumer = await requestLogPageQuery(w.c, { side: 'consumer', cursor: deepCursor, limit: 50 });
    expectIndexRange(await planOf(consumer!.sql), 'RequestLog');
    const ai = aiCallPageQuery(w.p, { cursor: deepCursor, limit: 50 });
    expectIndexRange(await planOf(ai), 'AiCallLog');
    // The page itself continues right after the cursor.
    const page = await listRequestLogs(w.p, { side: 'provider', cursor: deepCursor, limit: 3 });
    expect(page.rows.map((r) => r.at.getTime())).toEqual([-5001, -5002, -5003].map((s) => T0 + s * 1000));
    const calls = await listAiCalls(w.p, { cursor: deepCursor, limit: 1 });
    expect(calls.items[0]?.at.getTime()).toBe(T0 - 5001 * 1000);
  });

  it('reads a rare path prefix from the path index, a common one in time order', async () => {
    const indexes = async (query: { sql: Prisma.Sql } | null) => [
      ...new Set(
        (await planOf(query!.sql)).flatMap((n) => (n['Index Name'] ? [parentName(n['Index Name'])] : [])),
      ),
    ];
    const pathPage = (pathPrefix: string) =>
      requestLogPageQuery(w.p, { side: 'provider', pathPrefix, limit: 50 });
    // Day partitions that hold none of this org's rows (other files' traffic of today) may be read by
    // either index, both empty for it; the partition with its rows must be read by the path index.
    expect(await indexes(await pathPage('/pay/a_c'))).toContain('RequestLog_orgId_path_idx');
    expect(await indexes(await pathPage('/pay/b'))).toEqual(['RequestLog_orgId_at_id_idx']);
  });
});
