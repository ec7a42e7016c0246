'use client';

import { useEffect, useState } from 'react';

type CheckoutReturn = 'done' | 'cancelled' | null;

/** Where the browser came back from Stripe Checkout: ?checkout=done or ?checkout=cancelled. */
export function useCheckoutReturn(): CheckoutReturn {
  const [value, setValue] = useState<CheckoutReturn>(null);
  useEffect(() => {
    const param = new URLSearchParams(window.location.search).get('checkout');
    setValue(param === 'done' || param === 'cancelled' ? param : null);
  }, []);
  return value;
}

/**
 * What happened on the payment page. Stripe tells the platform by webhook, which can arrive a moment
 * after the browser: "done" says so until the subscriptions below show it.
 */
export function CheckoutNotice({ from, waiting }: { from: CheckoutReturn; waiting: boolean }) {
  if (from === null) return null;
  const message =
    from === 'cancelled'
      ? 'No payment method was saved, so the subscription has not started. Add a payment method to try again.'
      : waiting
        ? 'Payment method received. Waiting for Stripe to confirm it…'
        : 'Payment method saved.';
  return (
    <p role="status" className="card" data-testid="checkout-notice">
      {message}
    </p>
  );
}
