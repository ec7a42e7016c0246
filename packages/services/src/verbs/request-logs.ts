import { notFound } from '@portcullis/core/errors';
import { ZDateCursor, ZId, zInputDate } from '@portcullis/core/schemas';
import type { Prisma } from '@portcullis/db';
import { z } from 'zod';
import { ZAnalyticsSide } from './analytics.ts';
import { type OrgCtx, readDb } from './context.ts';

/**
 * The request log explorer. Provider side: the rows of the org's APIs (RequestLog.orgId is the API's
 * org). Consumer side: the rows of the org's apps (appId), including calls its keys made that the
 * gateway refused. Newest first, paged by keyset (at, id) so pages stay stable while traffic arrives.
 */

const MAX_PAGE_SIZE = 200;
/** A CSV export stops after this many rows; narrow the filters to export the rest. */
const MAX_EXPORT_ROWS = 50_000;

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

export const ZRequestLogRef = z.object({ side: ZAnalyticsSide, id: ZId });

/** The org's side of the log as a where clause; null when the org has nothing on that side. */
async function scopeWhere(
  ctx: OrgCtx,
  side: 'provider' | 'consumer',
): Promise<Prisma.RequestLogWhereInput | null> {
  if (side === 'provider') return { orgId: ctx.org.id };
  const apps = await ctx.db.app.findMany({ where: { orgId: ctx.org.id }, select: { id: true } });
  return apps.length > 0 ? { appId: { in: apps.map((a) => a.id) } } : null;
}

function statusWhere(status: string): Prisma.IntFilter {
  if (status.endsWith('xx')) {
    const base = Number(status[0]) * 100;
    return { gte: base, lt: base + 100 };
  }
  return { equals: Number(status) };
}

function filterWhere(q: z.output<typeof ZFilterFields>): Prisma.RequestLogWhereInput[] {
  const where: Prisma.RequestLogWhereInput[] = [];
  if (q.status) where.push({ status: statusWhere(q.status) });
  if (q.keyId) where.push({ keyId: q.keyId });
  if (q.apiId) where.push({ apiId: q.apiId });
  // Prisma passes startsWith to LIKE as is: `_` and `%` in a path must match themselves only.
  if (q.pathPrefix) where.push({ path: { startsWith: q.pathPrefix.replace(/[\\%_]/g, '\\$&') } });
  if (q.from) where.push({ at: { gte: q.from } });
  if (q.to) where.push({ at: { lt: q.to } });
  return where;
}

const listSelect = {
  id: true,
  at: true,
  method: true,
  path: true,
  status: true,
  latencyMs: true,
  apiId: true,
  appId: true,
  keyId: true,
  errorCode: true,
} as const;

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
  const scope = await scopeWhere(ctx, q.side);
  if (!scope) return { rows: [], nextCursor: null };
  const cursor = q.cursor
    ? [{ OR: [{ at: { lt: q.cursor.at } }, { at: q.cursor.at, id: { lt: q.cursor.id } }] }]
    : [];
  const rows = await readDb(ctx).requestLog.findMany({
    where: { AND: [scope, ...filterWhere(q), ...cursor] },
    select: listSelect,
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: q.limit + 1,
  });
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
  const scope = await scopeWhere(ctx, q.side);
  const row = scope
    ? await readDb(ctx).requestLog.findFirst({ where: { AND: [scope, { id: q.id }] } })
    : null;
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
 * The filtered rows for a CSV export, newest first, in pages of `batchSize` read one after the other by
 * keyset (so memory stays flat), at most MAX_EXPORT_ROWS. Yields cells in REQUEST_LOG_CSV_HEADER order.
 */
export async function* requestLogExport(
  ctx: OrgCtx,
  input: RequestLogFilter,
  opts: { maxRows?: number; batchSize?: number } = {},
): AsyncGenerator<Array<Array<string | number | null>>> {
  const q = ZRequestLogFilter.parse(input);
  const maxRows = Math.min(opts.maxRows ?? MAX_EXPORT_ROWS, MAX_EXPORT_ROWS);
  const batchSize = Math.min(opts.batchSize ?? 1_000, MAX_PAGE_SIZE * 5);
  const scope = await scopeWhere(ctx, q.side);
  if (!scope) return;
  const names = new Map<string, string>();
  let cursor: { at: Date; id: string } | undefined;
  let sent = 0;
  while (sent < maxRows) {
    const after = cursor
      ? [{ OR: [{ at: { lt: cursor.at } }, { at: cursor.at, id: { lt: cursor.id } }] }]
      : [];
    const rows = await readDb(ctx).requestLog.findMany({
      where: { AND: [scope, ...filterWhere(q), ...after] },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: Math.min(batchSize, maxRows - sent),
    });
    if (rows.length === 0) return;
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
    sent += rows.length;
    const last = rows.at(-1)!;
    cursor = { at: last.at, id: last.id };
    if (rows.length < batchSize) return;
  }
}
