'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '~/trpc/client';

/** One invoice as this organization may see it (as its customer or as its provider). */
export function useInvoice(orgSlug: string, invoiceId: string) {
  const trpc = useTRPC();
  return useQuery(trpc.billing.invoice.queryOptions({ orgSlug, invoiceId }));
}

export type InvoiceData = NonNullable<ReturnType<typeof useInvoice>['data']>;
export type InvoiceLine = InvoiceData['lines'][number];
