'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { alertsBlockedReason } from '~/components/billing/roles';
import { OrgCrumb } from '~/components/org-crumb';
import { EmptyState } from '~/components/ui/empty-state';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { AlertForm } from './_components/alert-form';
import { AlertList } from './_components/alert-list';

export default function AlertsPage() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const org = useQuery(trpc.org.get.queryOptions({ orgSlug: slug }));
  const alerts = useQuery(trpc.alerts.list.queryOptions({ orgSlug: slug }));
  const options = useQuery(trpc.alerts.options.queryOptions({ orgSlug: slug }));
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
  const blocked = org.data ? alertsBlockedReason(org.data.role) : null;
  const canManage = org.data !== undefined && blocked === null;
  return (
    <>
      <OrgCrumb slug={slug} />
      <div className="page-head">
        <h1>Usage alerts</h1>
      </div>
      <p className="muted">
        Owners and admins (and whoever set an alert) get a notification and a mail the first time usage passes
        a threshold in a period. Usage is checked after it is rolled up, about once a minute.
      </p>
      {blocked ? (
        <p className="muted" data-testid="alerts-read-only">
          {blocked}
        </p>
      ) : null}
      <section className="card" aria-labelledby="alerts-title">
        <h2 id="alerts-title">Alerts</h2>
        <QueryState
          query={alerts}
          pendingLabel="Loading alerts"
          isEmpty={(rows) => rows.length === 0}
          empty={
            <EmptyState
              title="No alerts yet."
              description="An alert notifies you when usage passes a share of a quota, AI budget or request target."
              action={canManage ? { label: 'Add an alert', href: '#new-alert-title' } : undefined}
            />
          }
        >
          {(rows) => <AlertList orgSlug={slug} rows={rows} canManage={canManage} onDeleted={refresh} />}
        </QueryState>
      </section>
      {canManage ? (
        <section className="card" aria-labelledby="new-alert-title">
          <h2 id="new-alert-title">New alert</h2>
          <QueryState query={options} pendingLabel="Loading what can be watched">
            {(data) => <AlertForm orgSlug={slug} options={data} onCreated={refresh} />}
          </QueryState>
        </section>
      ) : null}
    </>
  );
}
