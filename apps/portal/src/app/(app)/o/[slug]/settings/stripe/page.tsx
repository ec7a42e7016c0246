'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { payBlockedReason, stripeBlockedReason } from '~/components/billing/roles';
import { OrgCrumb } from '~/components/org-crumb';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '~/trpc/client';
import { ConnectForm } from './_components/connect-form';
import { ConsumerBilling } from './_components/consumer-billing';
import { Disconnect } from './_components/disconnect';
import { Connected, NotConnected } from './_components/stripe-status';
import { WebhookEndpoint } from './_components/webhook-endpoint';

function useStripeSettings(slug: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const org = useQuery(trpc.org.get.queryOptions({ orgSlug: slug }));
  const status = useQuery(trpc.stripe.status.queryOptions({ orgSlug: slug }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.stripe.pathKey() });
  return { org, status, refresh };
}

export default function StripeSettingsPage() {
  const { slug } = useParams<{ slug: string }>();
  const { org, status, refresh } = useStripeSettings(slug);
  const blocked = org.data ? stripeBlockedReason(org.data.role) : null;
  return (
    <>
      <OrgCrumb slug={slug} />
      <div className="page-head">
        <h1>Stripe billing</h1>
      </div>
      <QueryState query={org} pendingLabel="Loading Stripe settings">
        {() => (
          <QueryState query={status} pendingLabel="Loading Stripe settings">
            {(data) =>
              !data.connected ? (
                <>
                  <NotConnected next={blocked ? <p className="muted">{blocked}</p> : null} />
                  {blocked ? null : (
                    <ConnectForm
                      slug={slug}
                      webhookPath={data.webhookPath}
                      initialGraceDays={3}
                      replacing={false}
                      onSaved={refresh}
                    />
                  )}
                </>
              ) : (
                <>
                  <Connected status={data} />
                  {blocked ? (
                    <section className="card" aria-labelledby="stripe-webhook-title">
                      <h2 id="stripe-webhook-title">Webhook</h2>
                      <p className="muted">{blocked} Members can see the endpoint Stripe sends events to.</p>
                      <WebhookEndpoint path={data.webhookPath} />
                    </section>
                  ) : (
                    <>
                      <ConnectForm
                        slug={slug}
                        webhookPath={data.webhookPath}
                        initialGraceDays={data.graceDays}
                        replacing
                        onSaved={refresh}
                      />
                      <Disconnect slug={slug} onDone={refresh} />
                    </>
                  )}
                </>
              )
            }
          </QueryState>
        )}
      </QueryState>
      {org.data ? <ConsumerBilling slug={slug} payReason={payBlockedReason(org.data.role)} /> : null}
    </>
  );
}
