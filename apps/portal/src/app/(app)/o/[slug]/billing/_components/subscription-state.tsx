'use client';

import { AddPaymentMethod } from './payment-method';

export type SubscriptionState =
  | 'ACTIVE'
  | 'SUSPENDED'
  | 'AWAITING_PAYMENT_METHOD'
  | 'AWAITING_APPROVAL'
  | 'API_RETIRED';

const STATES: Record<SubscriptionState, { label: string; badge: string }> = {
  ACTIVE: { label: 'Active', badge: 'status-active' },
  SUSPENDED: { label: 'Suspended', badge: 'status-suspended' },
  AWAITING_PAYMENT_METHOD: { label: 'Payment method needed', badge: 'status-pending' },
  AWAITING_APPROVAL: { label: 'Waiting for approval', badge: 'status-pending' },
  API_RETIRED: { label: 'API retired', badge: 'status-cancelled' },
};

/**
 * A subscription's state in words, with what the consumer can do about it; `payReason` says why
 * this member cannot add a payment method (null when they can).
 */
export function SubscriptionStateCell({
  orgSlug,
  row,
  payReason,
}: {
  orgSlug: string;
  row: {
    subscriptionId: string;
    state: SubscriptionState;
    paymentMethodError: string | null;
    retiredAt: Date | null;
  };
  payReason: string | null;
}) {
  const state = STATES[row.state];
  return (
    <>
      <span className={`badge ${state.badge}`} data-testid="billing-state">
        {state.label}
      </span>
      {row.state === 'AWAITING_PAYMENT_METHOD' ? (
        <>
          <p className={row.paymentMethodError ? 'form-error' : 'muted'} data-testid="payment-method-problem">
            {row.paymentMethodError
              ? `${row.paymentMethodError} The subscription has not started.`
              : 'The subscription starts once a payment method is saved.'}
          </p>
          <AddPaymentMethod
            orgSlug={orgSlug}
            subscriptionId={row.subscriptionId}
            label={row.paymentMethodError ? 'Try again' : 'Add a payment method'}
            disabledReason={payReason}
          />
        </>
      ) : null}
      {row.state === 'API_RETIRED' && row.retiredAt ? (
        <p className="muted">Retired on {row.retiredAt.toISOString().slice(0, 10)}: no further charges.</p>
      ) : null}
    </>
  );
}
