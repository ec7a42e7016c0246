import { getInvoiceDetail, listInvoices } from '@portcullis/billing/reports';
import { forbidden } from '@portcullis/core/errors';
import { subscriptionUsage } from '@portcullis/services/verbs/usage';
import { z } from 'zod';
import { can } from '../permissions';
import { endpoint, out, verbCtxOf } from './endpoint';

const ZId = z.string().min(1).max(64);
/** Money is in minor units, sent as decimal strings (they can exceed 2^53). */
const ZInvoiceOut = out({ id: z.string(), number: z.string(), status: z.string(), totalMinor: z.string() });

export const USAGE_ENDPOINTS = [
  endpoint({
    id: 'usage.subscription',
    method: 'GET',
    path: '/usage/subscriptions/{subscriptionId}',
    summary: "This month's requests of one of the org's subscriptions, against its quota",
    scope: 'usage:read',
    permission: 'usage.read',
    params: z.object({ subscriptionId: ZId }),
    output: out({ subscriptionId: z.string(), used: z.number(), quota: z.number().nullable() }),
    handler: (ctx, input) => subscriptionUsage(verbCtxOf(ctx), input),
  }),
  endpoint({
    id: 'invoices.list',
    method: 'GET',
    path: '/invoices',
    summary: 'Invoices the org pays (customer) or issued (provider, ADMIN/OWNER)',
    scope: 'billing:read',
    permission: 'billing.read',
    query: z.object({
      side: z.enum(['customer', 'provider']).default('customer'),
      status: z.enum(['DRAFT', 'FINALIZED', 'PAID', 'VOID']).optional(),
      page: z.coerce.number().int().min(1).max(100_000).default(1),
      pageSize: z.coerce.number().int().min(1).max(100).default(20),
    }),
    output: out({ rows: z.array(ZInvoiceOut), total: z.number() }),
    handler: (ctx, input) => {
      if (input.side === 'provider' && !can(ctx.role, 'billing.manage')) throw forbidden();
      return listInvoices(ctx.db, { ...input, orgId: ctx.org.id });
    },
  }),
  endpoint({
    id: 'invoices.get',
    method: 'GET',
    path: '/invoices/{invoiceId}',
    summary: 'One invoice with its lines',
    scope: 'billing:read',
    permission: 'billing.read',
    params: z.object({ invoiceId: ZId }),
    output: ZInvoiceOut.extend({ lines: z.array(z.looseObject({})) }),
    handler: (ctx, input) =>
      getInvoiceDetail(ctx.db, {
        invoiceId: input.invoiceId,
        customerOrgIds: [ctx.org.id],
        providerOrgIds: can(ctx.role, 'billing.manage') ? [ctx.org.id] : [],
      }),
  }),
];
