import { csvResponse, revenueCsv } from '@portcullis/billing/csv';
import { providerRevenue } from '@portcullis/billing/reports';
import { findMembership } from '@portcullis/services/verbs/org';
import { currentUserId } from '../../../../../../server/auth';
import { serviceDb } from '../../../../../../server/db';
import { can } from '../../../../../../server/permissions';
import { revenueSince, ZRevenueQuery } from '../../../../../../server/routers/billing';

export const dynamic = 'force-dynamic';

/** The provider's revenue by month × API × plan as CSV (ADMIN/OWNER, like billing.providerRevenue). */
export async function GET(req: Request, { params }: { params: Promise<{ slug: string }> }) {
  const userId = await currentUserId();
  if (!userId) return new Response('Please sign in', { status: 401 });
  const { slug } = await params;
  const db = serviceDb();
  // Not a member reads as "no such org", so org slugs cannot be probed.
  const membership = await findMembership({ db, actor: { id: userId } }, slug.toLowerCase());
  if (!membership) return new Response('Organization not found', { status: 404 });
  if (!can(membership.role, 'billing.manage')) {
    return new Response('Your role does not allow this', { status: 403 });
  }
  const months = new URL(req.url).searchParams.get('months');
  const query = ZRevenueQuery.safeParse(months === null ? {} : { months: Number(months) });
  if (!query.success) return new Response('months must be a whole number from 1 to 36', { status: 400 });
  const revenue = await providerRevenue(db, {
    orgId: membership.id,
    since: revenueSince(new Date(), query.data.months),
  });
  return csvResponse(revenueCsv(revenue.rows), `${membership.slug}-revenue`);
}
