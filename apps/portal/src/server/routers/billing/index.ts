import { closeDuePeriods, markInvoicePaid, voidInvoice } from '@portcullis/billing/invoicing';
import { getPlanPricing, setPlanPricing } from '@portcullis/billing/pricing-verbs';
import {
  consumerOverview,
  getInvoiceDetail,
  listInvoices,
  providerRevenue,
  topConsumers,
  unpaidInvoices,
} from '@portcullis/billing/reports';
import { ZPlanPricing } from '@portcullis/core/billing/pricing';
import { ZId, ZPlanRef } from '@portcullis/core/schemas';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { can } from '../../permissions';
import { orgProcedure, platformAdminProcedure, router, verbCtx } from '../../trpc';

const ZInvoiceStatus = z.enum(['DRAFT', 'FINALIZED', 'PAID', 'VOID']);
const ZInvoiceList = z.object({
  /** customer: invoices the org pays; provider: invoices the org issued (ADMIN/OWNER) */
  side: z.enum(['customer', 'provider']).default('customer'),
  status: ZInvoiceStatus.optional(),
  page: z.number().int().min(1).max(100_000).default(1),
  pageSize: z.number().int().min(1).max(100).default(20),
});
const ZInvoiceRef = z.object({ invoiceId: ZId });
export const ZRevenueQuery = z.object({ months: z.number().int().min(1).max(36).default(12) });
const ZTopConsumersQuery = z.object({
  days: z.number().int().min(1).max(366).default(30),
  limit: z.number().int().min(1).max(50).default(10),
});
const ZSetPlanPricing = z.object({ planId: ZId, pricing: ZPlanPricing });

/** First day (UTC) of the month `monthsBack` months before the current one. */
export function revenueSince(now: Date, months: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (months - 1), 1));
}

/**
 * Invoices, usage against quota, projected charges (any member) and the provider's revenue
 * reports, plan pricing and local invoice settlement (ADMIN/OWNER). Amounts are bigint minor units.
 */
export const billingRouter = router({
  consumerOverview: orgProcedure('billing.read').query(({ ctx }) =>
    consumerOverview(ctx.db, { orgId: ctx.org.id, now: new Date() }),
  ),
  invoices: orgProcedure('billing.read')
    .input(ZInvoiceList)
    .query(({ ctx, input }) => {
      if (input.side === 'provider' && !can(ctx.role, 'billing.manage')) {
        throw new TRPCError({ code: 'FORBIDDEN', message: 'Your role does not allow this' });
      }
      return listInvoices(ctx.db, { ...input, orgId: ctx.org.id });
    }),
  invoice: orgProcedure('billing.read')
    .input(ZInvoiceRef)
    .query(({ ctx, input }) =>
      getInvoiceDetail(ctx.db, {
        invoiceId: input.invoiceId,
        customerOrgIds: [ctx.org.id],
        providerOrgIds: can(ctx.role, 'billing.manage') ? [ctx.org.id] : [],
      }),
    ),
  providerRevenue: orgProcedure('billing.manage')
    .input(ZRevenueQuery)
    .query(({ ctx, input }) =>
      providerRevenue(ctx.db, { orgId: ctx.org.id, since: revenueSince(new Date(), input.months) }),
    ),
  topConsumers: orgProcedure('billing.manage')
    .input(ZTopConsumersQuery)
    .query(({ ctx, input }) => topConsumers(ctx.db, { ...input, orgId: ctx.org.id, now: new Date() })),
  unpaidInvoices: orgProcedure('billing.manage').query(({ ctx }) =>
    unpaidInvoices(ctx.db, { orgId: ctx.org.id, now: new Date() }),
  ),
  markPaid: orgProcedure('billing.manage')
    .input(ZInvoiceRef)
    .mutation(({ ctx, input }) => markInvoicePaid(verbCtx(ctx), input)),
  void: orgProcedure('billing.manage')
    .input(ZInvoiceRef)
    .mutation(({ ctx, input }) => voidInvoice(verbCtx(ctx), input)),
  planPricing: orgProcedure('billing.read')
    .input(ZPlanRef)
    .query(async ({ ctx, input }) => ({
      ...(await getPlanPricing(verbCtx(ctx), input)),
      canManage: can(ctx.role, 'billing.manage'),
    })),
  setPlanPricing: orgProcedure('billing.manage')
    .input(ZSetPlanPricing)
    .mutation(({ ctx, input }) => setPlanPricing(verbCtx(ctx), input)),
  /** Operators: close every period that has ended now instead of waiting for the scheduled run. */
  closePeriodsNow: platformAdminProcedure.mutation(({ ctx }) =>
    closeDuePeriods(ctx.db, { now: new Date(), actor: ctx.actor }),
  ),
});
