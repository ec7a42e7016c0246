import { parseGuardrailDecisions } from '@portcullis/core/ai-guardrails';
import { notFound } from '@portcullis/core/errors';
import { ZDateCursor, ZId, zInputDate } from '@portcullis/core/schemas';
import { Prisma } from '@portcullis/db';
import { z } from 'zod';
import { microsToUsd } from './ai-shared.ts';
import { type OrgCtx, readDb } from './context.ts';
import { keysetAfter, statusSql, ZStatusFilter } from './request-logs.ts';

/**
 * The AI call log of the provider tenant's AI and prompt APIs (AiCallLog.orgId is the API's org), newest
 * first, paged by keyset (at, id); and a usage summary: tokens and cost per model per UTC day. Bodies
 * exist only when the API opted in to body logging (already redacted by the gateway); the list says
 * whether a row has them and `getAiCall` returns them.
 */

const MAX_AI_PAGE = 200;
const MAX_SUMMARY_DAYS = 366;

const rangeIsOrdered = (q: { from?: Date | undefined; to?: Date | undefined }) =>
  !q.from || !q.to || q.from.getTime() < q.to.getTime();
const RANGE_MESSAGE = { path: ['to'], message: 'End must be after start' };

const ZFilter = z.object({
  apiId: ZId.optional(),
  model: z.string().trim().min(1).max(120).optional(),
  status: ZStatusFilter.optional(),
  from: zInputDate('from').optional(),
  to: zInputDate('to').optional(),
});

export const ZAiCallList = ZFilter.extend({
  cursor: ZDateCursor.optional(),
  limit: z.number().int().min(1).max(MAX_AI_PAGE).default(50),
}).refine(rangeIsOrdered, RANGE_MESSAGE);
export type AiCallListInput = z.input<typeof ZAiCallList>;

/** A row of the list; `at` (when the caller has it) lets the lookup go to the row's day directly. */
export const ZAiCallRef = z.object({ id: ZId, at: zInputDate('at').optional() });

export const ZAiUsageSummary = z
  .object({ apiId: ZId.optional(), from: zInputDate('from'), to: zInputDate('to') })
  .refine(rangeIsOrdered, RANGE_MESSAGE)
  .refine((q) => q.to.getTime() - q.from.getTime() <= MAX_SUMMARY_DAYS * 86_400_000, {
    path: ['from'],
    message: `At most ${MAX_SUMMARY_DAYS} days at once`,
  });
export type AiUsageSummaryInput = z.input<typeof ZAiUsageSummary>;

/** The list's filters and cursor; every page is one range scan of (orgId, at, id) or (apiId, at, id). */
function filterSql(orgId: string, q: z.output<typeof ZFilter>, cursor?: { at: Date; id: string }) {
  const where: Prisma.Sql[] = [Prisma.sql`"orgId" = ${orgId}`];
  if (q.apiId) where.push(Prisma.sql`"apiId" = ${q.apiId}`);
  if (q.model) where.push(Prisma.sql`"model" = ${q.model}`);
  if (q.status) where.push(statusSql(q.status));
  if (q.from) where.push(Prisma.sql`"at" >= ${q.from}`);
  if (q.to) where.push(Prisma.sql`"at" < ${q.to}`);
  if (cursor) where.push(keysetAfter(cursor));
  return Prisma.join(where, ' AND ');
}

const listSelect = {
  id: true,
  at: true,
  apiId: true,
  appId: true,
  requestId: true,
  surface: true,
  model: true,
  provider: true,
  providerModel: true,
  status: true,
  errorCode: true,
  stream: true,
  tokensIn: true,
  tokensOut: true,
  tokensEstimated: true,
  costMicros: true,
  latencyMs: true,
  ttftMs: true,
  attempts: true,
  promptVersion: true,
} as const;

type ListRow = Prisma.AiCallLogGetPayload<{ select: typeof listSelect }>;

const LIST_COLUMNS = Prisma.join(
  Object.keys(listSelect).map((column) => Prisma.raw(`"${column}"`)),
  ', ',
);

const present = (row: ListRow, apiNames: Map<string, string>) => {
  const { costMicros, ...rest } = row;
  return { ...rest, apiName: apiNames.get(row.apiId) ?? null, costUsd: microsToUsd(costMicros) };
};

async function apiNamesOf(ctx: OrgCtx): Promise<Map<string, string>> {
  const apis = await readDb(ctx).api.findMany({
    where: { orgId: ctx.org.id },
    select: { id: true, name: true },
  });
  return new Map(apis.map((a) => [a.id, a.name]));
}

/** The statement that reads one page of the call log for this input (for plan tests). */
export function aiCallPageQuery(ctx: OrgCtx, raw: AiCallListInput) {
  const q = ZAiCallList.parse(raw);
  return Prisma.sql`
    SELECT ${LIST_COLUMNS}, ("requestBody" IS NOT NULL OR "responseBody" IS NOT NULL) AS "hasBodies"
    FROM "AiCallLog" WHERE ${filterSql(ctx.org.id, q, q.cursor)}
    ORDER BY "at" DESC, "id" DESC LIMIT ${q.limit + 1}`;
}

export async function listAiCalls(ctx: OrgCtx, raw: AiCallListInput) {
  const q = ZAiCallList.parse(raw);
  const page = await readDb(ctx).$queryRaw<Array<ListRow & { hasBodies: boolean }>>(aiCallPageQuery(ctx, q));
  const names = await apiNamesOf(ctx);
  const rows = page.slice(0, q.limit);
  const last = rows.at(-1);
  return {
    items: rows.map(({ hasBodies, ...row }) => ({ ...present(row, names), hasBodies })),
    nextCursor: page.length > q.limit && last ? { at: last.at, id: last.id } : null,
  };
}

/** One call with its bodies (null unless the API logs bodies). */
export async function getAiCall(ctx: OrgCtx, input: z.input<typeof ZAiCallRef>) {
  const ref = ZAiCallRef.parse(input);
  const row = await readDb(ctx).aiCallLog.findFirst({
    where: { id: ref.id, ...(ref.at ? { at: ref.at } : {}), orgId: ctx.org.id },
    select: { ...listSelect, requestBody: true, responseBody: true, guardrails: true },
  });
  if (!row) throw notFound('AI call');
  const { requestBody, responseBody, guardrails, ...rest } = row;
  return {
    ...present(rest, await apiNamesOf(ctx)),
    requestBody,
    responseBody,
    guardrails: parseGuardrailDecisions(guardrails),
  };
}

interface SummaryRow {
  day: string;
  model: string;
  calls: bigint;
  errors: bigint;
  tokens_in: bigint;
  tokens_out: bigint;
  cost_micros: Prisma.Decimal | bigint | null;
}

const DAY_MS = 86_400_000;
const isoDay = (at: Date) => at.toISOString().slice(0, 10);

/**
 * Tokens and cost per model per UTC day, newest day first; totals per model for the range. The whole UTC
 * days of the range are read from AiUsageDailyRollup (rows per API and model, not per call); the partial
 * days at its edges from the log itself, so the figures are those of the instants asked for.
 */
export async function aiUsageSummary(ctx: OrgCtx, raw: AiUsageSummaryInput) {
  const q = ZAiUsageSummary.parse(raw);
  const apiFilter = q.apiId ? Prisma.sql`AND "apiId" = ${q.apiId}` : Prisma.empty;
  const firstDay = new Date(Math.ceil(q.from.getTime() / DAY_MS) * DAY_MS);
  const lastDay = new Date(Math.floor(q.to.getTime() / DAY_MS) * DAY_MS);
  const logged = (from: Date, to: Date) => Prisma.sql`
    SELECT date_trunc('day', "at") AS day, "model", count(*) AS calls, count(*) FILTER (WHERE "status" >= 400) AS errors,
      sum("tokensIn") AS tokens_in, sum("tokensOut") AS tokens_out, sum("costMicros") AS cost_micros
    FROM "AiCallLog"
    WHERE "orgId" = ${ctx.org.id} AND "at" >= ${from} AND "at" < ${to} ${apiFilter}
    GROUP BY 1, 2`;
  const branches =
    firstDay < lastDay
      ? [
          ...(q.from < firstDay ? [logged(q.from, firstDay)] : []),
          Prisma.sql`
            SELECT day::timestamp AS day, "model", calls, errors, "tokensIn" AS tokens_in, "tokensOut" AS tokens_out,
              "costMicros" AS cost_micros
            FROM "AiUsageDailyRollup"
            WHERE "orgId" = ${ctx.org.id} AND day >= ${isoDay(firstDay)}::date AND day < ${isoDay(lastDay)}::date ${apiFilter}`,
          ...(lastDay < q.to ? [logged(lastDay, q.to)] : []),
        ]
      : [logged(q.from, q.to)];
  const rows = await readDb(ctx).$queryRaw<SummaryRow[]>(Prisma.sql`
    SELECT to_char(b.day, 'YYYY-MM-DD') AS day, b."model", sum(b.calls)::bigint AS calls,
      sum(b.errors)::bigint AS errors, sum(b.tokens_in)::bigint AS tokens_in,
      sum(b.tokens_out)::bigint AS tokens_out, sum(b.cost_micros)::bigint AS cost_micros
    FROM (${Prisma.join(branches, ' UNION ALL ')}) b
    GROUP BY 1, 2
    ORDER BY 1 DESC, 2 ASC`);
  const days = rows.map((r) => ({
    day: r.day,
    model: r.model,
    calls: Number(r.calls),
    errors: Number(r.errors),
    tokensIn: Number(r.tokens_in),
    tokensOut: Number(r.tokens_out),
    costUsd: microsToUsd(BigInt(String(r.cost_micros ?? 0))),
  }));
  const totals = new Map<
    string,
    { model: string; calls: number; tokensIn: number; tokensOut: number; micros: bigint }
  >();
  for (const r of rows) {
    const t = totals.get(r.model) ?? { model: r.model, calls: 0, tokensIn: 0, tokensOut: 0, micros: 0n };
    t.calls += Number(r.calls);
    t.tokensIn += Number(r.tokens_in);
    t.tokensOut += Number(r.tokens_out);
    t.micros += BigInt(String(r.cost_micros ?? 0));
    totals.set(r.model, t);
  }
  return {
    days,
    models: [...totals.values()]
      .sort((a, b) => (a.micros === b.micros ? a.model.localeCompare(b.model) : a.micros > b.micros ? -1 : 1))
      .map(({ micros, ...t }) => ({ ...t, costUsd: microsToUsd(micros) })),
  };
}

/** The models seen in the org's call log (for the filter's choices). */
export async function aiCallModels(ctx: OrgCtx): Promise<string[]> {
  const rows = await readDb(ctx).aiCallLog.findMany({
    where: { orgId: ctx.org.id },
    distinct: ['model'],
    select: { model: true },
    orderBy: { model: 'asc' },
    take: 500,
  });
  return rows.map((r) => r.model);
}
