'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { type FormEvent, useEffect, useState } from 'react';
import { SavedNote } from '../../../../../../components/config-fields';
import { ErrorState, Field, FormError, Loading } from '../../../../../../components/form';
import { OrgCrumb } from '../../../../../../components/org-crumb';
import { fieldErrors, formError, useTRPC } from '../../../../../../trpc/client';

/** The events the webhook endpoint in Stripe must send. */
const WEBHOOK_EVENTS = [
  'invoice.paid',
  'invoice.payment_succeeded',
  'invoice.payment_failed',
  'checkout.session.completed',
  'setup_intent.succeeded',
  'customer.subscription.updated',
  'customer.subscription.deleted',
];

function ConnectForm({
  slug,
  initialGraceDays,
  replacing,
  onSaved,
}: {
  slug: string;
  initialGraceDays: number;
  replacing: boolean;
  onSaved: () => Promise<unknown>;
}) {
  const trpc = useTRPC();
  const [secretKey, setSecretKey] = useState('');
  const [webhookSecret, setWebhookSecret] = useState('');
  const [graceDays, setGraceDays] = useState(String(initialGraceDays));
  const [saved, setSaved] = useState(false);
  const connect = useMutation(
    trpc.stripe.connect.mutationOptions({
      onSuccess: async () => {
        // Secrets leave the page as soon as the server has them.
        setSecretKey('');
        setWebhookSecret('');
        setSaved(true);
        await onSaved();
      },
    }),
  );
  const errors = fieldErrors(connect.error);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    connect.mutate({ orgSlug: slug, secretKey, webhookSecret, graceDays: Number(graceDays) });
  }

  return (
    <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="connect-title" autoComplete="off">
      <h2 id="connect-title">{replacing ? 'Replace keys' : 'Connect Stripe'}</h2>
      <p className="muted">
        Keys are stored encrypted and are never shown again; only the last 4 characters of the secret key are.
      </p>
      <Field
        id="stripe-secret-key"
        label="Secret key"
        type="password"
        autoComplete="off"
        spellCheck={false}
        required
        placeholder="sk_live_… or rk_live_…"
        hint="Developers → API keys in Stripe. A restricted key needs write access to products, prices, customers, subscriptions, billing meters, Checkout and the customer portal."
        value={secretKey}
        error={errors.secretKey}
        onChange={(e) => setSecretKey(e.target.value)}
      />
      <Field
        id="stripe-webhook-secret"
        label="Webhook signing secret"
        type="password"
        autoComplete="off"
        spellCheck={false}
        required
        placeholder="whsec_…"
        hint="Shown by Stripe after you add the webhook endpoint below."
        value={webhookSecret}
        error={errors.webhookSecret}
        onChange={(e) => setWebhookSecret(e.target.value)}
      />
      <Field
        id="stripe-grace-days"
        label="Grace period (days)"
        type="number"
        min={0}
        max={60}
        inputMode="numeric"
        hint="How long a failed payment is tolerated before the consumer's subscriptions are suspended (the gateway then answers 402 payment_required)."
        value={graceDays}
        error={errors.graceDays}
        onChange={(e) => setGraceDays(e.target.value)}
      />
      <FormError message={formError(connect.error)} />
      <div className="form-actions">
        <button type="submit" disabled={connect.isPending}>
          {connect.isPending ? 'Saving…' : replacing ? 'Replace keys' : 'Connect Stripe'}
        </button>
        <SavedNote show={saved && !connect.isPending}>Stripe connected</SavedNote>
      </div>
    </form>
  );
}

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

function WebhookUrl({ path }: { path: string }) {
  const [origin, setOrigin] = useState('');
  const [copied, setCopied] = useState(false);
  // The browser's origin is the portal's public address, whatever proxy sits in front of it.
  useEffect(() => setOrigin(window.location.origin), []);
  const url = `${origin}${path}`;
  return (
    <>
      <dt>Webhook URL</dt>
      <dd>
        <code>{url}</code>{' '}
        <button
          type="button"
          className="link"
          onClick={() => {
            void navigator.clipboard?.writeText(url).then(() => setCopied(true));
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <p className="hint">
          In Stripe: Developers → Webhooks → Add endpoint, paste this URL and select{' '}
          {WEBHOOK_EVENTS.join(', ')}.
        </p>
      </dd>
    </>
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
            <ConnectForm slug={slug} initialGraceDays={3} replacing={false} onSaved={refresh} />
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
              <WebhookUrl path={status.data.webhookPath} />
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
              <ConnectForm slug={slug} initialGraceDays={status.data.graceDays} replacing onSaved={refresh} />
              <Disconnect slug={slug} onDone={refresh} />
            </>
          ) : null}
        </>
      )}
      <ConsumerBilling slug={slug} />
    </>
  );
}
