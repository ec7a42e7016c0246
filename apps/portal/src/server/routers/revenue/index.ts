import { paidSubscriptionsByMonth, providerMrr, revenueBreakdown } from '@portcullis/billing/revenue';
import { z } from 'zod';
import { orgProcedure, router } from '../../trpc';

const ZRevenueWindow = z.object({ months: z.number().int().min(1).max(36).default(12) });

/** The provider's revenue view (ADMIN/OWNER, like the other revenue reports). Amounts: bigint minor units. */
export const revenueRouter = router({
  overview: orgProcedure('billing.manage')
    .input(ZRevenueWindow)
    .query(async ({ ctx, input }) => {
      const now = new Date();
      const scope = { orgId: ctx.org.id, now };
      const [mrr, paidSubscriptions, breakdown] = await Promise.all([
        providerMrr(ctx.db, scope),
        paidSubscriptionsByMonth(ctx.db, { ...scope, months: input.months }),
        revenueBreakdown(ctx.db, { ...scope, months: input.months }),
      ]);
      return { months: input.months, mrr, paidSubscriptions, breakdown };
    }),
});
