'use client';

import { RevenueOverview } from './revenue-overview';
import { Revenue } from './revenue-table';
import { TopConsumers } from './top-consumers';
import { UnpaidInvoices } from './unpaid-invoices';

/** The provider side of the billing page (ADMIN/OWNER: the procedures refuse everyone else). */
export function ProviderBilling({ orgSlug }: { orgSlug: string }) {
  return (
    <>
      <h2>Your APIs' revenue</h2>
      <RevenueOverview orgSlug={orgSlug} />
      <Revenue orgSlug={orgSlug} />
      <UnpaidInvoices orgSlug={orgSlug} />
      <TopConsumers orgSlug={orgSlug} />
    </>
  );
}
