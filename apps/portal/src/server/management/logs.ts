import { ZAnalyticsSide } from '@portcullis/services/verbs/analytics';
import { getRequestLog, listRequestLogs, ZStatusFilter } from '@portcullis/services/verbs/request-logs';
import { z } from 'zod';
import { endpoint, out, verbCtxOf, ZIsoDateTime } from './endpoint';

const ZId = z.string().min(1).max(64);
const ZLogRowOut = out({
  id: z.string(),
  at: z.string(),
  method: z.string(),
  path: z.string(),
  status: z.number(),
});

export const LOG_ENDPOINTS = [
  endpoint({
    id: 'logs.list',
    method: 'GET',
    path: '/logs',
    summary: "Request log rows of the org's APIs (provider) or apps (consumer), newest first",
    scope: 'logs:read',
    permission: 'analytics.read',
    query: z.object({
      side: ZAnalyticsSide,
      status: ZStatusFilter.optional(),
      keyId: ZId.optional(),
      apiId: ZId.optional(),
      pathPrefix: z.string().trim().min(1).max(500).optional(),
      from: ZIsoDateTime.optional(),
      to: ZIsoDateTime.optional(),
      /** `nextCursor.at` and `nextCursor.id` of the previous page */
      cursorAt: ZIsoDateTime.optional(),
      cursorId: ZId.optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    output: out({
      rows: z.array(ZLogRowOut),
      nextCursor: z.object({ at: z.string(), id: z.string() }).nullable(),
    }),
    handler: (ctx, { cursorAt, cursorId, ...filters }) =>
      listRequestLogs(verbCtxOf(ctx), {
        ...filters,
        ...(cursorAt && cursorId ? { cursor: { at: cursorAt, id: cursorId } } : {}),
      }),
  }),
  endpoint({
    id: 'logs.get',
    method: 'GET',
    path: '/logs/{id}',
    summary: 'One request log row with every column',
    scope: 'logs:read',
    permission: 'analytics.read',
    params: z.object({ id: ZId }),
    query: z.object({ side: ZAnalyticsSide, at: ZIsoDateTime.optional() }),
    output: ZLogRowOut,
    handler: (ctx, input) => getRequestLog(verbCtxOf(ctx), input),
  }),
];
