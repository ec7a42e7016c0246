import { notFound } from '@portcullis/core/errors';
import { ZDateCursor, ZId, zInputDate } from '@portcullis/core/schemas';
import { Prisma } from '@portcullis/db';
import { z } from 'zod';
import { ZAnalyticsSide } from './analytics.ts';
import { inTransaction, type OrgCtx, readDb } from './context.ts';

/**
 * The request log explorer. Provider side: the rows of the org's APIs (RequestLog.orgId is the API's
 * org). Consumer side: the rows of the org's apps (appId), including calls its keys made that the
 * gateway refused. Newest first, paged by keyset (at, id) so pages stay stable while traffic arrives.
 */

const MAX_PAGE_SIZE = 200;
/** A CSV export stops after this many rows; narrow the filters to export the rest. */
const MAX_EXPORT_ROWS = 50_000;
/** A path prefix with fewer matches than this is read from the path index (see readPage). */
const RARE_PATH_ROWS = 10_000;

/** `404` (exact) or `4xx` (the class). */
export const ZStatusFilter = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?:[1-5]xx|[1-5]\d\d)$/, 'Use a status such as 404, or a class such as 5xx');

const ZFilterFields = z.object({
  side: ZAnalyticsSide,
  status: ZStatusFilter.optional(),
  keyId: ZId.optional(),
  apiId: ZId.optional(),
  pathPrefix: z.string().trim().min(1).max(500).optional(),
  from: zInputDate('from').optional(),
  to: zInputDate('to').optional(),
});

const rangeIsOrdered = (q: { from?: Date | undefined; to?: Date | undefined }) =>
  !q.from || !q.to || q.from.getTime() < q.to.getTime();
const RANGE_MESSAGE = { path: ['to'], message: 'End must be after start' };

export const ZRequestLogFilter = ZFilterFields.refine(rangeIsOrdered, RANGE_MESSAGE);
export type RequestLogFilter = z.input<typeof ZRequestLogFilter>;

const ZRequestLogCursor = ZDateCursor;

export const ZRequestLogList = ZFilterFields.extend({
  cursor: ZRequestLogCursor.optional(),
  limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
}).refine(rangeIsOrdered, RANGE_MESSAGE);
export type RequestLogListInput = z.input<typeof ZRequestLogList>;

/** A row of the list; `at` (when the caller has it) lets the lookup go to the row's day directly. */
export const ZRequestLogRef = z.object({ side: ZAnalyticsSide, id: ZId, at: zInputDate('at').optional() });

const LIST_COLUMNS = Prisma.sql`"id", "at", "method", "path", "status", "latencyMs", "apiId", "appId", "keyId", "errorCode"`;
const ALL_COLUMNS = Prisma.sql`"id", "at", "orgId", "apiId", "appId", "keyId", "subscriptionId", "method", "path",
  "status", "latencyMs", "upstreamMs", "bytesIn", "bytesOut", "clientIp", "userAgent", "errorCode"`;

interface ListRow {
  id: string;
  at: Date;
  method: string;
  path: string;
  status: number;
  latencyMs: number;
  apiId: string | null;
  appId: string | null;
  keyId: string | null;
  errorCode: string | null;
}

interface FullRow extends ListRow {
  orgId: string | null;
  subscriptionId: string | null;
  upstreamMs: number | null;
  bytesIn: number;
  bytesOut: number;
  clientIp: string | null;
  userAgent: string | null;
}

/** `404` matches that code, `4xx` the class as a range (so an index on status could serve either). */
export function statusSql(status: string): Prisma.Sql {
  if (status.endsWith('xx')) {
    const base = Number(status[0]) * 100;
    return Prisma.sql`"status" >= ${base} AND "status" < ${base + 100}`;
  }
  return Prisma.sql`"status" = ${Number(status)}`;
}

/**
 * The rows after a keyset cursor, newest first. Written as a row comparison so that Postgres reads it as
 * one range bound on an index ending in (at, id); `at < x OR (at = x AND id < y)` is only a filter.
 */
export const keysetAfter = (cursor: { at: Date; id: string }) =>
  Prisma.sql`("at", "id") < (${cursor.at}, ${cursor.id})`;

/** `_`, `%` and `\` in a path prefix match themselves only. */
const likePrefix = (text: string) => `${text.replace(/[\\%_]/g, '\\$&')}%`;

/** The explorer's filters (and the cursor) as conditions that apply to one side's scan. */
function filterSql(q: z.output<typeof ZFilterFields>, cursor?: { at: Date; id: string }): Prisma.Sql[] {
  const where: Prisma.Sql[] = [];
  if (q.status) where.push(statusSql(q.status));
  if (q.keyId) where.push(Prisma.sql`"keyId" = ${q.keyId}`);
  if (q.apiId) where.push(Prisma.sql`"apiId" = ${q.apiId}`);
  if (q.pathPrefix) where.push(Prisma.sql`"path" LIKE ${likePrefix(q.pathPrefix)}`);
  if (q.from) where.push(Prisma.sql`"at" >= ${q.from}`);
  if (q.to) where.push(Prisma.sql`"at" < ${q.to}`);
  if (cursor) where.push(keysetAfter(cursor));
  return where;
}

/**
 * The apps whose rows make up the org's consumer side. With a key filter only the key's own app can have
 * its rows (the gateway logs a key with its app), so the other apps are not scanned at all.
 */
async function consumerApps(ctx: OrgCtx, keyId: string | undefined): Promise<string[]> {
  if (keyId) {
    const key = await ctx.db.apiKey.findFirst({
      where: { id: keyId, app: { orgId: ctx.org.id } },
      select: { appId: true },
    });
    if (key) return [key.appId];
  }
  const apps = await ctx.db.app.findMany({ where: { orgId: ctx.org.id }, select: { id: true } });
  return apps.map((a) => a.id);
}

/** Whose rows a side shows: the org's APIs' (provider) or its apps' (consumer). */
type Scope = { orgId: string } | { appIds: string[] };

async function sideScope(ctx: OrgCtx, q: z.output<typeof ZFilterFields>): Promise<Scope> {
  return q.side === 'provider' ? { orgId: ctx.org.id } : { appIds: await consumerApps(ctx, q.keyId) };
}

/**
 * Whether a path prefix matches fewer than RARE_PATH_ROWS rows of the scope: counted on the (scope, path)
 * index alone, so the answer costs at most that many index entries whatever the table holds.
 */
async function pathIsRare(ctx: OrgCtx, scope: Scope, prefix: string): Promise<boolean> {
  const [row] = await readDb(ctx).$queryRaw<Array<{ n: bigint }>>`
    SELECT count(*) AS n FROM (
      SELECT 1 FROM "RequestLog" WHERE ${scopeSql(scope)} AND "path" LIKE ${likePrefix(prefix)}
      LIMIT ${RARE_PATH_ROWS}) AS hits`;
  return Number(row?.n ?? 0) < RARE_PATH_ROWS;
}

const scopeSql = (scope: Scope) =>
  'orgId' in scope
    ? Prisma.sql`"orgId" = ${scope.orgId}`
    : Prisma.sql`"appId" IN (${Prisma.join(scope.appIds)})`;

/**
 * At most `limit` rows of the scope after `cursor` that pass the filters, newest first, each read bounded
 * by an index:
 * - provider side: one range scan of (orgId, at, id) from the cursor on;
 * - consumer side: per app, a range scan of (appId, at, id) taking at most `limit` rows (a LATERAL join),
 *   merged and cut to `limit`: at most `limit` rows per app, however many rows the apps have;
 * - a path prefix that few rows match: those rows straight from the (scope, path) index, then ordered.
 *   Walking the time order would pass every row that does not match before the page fills. A common
 *   prefix keeps the time-ordered scan, where matches are dense.
 */
async function pageQuery(
  ctx: OrgCtx,
  scope: Scope,
  q: z.output<typeof ZFilterFields>,
  columns: Prisma.Sql,
  limit: number,
  cursor?: { at: Date; id: string },
): Promise<PageQuery | null> {
  if ('appIds' in scope && scope.appIds.length === 0) return null;
  const filters = filterSql(q, cursor);
  const order = Prisma.sql`ORDER BY "at" DESC, "id" DESC LIMIT ${limit}`;
  if (q.pathPrefix && (await pathIsRare(ctx, scope, q.pathPrefix))) {
    // MATERIALIZED keeps the planner from walking the time order for the few matching rows.
    const where = Prisma.join([scopeSql(scope), ...filters], ' AND ');
    const sql = Prisma.sql`WITH hits AS MATERIALIZED (SELECT ${columns} FROM "RequestLog" WHERE ${where})
      SELECT * FROM hits ${order}`;
    return { sql, fromPathIndex: true };
  }
  if ('orgId' in scope) {
    const where = Prisma.join([scopeSql(scope), ...filters], ' AND ');
    return {
      sql: Prisma.sql`SELECT ${columns} FROM "RequestLog" WHERE ${where} ${order}`,
      fromPathIndex: false,
    };
  }
  const where = Prisma.join([Prisma.sql`"appId" = app.app_id`, ...filters], ' AND ');
  const sql = Prisma.sql`SELECT page.* FROM unnest(ARRAY[${Prisma.join(scope.appIds)}]::text[]) AS app(app_id)
    CROSS JOIN LATERAL (SELECT ${columns} FROM "RequestLog" WHERE ${where} ${order}) AS page
    ${order}`;
  return { sql, fromPathIndex: false };
}

/** A page's statement; `fromPathIndex` when it reads a rare path prefix's rows from the path index. */
interface PageQuery {
  sql: Prisma.Sql;
  fromPathIndex: boolean;
}

/**
 * Runs a page's statement. A path-index read is planned from a row estimate that can be far too high
 * (see pathIsRare), which makes Postgres compile it (JIT) for longer than it runs: 20 to 140 ms against
 * 0.3 ms. JIT is off for that statement; it runs on the primary, as the read replica runs no
 * transactions (a rare prefix reads a few index entries).
 */
async function runPage<Row>(ctx: OrgCtx, page: PageQuery | null): Promise<Row[]> {
  if (!page) return [];
  if (!page.fromPathIndex) return readDb(ctx).$queryRaw<Row[]>(page.sql);
  return inTransaction(ctx.db, async (tx) => {
    await tx.$executeRaw`SET LOCAL jit = off`;
    return tx.$queryRaw<Row[]>(page.sql);
  });
}

async function readPage<Row extends ListRow>(
  ctx: OrgCtx,
  scope: Scope,
  q: z.output<typeof ZFilterFields>,
  columns: Prisma.Sql,
  limit: number,
  cursor?: { at: Date; id: string },
): Promise<Row[]> {
  return runPage<Row>(ctx, await pageQuery(ctx, scope, q, columns, limit, cursor));
}

/** The statement that reads one page of the explorer for this input (for plan tests); null: no rows. */
export async function requestLogPageQuery(ctx: OrgCtx, input: RequestLogListInput) {
  const q = ZRequestLogList.parse(input);
  return pageQuery(ctx, await sideScope(ctx, q), q, LIST_COLUMNS, q.limit + 1, q.cursor);
}

async function apiNames(ctx: OrgCtx, ids: Array<string | null>) {
  const unique = [...new Set(ids.filter((id): id is string => id !== null))];
  if (unique.length === 0) return new Map<string, string>();
  const apis = await readDb(ctx).api.findMany({
    where: { id: { in: unique } },
    select: { id: true, name: true },
  });
  return new Map(apis.map((a) => [a.id, a.name]));
}

/** One page, newest first; `nextCursor` continues after its last row (null on the last page). */
export async function listRequestLogs(ctx: OrgCtx, input: RequestLogListInput) {
  const q = ZRequestLogList.parse(input);
  const rows = await runPage<ListRow>(ctx, await requestLogPageQuery(ctx, q));
  const page = rows.slice(0, q.limit);
  const names = await apiNames(
    ctx,
    page.map((r) => r.apiId),
  );
  const last = page.at(-1);
  return {
    rows: page.map((r) => ({ ...r, apiName: r.apiId ? (names.get(r.apiId) ?? null) : null })),
    nextCursor: rows.length > q.limit && last ? { at: last.at, id: last.id } : null,
  };
}

/** Every column of one row of the org's side, with the API, app and (for the consumer) key it names. */
export async function getRequestLog(ctx: OrgCtx, input: z.input<typeof ZRequestLogRef>) {
  const q = ZRequestLogRef.parse(input);
  const one = { id: q.id, ...(q.at ? { at: q.at } : {}) };
  const row = await readDb(ctx).requestLog.findFirst({
    where:
      q.side === 'provider'
        ? { ...one, orgId: ctx.org.id }
        : { ...one, appId: { in: await consumerApps(ctx, undefined) } },
  });
  if (!row) throw notFound('Request');
  const [api, app, key] = await Promise.all([
    row.apiId
      ? readDb(ctx).api.findUnique({
          where: { id: row.apiId },
          select: { id: true, name: true, slug: true, org: { select: { slug: true, name: true } } },
        })
      : null,
    row.appId
      ? readDb(ctx).app.findUnique({
          where: { id: row.appId },
          select: { id: true, name: true, org: { select: { name: true } } },
        })
      : null,
    // Key names are the consumer's business; the provider sees the key id only.
    row.keyId && q.side === 'consumer'
      ? readDb(ctx).apiKey.findFirst({
          where: { id: row.keyId, app: { orgId: ctx.org.id } },
          select: { id: true, name: true, prefix: true, last4: true },
        })
      : null,
  ]);
  return {
    ...row,
    api,
    app: app ? { id: app.id, name: app.name, orgName: app.org.name } : null,
    key,
  };
}

/** The consumer's keys for the explorer's key filter (the provider filters by key id). */
export async function requestLogKeys(ctx: OrgCtx) {
  const keys = await readDb(ctx).apiKey.findMany({
    where: { app: { orgId: ctx.org.id } },
    select: {
      id: true,
      name: true,
      prefix: true,
      last4: true,
      revokedAt: true,
      app: { select: { name: true } },
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    take: 500,
  });
  return keys.map((k) => ({ ...k, app: k.app.name }));
}

export const REQUEST_LOG_CSV_HEADER = [
  'at',
  'id',
  'method',
  'path',
  'status',
  'latency_ms',
  'upstream_ms',
  'bytes_in',
  'bytes_out',
  'api',
  'app_id',
  'key_id',
  'client_ip',
  'user_agent',
  'error_code',
] as const;

/**
 * Newest first, then id descending (code unit order, which is the database's for ASCII ids under "C"
 * collations). Only the merge of different apps' rows uses it: each app's keyset is the database's.
 */
const newestFirst = (a: ListRow, b: ListRow) =>
  b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * The consumer side's filtered rows, newest first, for an export: each app's rows are read once, in
 * chunks by keyset on (appId, at, id), and merged here. What is read is the rows exported plus at most
 * one chunk per app, however many apps the org has (a page-at-a-time merge would read a whole batch
 * per app for every batch).
 */
async function* mergedAppRows(
  ctx: OrgCtx,
  appIds: string[],
  q: z.output<typeof ZFilterFields>,
  chunk: number,
): AsyncGenerator<FullRow> {
  const read = (apps: string[], cursor?: { at: Date; id: string }) => {
    const where = Prisma.join([Prisma.sql`"appId" = app.app_id`, ...filterSql(q, cursor)], ' AND ');
    return readDb(ctx).$queryRaw<FullRow[]>`
      SELECT page.* FROM unnest(ARRAY[${Prisma.join(apps)}]::text[]) AS app(app_id)
      CROSS JOIN LATERAL (
        SELECT ${ALL_COLUMNS} FROM "RequestLog" WHERE ${where} ORDER BY "at" DESC, "id" DESC LIMIT ${chunk}
      ) AS page`;
  };
  const streams = new Map(appIds.map((id) => [id, { rows: [] as FullRow[], more: false }]));
  for (const row of await read(appIds)) streams.get(row.appId ?? '')?.rows.push(row);
  for (const stream of streams.values()) {
    stream.rows.sort(newestFirst);
    stream.more = stream.rows.length === chunk;
  }
  for (;;) {
    let newest: [string, { rows: FullRow[]; more: boolean }] | undefined;
    for (const entry of streams) {
      const head = entry[1].rows[0];
      if (head && (!newest || newestFirst(head, newest[1].rows[0]!) < 0)) newest = entry;
    }
    if (!newest) return;
    const [appId, stream] = newest;
    const row = stream.rows.shift()!;
    yield row;
    if (stream.rows.length > 0) continue;
    if (!stream.more) {
      streams.delete(appId);
      continue;
    }
    stream.rows = (await read([appId], { at: row.at, id: row.id })).sort(newestFirst);
    stream.more = stream.rows.length === chunk;
  }
}

/** The export's rows in batches: pages by keyset, or (consumer side) the apps' merged streams. */
async function* exportBatches(
  ctx: OrgCtx,
  q: z.output<typeof ZFilterFields>,
  maxRows: number,
  batchSize: number,
): AsyncGenerator<FullRow[]> {
  const scope = await sideScope(ctx, q);
  if ('appIds' in scope && scope.appIds.length === 0) return;
  if ('appIds' in scope && !(q.pathPrefix && (await pathIsRare(ctx, scope, q.pathPrefix)))) {
    let batch: FullRow[] = [];
    let sent = 0;
    for await (const row of mergedAppRows(ctx, scope.appIds, q, Math.min(batchSize, MAX_PAGE_SIZE))) {
      batch.push(row);
      if (++sent === maxRows) break;
      if (batch.length === batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
    return;
  }
  let cursor: { at: Date; id: string } | undefined;
  let sent = 0;
  while (sent < maxRows) {
    // Each batch starts where the last one ended: a range bound on the index, no earlier row read again.
    const limit = Math.min(batchSize, maxRows - sent);
    const rows = await readPage<FullRow>(ctx, scope, q, ALL_COLUMNS, limit, cursor);
    if (rows.length > 0) yield rows;
    if (rows.length < limit) return;
    sent += rows.length;
    const last = rows.at(-1)!;
    cursor = { at: last.at, id: last.id };
  }
}

/**
 * The filtered rows for a CSV export, newest first, in batches of `batchSize` (so memory stays flat),
 * at most MAX_EXPORT_ROWS. Yields cells in REQUEST_LOG_CSV_HEADER order.
 */
export async function* requestLogExport(
  ctx: OrgCtx,
  input: RequestLogFilter,
  opts: { maxRows?: number; batchSize?: number } = {},
): AsyncGenerator<Array<Array<string | number | null>>> {
  const q = ZRequestLogFilter.parse(input);
  const maxRows = Math.min(opts.maxRows ?? MAX_EXPORT_ROWS, MAX_EXPORT_ROWS);
  const batchSize = Math.min(opts.batchSize ?? 1_000, MAX_PAGE_SIZE * 5);
  const names = new Map<string, string>();
  for await (const rows of exportBatches(ctx, q, maxRows, batchSize)) {
    const missing = rows.map((r) => r.apiId).filter((id): id is string => id !== null && !names.has(id));
    for (const [id, name] of await apiNames(ctx, missing)) names.set(id, name);
    yield rows.map((r) => [
      r.at.toISOString(),
      r.id,
      r.method,
      r.path,
      r.status,
      r.latencyMs,
      r.upstreamMs,
      r.bytesIn,
      r.bytesOut,
      r.apiId ? (names.get(r.apiId) ?? r.apiId) : null,
      r.appId,
      r.keyId,
      r.clientIp,
      r.userAgent,
      r.errorCode,
    ]);
  }
}
