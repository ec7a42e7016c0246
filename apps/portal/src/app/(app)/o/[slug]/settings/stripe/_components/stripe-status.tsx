import type { ReactNode } from 'react';

interface ConnectedStatus {
  livemode: boolean;
  last4: string;
  graceDays: number;
  connectedAt: Date | string;
  customers: number;
  customersWithPaymentMethod: number;
  delinquentCustomers: number;
  unsentUsagePushes: number;
}

/** Not connected: invoices stay local until an owner or admin connects a Stripe account. */
export function NotConnected({ next }: { next: ReactNode }) {
  return (
    <section className="card" aria-labelledby="stripe-status-title">
      <h2 id="stripe-status-title">Not connected</h2>
      <p className="empty">
        Invoices are issued and tracked in Portcullis only (marked “local”). Connect your Stripe account to
        charge consumers: plans, customers, subscriptions and usage are then kept in step with Stripe.
      </p>
      {next}
    </section>
  );
}

/** The connected account: key, grace period, customers and usage still to send. */
export function Connected({ status }: { status: ConnectedStatus }) {
  return (
    <section className="card" aria-labelledby="stripe-status-title">
      <h2 id="stripe-status-title">
        Connected <span className="badge status-active">{status.livemode ? 'live' : 'test mode'}</span>
      </h2>
      <dl className="facts">
        <dt>Secret key</dt>
        <dd>
          <code>…{status.last4}</code>
        </dd>
        <dt>Grace period</dt>
        <dd>{status.graceDays} days</dd>
        <dt>Connected</dt>
        <dd>{new Date(status.connectedAt).toLocaleString()}</dd>
        <dt>Customers</dt>
        <dd>
          {status.customers} ({status.customersWithPaymentMethod} with a payment method,{' '}
          {status.delinquentCustomers} with a failed payment)
        </dd>
        <dt>Usage not yet in Stripe</dt>
        <dd>{status.unsentUsagePushes} hourly batches</dd>
      </dl>
    </section>
  );
}
