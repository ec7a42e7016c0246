'use client';

import { useQuery } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { payBlockedReason } from '~/components/billing/roles';
import { OrgCrumb } from '~/components/org-crumb';
import { QueryState } from '~/components/ui/query-state';
import { can } from '~/server/permissions';
import { useTRPC } from '~/trpc/client';
import { ClosePeriods } from './_components/close-periods';
import { MyInvoices } from './_components/my-invoices';
import { ProviderBilling } from './_components/provider-billing';
import { ThisPeriod } from './_components/this-period';

export default function BillingPage() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const org = useQuery(trpc.org.get.queryOptions({ orgSlug: slug }));
  const admin = useQuery(trpc.settings.amIAdmin.queryOptions());
  return (
    <QueryState query={org} pendingLabel="Loading billing">
      {(data) => {
        const canManage = can(data.role, 'billing.manage');
        return (
          <>
            <OrgCrumb slug={slug} />
            <div className="page-head">
              <h1>Billing</h1>
            </div>
            <p className="muted">
              What {data.name} uses and pays for{canManage ? ', and what its APIs earn' : ''}.
            </p>
            <ThisPeriod orgSlug={slug} payReason={payBlockedReason(data.role)} />
            <MyInvoices orgSlug={slug} />
            {canManage ? <ProviderBilling orgSlug={slug} /> : null}
            {admin.data === true ? <ClosePeriods /> : null}
          </>
        );
      }}
    </QueryState>
  );
}
