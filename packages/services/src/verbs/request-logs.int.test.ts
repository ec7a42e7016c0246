import { DomainError } from '@portcullis/core/errors';
import { getDb } from '@portcullis/db';
import { beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { seedOrg, seedUser, uniq } from '../../../../test/fixtures.ts';
import {
  getRequestLog,
  listRequestLogs,
  REQUEST_LOG_CSV_HEADER,
  requestLogExport,
  requestLogKeys,
} from './request-logs.ts';

const db = getDb();
const T0 = Date.UTC(2024, 5, 1, 12);
const minute = (n: number) => new Date(T0 + n * 60_000);

/**
 * Provider P (API "Maps") called by consumer C's app (two keys) and consumer D's app; stranger S has an
 * API of its own that C also calls.
 */
async function seedWorld() {
  const org = async (label: string) => {
    const user = await seedUser(db, label);
    return { user, org: await seedOrg(db, user.id, 'OWNER', label) };
  };
  const [p, c, d, s] = [await org('p'), await org('c'), await org('d'), await org('s')];
  const api = (orgId: string, name: string) =>
    db.api.create({ data: { orgId, name, slug: uniq('api'), upstreamUrl: 'http://127.0.0.1:9/' } });
  const [maps, foreign] = [await api(p.org.id, 'Maps'), await api(s.org.id, 'Foreign')];
  const cApp = await db.app.create({ data: { orgId: c.org.id, name: uniq('c-app') } });
  const dApp = await db.app.create({ data: { orgId: d.org.id, name: uniq('d-app') } });
  const key = (appId: string, name: string) =>
    db.apiKey.create({
      data: { appId, name, hash: uniq('hash'), prefix: 'pk_live_ab', last4: name.slice(0, 4).padEnd(4, 'x') },
    });
  const [cKey1, cKey2, dKey] = [
    await key(cApp.id, 'ci'),
    await key(cApp.id, 'prod'),
    await key(dApp.id, 'dkey'),
  ];
  let n = 0;
  const log = (
    orgId: string | null,
    apiId: string | null,
    appId: string | null,
    keyId: string | null,
    at: Date,
    status: number,
    path: string,
  ) => ({
    id: `${String(++n).padStart(4, '0')}-${uniq('req')}`,
    at,
    orgId,
    apiId,
    appId,
    keyId,
    method: 'GET',
    path,
    status,
    latencyMs: n,
    upstreamMs: status < 500 ? n - 1 : null,
    bytesIn: 0,
    bytesOut: 10 * n,
    clientIp: '203.0.113.9',
    userAgent: 'test-agent',
    errorCode: status === 429 ? 'rate_limited' : null,
  });
  const mapsPath = `/${p.org.slug}/${maps.slug}`;
  const rows = [
    log(p.org.id, maps.id, cApp.id, cKey1.id, minute(0), 200, `${mapsPath}/a_c`),
    log(p.org.id, maps.id, cApp.id, cKey1.id, minute(1), 200, `${mapsPath}/abc`),
    log(p.org.id, maps.id, cApp.id, cKey2.id, minute(1), 404, `${mapsPath}/missing`),
    log(p.org.id, maps.id, cApp.id, cKey2.id, minute(1), 429, `${mapsPath}/a_c/deep`),
    log(p.org.id, maps.id, cApp.id, cKey2.id, minute(2), 503, `${mapsPath}/down`),
    log(p.org.id, maps.id, dApp.id, dKey.id, minute(3), 200, `${mapsPath}/d`),
    log(p.org.id, maps.id, null, null, minute(4), 401, `${mapsPath}/nokey`),
    log(s.org.id, foreign.id, cApp.id, cKey1.id, minute(5), 200, '/s/foreign/x'),
    log(null, null, null, null, minute(6), 404, '/nowhere'),
  ];
  await db.requestLog.createMany({ data: rows });
  const ctx = (orgId: string, userId: string) => ({ db, org: { id: orgId }, actor: { id: userId } });
  return {
    p: ctx(p.org.id, p.user.id),
    c: ctx(c.org.id, c.user.id),
    d: ctx(d.org.id, d.user.id),
    s: ctx(s.org.id, s.user.id),
    maps,
    mapsPath,
    cKey1,
    cKey2,
    rows,
  };
}

let w: Awaited<ReturnType<typeof seedWorld>>;
beforeAll(async () => {
  w = await seedWorld();
});
const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id);
/** The seeded rows at the given positions, in the explorer's order (newest first, then id descending). */
const expected = (...positions: number[]) =>
  positions
    .map((i) => w.rows[i]!)
    .sort((a, b) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : -1))
    .map((r) => r.id);

describe('listRequestLogs', () => {
  it("shows a provider its APIs' rows and a consumer its apps' rows, newest first", async () => {
    const provider = await listRequestLogs(w.p, { side: 'provider' });
    expect(ids(provider.rows)).toEqual(expected(0, 1, 2, 3, 4, 5, 6));
    expect(provider.nextCursor).toBeNull();
    expect(provider.rows[0]).toMatchObject({ apiName: 'Maps', status: 401, keyId: null });
    const consumer = await listRequestLogs(w.c, { side: 'consumer' });
    expect(ids(consumer.rows)).toEqual(expected(0, 1, 2, 3, 4, 7));
    expect(ids((await listRequestLogs(w.d, { side: 'consumer' })).rows)).toEqual(expected(5));
    expect(ids((await listRequestLogs(w.s, { side: 'provider' })).rows)).toEqual(expected(7));
    // Nothing on a side the org does not have.
    expect((await listRequestLogs(w.s, { side: 'consumer' })).rows).toEqual([]);
    expect((await listRequestLogs(w.c, { side: 'provider' })).rows).toEqual([]);
  });

  it('pages by (at, id) without gaps or repeats across rows with the same timestamp', async () => {
    const seen: string[] = [];
    let cursor: { at: Date; id: string } | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await listRequestLogs(w.p, {
        side: 'provider',
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...ids(result.rows));
      if (!result.nextCursor) break;
      expect(result.rows).toHaveLength(2);
      cursor = result.nextCursor;
    }
    expect(seen).toEqual(expected(0, 1, 2, 3, 4, 5, 6));
  });

  it('filters by exact status, status class, key, API, path prefix and time', async () => {
    const list = (filter: Record<string, unknown>) =>
      listRequestLogs(w.p, { side: 'provider', ...filter }).then((r) => ids(r.rows));
    expect(await list({ status: '404' })).toEqual(expected(2));
    expect(await list({ status: '4XX' })).toEqual(expected(2, 3, 6));
    expect(await list({ status: '5xx' })).toEqual(expected(4));
    expect(await list({ keyId: w.cKey2.id })).toEqual(expected(2, 3, 4));
    expect(await list({ apiId: w.maps.id, status: '2xx' })).toEqual(expected(0, 1, 5));
    // "_" is a literal character, not a LIKE wildcard.
    expect(await list({ pathPrefix: `${w.mapsPath}/a_c` })).toEqual(expected(0, 3));
    expect(await list({ pathPrefix: `${w.mapsPath}/a%` })).toEqual([]);
    expect(await list({ from: minute(1), to: minute(3) })).toEqual(expected(1, 2, 3, 4));
    const consumer = await listRequestLogs(w.c, { side: 'consumer', keyId: w.cKey1.id });
    expect(ids(consumer.rows)).toEqual(expected(0, 1, 7));
  });

  it('refuses bad input', async () => {
    for (const bad of [
      { limit: 201 },
      { limit: 0 },
      { status: '600' },
      { status: 'oops' },
      { from: minute(2), to: minute(1) },
    ]) {
      await expect(listRequestLogs(w.p, { side: 'provider', ...bad } as never)).rejects.toBeInstanceOf(
        ZodError,
      );
    }
  });
});

describe('getRequestLog', () => {
  it('returns every column with the API and app; key names only to the consumer', async () => {
    const row = w.rows[3]!;
    const provider = await getRequestLog(w.p, { side: 'provider', id: row.id });
    expect(provider).toMatchObject({
      id: row.id,
      status: 429,
      errorCode: 'rate_limited',
      clientIp: '203.0.113.9',
      userAgent: 'test-agent',
      api: { id: w.maps.id, name: 'Maps' },
      key: null,
    });
    expect(provider.app?.id).toBe(row.appId);
    const consumer = await getRequestLog(w.c, { side: 'consumer', id: row.id });
    expect(consumer.key).toMatchObject({ id: w.cKey2.id, name: 'prod' });
  });

  it("answers NOT_FOUND for rows outside the org's side", async () => {
    const notFound = async (promise: Promise<unknown>) => {
      const error = await promise.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('NOT_FOUND');
    };
    await notFound(getRequestLog(w.d, { side: 'consumer', id: w.rows[0]!.id }));
    await notFound(getRequestLog(w.s, { side: 'provider', id: w.rows[0]!.id }));
    await notFound(getRequestLog(w.c, { side: 'provider', id: w.rows[0]!.id }));
    await notFound(getRequestLog(w.p, { side: 'provider', id: w.rows[8]!.id }));
    await notFound(getRequestLog(w.p, { side: 'provider', id: 'no-such-row' }));
  });
});

describe('requestLogExport', () => {
  const collect = async (gen: AsyncGenerator<Array<Array<string | number | null>>>) => {
    const batches: Array<Array<Array<string | number | null>>> = [];
    for await (const batch of gen) batches.push(batch);
    return batches;
  };

  it('yields the filtered rows in batches, newest first, up to the cap', async () => {
    const batches = await collect(requestLogExport(w.p, { side: 'provider' }, { batchSize: 3 }));
    expect(batches.map((b) => b.length)).toEqual([3, 3, 1]);
    const rows = batches.flat();
    const column = (name: (typeof REQUEST_LOG_CSV_HEADER)[number]) => REQUEST_LOG_CSV_HEADER.indexOf(name);
    expect(rows.map((r) => r[column('id')])).toEqual(expected(0, 1, 2, 3, 4, 5, 6));
    const first = rows.find((r) => r[column('id')] === w.rows[3]!.id)!;
    expect(first[column('api')]).toBe('Maps');
    expect(first[column('status')]).toBe(429);
    expect(first[column('at')]).toBe(minute(1).toISOString());
    expect(first[column('error_code')]).toBe('rate_limited');
    const capped = await collect(requestLogExport(w.p, { side: 'provider' }, { batchSize: 2, maxRows: 3 }));
    expect(capped.flat()).toHaveLength(3);
    const consumer = await collect(requestLogExport(w.c, { side: 'consumer', status: '2xx' }));
    expect(consumer.flat().map((r) => r[column('id')])).toEqual(expected(0, 1, 7));
    expect(await collect(requestLogExport(w.s, { side: 'consumer' }))).toEqual([]);
  });
});

describe('requestLogKeys', () => {
  it("lists the org's own keys only", async () => {
    const keys = await requestLogKeys(w.c);
    expect(keys.map((k) => k.id).sort()).toEqual([w.cKey1.id, w.cKey2.id].sort());
    expect(await requestLogKeys(w.s)).toEqual([]);
  });
});
