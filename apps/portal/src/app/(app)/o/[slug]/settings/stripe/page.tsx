'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { ErrorState, FormError, Loading } from '../../../../../../components/form';
import { OrgCrumb } from '../../../../../../components/org-crumb';
import { formError, useTRPC } from '../../../../../../trpc/client';
import { ConnectForm } from './_components/connect-form';
import { WebhookEndpoint } from './_components/webhook-endpoint';

function Disconnect({ slug, onDone }: { slug: string; onDone: () => Promise<unknown> }) {
  const trpc = useTRPC();
  const [confirming, setConfirming] = useState(false);
  const disconnect = useMutation(
    trpc.stripe.disconnect.mutationOptions({
      onSuccess: async () => {
        setConfirming(false);
        await onDone();
      },
    }),
  );
  return (
    <section className="card danger-zone" aria-labelledby="disconnect-title">
      <h2 id="disconnect-title">Disconnect</h2>
      <p className="muted">
        Invoices are then issued and tracked here only. Subscriptions suspended for unpaid Stripe invoices are
        resumed. Nothing in your Stripe account is deleted: cancel Stripe subscriptions there if you want them
        to stop charging.
      </p>
      {confirming ? (
        <div className="confirm">
          <button
            type="button"
            className="danger"
            disabled={disconnect.isPending}
            onClick={() => disconnect.mutate({ orgSlug: slug })}
          >
            {disconnect.isPending ? 'Disconnecting…' : 'Yes, disconnect Stripe'}
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </div>
      ) : (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Disconnect Stripe
        </button>
      )}
      <FormError message={formError(disconnect.error)} />
    </section>
  );
}

function ConsumerBilling({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const providers = useQuery(trpc.stripe.consumerBilling.queryOptions({ orgSlug: slug }));
  const here = () => window.location.href;
  const go = ({ url }: { url: string }) => window.location.assign(url);
  const setup = useMutation(trpc.stripe.paymentSetupLink.mutationOptions({ onSuccess: go }));
  const portal = useMutation(trpc.stripe.billingPortalLink.mutationOptions({ onSuccess: go }));
  if (providers.isPending) return <Loading what="Loading your Stripe billing" />;
  if (providers.isError) return <ErrorState error={providers.error} />;
  if (providers.data.length === 0) return null;
  return (
    <section className="card" aria-labelledby="consumer-billing-title">
      <h2 id="consumer-billing-title">Paying your providers</h2>
      <p className="muted">These providers bill your subscriptions through Stripe.</p>
      <ul className="list">
        {providers.data.map((provider) => (
          <li key={provider.providerOrgId} className="sub">
            <span>
              <strong>{provider.providerName}</strong>{' '}
              {provider.delinquentSince ? (
                <span className="badge status-suspended">payment failed</span>
              ) : provider.hasPaymentMethod ? (
                <span className="badge status-active">payment method on file</span>
              ) : (
                <span className="badge">no payment method</span>
              )}
            </span>
            <span className="actions">
              <button
                type="button"
                disabled={setup.isPending}
                onClick={() =>
                  setup.mutate({
                    orgSlug: slug,
                    providerOrgId: provider.providerOrgId,
                    successUrl: here(),
                    cancelUrl: here(),
                  })
                }
              >
                Add payment method
              </button>
              <button
                type="button"
                className="secondary"
                disabled={portal.isPending}
                onClick={() =>
                  portal.mutate({ orgSlug: slug, providerOrgId: provider.providerOrgId, returnUrl: here() })
                }
              >
                Invoices and payment methods
              </button>
            </span>
          </li>
        ))}
      </ul>
      <FormError message={formError(setup.error) ?? formError(portal.error)} />
    </section>
  );
}

export default function StripeSettingsPage() {
  const { slug } = useParams<{ slug: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const org = useQuery(trpc.org.get.queryOptions({ orgSlug: slug }));
  const status = useQuery(trpc.stripe.status.queryOptions({ orgSlug: slug }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.stripe.pathKey() });
  const canManage = org.data?.role === 'OWNER' || org.data?.role === 'ADMIN';

  return (
    <>
      <OrgCrumb slug={slug} />
      <div className="page-head">
        <h1>Stripe billing</h1>
      </div>
      {status.isPending || org.isPending ? (
        <Loading what="Loading Stripe settings" />
      ) : status.isError ? (
        <ErrorState error={status.error} />
      ) : org.isError ? (
        <ErrorState error={org.error} />
      ) : !status.data.connected ? (
        <>
          <section className="card" aria-labelledby="stripe-status-title">
            <h2 id="stripe-status-title">Not connected</h2>
            <p className="empty">
              Invoices are issued and tracked in Portcullis only (marked “local”). Connect your Stripe account
              to charge consumers: plans, customers, subscriptions and usage are then kept in step with
              Stripe.
            </p>
          </section>
          {canManage ? (
            <ConnectForm
              slug={slug}
              webhookPath={status.data.webhookPath}
              initialGraceDays={3}
              replacing={false}
              onSaved={refresh}
            />
          ) : (
            <p className="muted">Only owners and admins can connect Stripe.</p>
          )}
        </>
      ) : (
        <>
          <section className="card" aria-labelledby="stripe-status-title">
            <h2 id="stripe-status-title">
              Connected{' '}
              <span className="badge status-active">{status.data.livemode ? 'live' : 'test mode'}</span>
            </h2>
            <dl className="facts">
              <dt>Secret key</dt>
              <dd>
                <code>…{status.data.last4}</code>
              </dd>
              <dt>Grace period</dt>
              <dd>{status.data.graceDays} days</dd>
              <dt>Connected</dt>
              <dd>{new Date(status.data.connectedAt).toLocaleString()}</dd>
              <dt>Customers</dt>
              <dd>
                {status.data.customers} ({status.data.customersWithPaymentMethod} with a payment method,{' '}
                {status.data.delinquentCustomers} with a failed payment)
              </dd>
              <dt>Usage not yet in Stripe</dt>
              <dd>{status.data.unsentUsagePushes} hourly batches</dd>
            </dl>
          </section>
          {canManage ? (
            <>
              <ConnectForm
                slug={slug}
                webhookPath={status.data.webhookPath}
                initialGraceDays={status.data.graceDays}
                replacing
                onSaved={refresh}
              />
              <Disconnect slug={slug} onDone={refresh} />
            </>
          ) : (
            <section className="card" aria-labelledby="stripe-webhook-title">
              <h2 id="stripe-webhook-title">Webhook</h2>
              <WebhookEndpoint path={status.data.webhookPath} />
            </section>
          )}
        </>
      )}
      <ConsumerBilling slug={slug} />
    </>
  );
}
