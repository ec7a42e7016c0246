'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { ErrorState, Loading } from '../../../../../components/form';
import { OrgCrumb } from '../../../../../components/org-crumb';
import { useTRPC } from '../../../../../trpc/client';
import { AlertForm } from './_components/alert-form';
import { AlertList } from './_components/alert-list';

const MANAGERS = new Set(['OWNER', 'ADMIN']);

export default function AlertsPage() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const org = useQuery(trpc.org.get.queryOptions({ orgSlug: slug }));
  const alerts = useQuery(trpc.alerts.list.queryOptions({ orgSlug: slug }));
  const options = useQuery(trpc.alerts.options.queryOptions({ orgSlug: slug }));
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
  const canManage = org.data ? MANAGERS.has(org.data.role) : false;
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
      <section className="card" aria-labelledby="alerts-title">
        <h2 id="alerts-title">Alerts</h2>
        {alerts.isPending ? (
          <Loading what="Loading alerts" />
        ) : alerts.isError ? (
          <ErrorState error={alerts.error} />
        ) : (
          <AlertList orgSlug={slug} rows={alerts.data} canManage={canManage} onDeleted={refresh} />
        )}
      </section>
      {canManage ? (
        <section className="card" aria-labelledby="new-alert-title">
          <h2 id="new-alert-title">New alert</h2>
          {options.isPending ? (
            <Loading what="Loading what can be watched" />
          ) : options.isError ? (
            <ErrorState error={options.error} />
          ) : (
            <AlertForm orgSlug={slug} options={options.data} onCreated={refresh} />
          )}
        </section>
      ) : null}
    </>
  );
}
