import { csvCell, csvFileName, toCsv } from '@portcullis/billing/csv';
import { findMembership } from '@portcullis/services/verbs/org';
import {
  REQUEST_LOG_CSV_HEADER,
  type RequestLogFilter,
  requestLogExport,
  ZRequestLogFilter,
} from '@portcullis/services/verbs/request-logs';
import { currentUserId } from '../../../../../../server/auth';
import { serviceDb, serviceReads } from '../../../../../../server/db';
import { can } from '../../../../../../server/permissions';

export const dynamic = 'force-dynamic';

const FILTER_PARAMS = ['side', 'status', 'keyId', 'apiId', 'pathPrefix', 'from', 'to'] as const;
const DATE_PARAMS = new Set(['from', 'to']);

/** The explorer's filters from the query string (the same names the page uses); empty values are absent. */
function filterFromQuery(params: URLSearchParams) {
  const raw: Record<string, unknown> = {};
  for (const name of FILTER_PARAMS) {
    const value = params.get(name);
    if (value === null || value === '') continue;
    raw[name] = DATE_PARAMS.has(name) ? new Date(value) : value;
  }
  return ZRequestLogFilter.safeParse(raw);
}

/**
 * The filtered request log as CSV, streamed a batch at a time (at most 50,000 rows, newest first).
 * Same permission as the explorer ('analytics.read'); cells that a spreadsheet would run as formulas are
 * neutralised by csvCell.
 */
export async function GET(req: Request, { params }: { params: Promise<{ slug: string }> }) {
  const userId = await currentUserId();
  if (!userId) return new Response('Please sign in', { status: 401 });
  const { slug } = await params;
  const db = serviceDb();
  // Not a member reads as "no such org", so org slugs cannot be probed.
  const membership = await findMembership({ db, actor: { id: userId } }, slug.toLowerCase());
  if (!membership) return new Response('Organization not found', { status: 404 });
  if (!can(membership.role, 'analytics.read')) {
    return new Response('Your role does not allow this', { status: 403 });
  }
  const filter = filterFromQuery(new URL(req.url).searchParams);
  if (!filter.success) {
    const issue = filter.error.issues[0];
    return new Response(`${issue?.path.join('.') || 'query'}: ${issue?.message ?? 'is invalid'}`, {
      status: 400,
    });
  }
  const ctx = { db, reads: serviceReads(), actor: { id: userId }, org: { id: membership.id } };
  const rows = requestLogExport(ctx, filter.data satisfies RequestLogFilter);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(toCsv(REQUEST_LOG_CSV_HEADER, [])));
    },
    async pull(controller) {
      try {
        const next = await rows.next();
        if (next.done) {
          controller.close();
          return;
        }
        controller.enqueue(
          encoder.encode(next.value.map((row) => `${row.map(csvCell).join(',')}\r\n`).join('')),
        );
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await rows.return(undefined);
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${csvFileName(`${membership.slug}-requests-${filter.data.side}`)}"`,
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}
