import { describe, expect, it } from 'vitest';
import {
  awaitsPaymentMethod,
  callWord,
  checkoutReturn,
  holdsPlan,
  subscriptionFor,
  subscriptionState,
} from './subscription-state';

const payment = { status: 'PENDING', pendingReason: 'payment_method' };
const approval = { status: 'PENDING', pendingReason: null };

describe('subscription state', () => {
  it('tells a subscription waiting for a payment method from one waiting for approval', () => {
    expect(awaitsPaymentMethod(payment)).toBe(true);
    expect(awaitsPaymentMethod(approval)).toBe(false);
    expect(awaitsPaymentMethod({ status: 'PENDING' })).toBe(false);
    expect(awaitsPaymentMethod({ status: 'ACTIVE', pendingReason: 'payment_method' })).toBe(false);
  });

  it('says "Payment method needed", not PENDING, while a payment method is missing', () => {
    expect(subscriptionState(payment)).toEqual({
      label: 'Payment method needed',
      tone: 'warn',
      note: 'The subscription starts once a payment method is saved.',
      needsPaymentMethod: true,
    });
  });

  it('keeps the status word for the others', () => {
    expect(subscriptionState(approval)).toMatchObject({
      label: 'PENDING',
      note: 'You will be notified when the provider decides.',
      needsPaymentMethod: false,
    });
    expect(subscriptionState({ status: 'ACTIVE' })).toMatchObject({
      label: 'ACTIVE',
      tone: 'ok',
      note: null,
    });
    expect(subscriptionState({ status: 'REJECTED' })).toMatchObject({ label: 'REJECTED', tone: 'danger' });
    expect(subscriptionState({ status: 'SUSPENDED' }).tone).toBe('warn');
    expect(subscriptionState({ status: 'SOMETHING' }).tone).toBe('neutral');
  });

  it('knows which statuses still hold the plan', () => {
    expect(['PENDING', 'ACTIVE', 'SUSPENDED'].every(holdsPlan)).toBe(true);
    expect(holdsPlan('REJECTED')).toBe(false);
    expect(holdsPlan('CANCELLED')).toBe(false);
    expect(holdsPlan(undefined)).toBe(false);
  });

  it('words the try-it console uses never say PENDING', () => {
    expect(callWord(payment)).toBe('payment method needed');
    expect(callWord(approval)).toBe('awaiting approval');
    expect(callWord({ status: 'ACTIVE' })).toBe('can call');
    expect(callWord({ status: 'SUSPENDED' })).toBe('suspended');
  });

  it('returns from Checkout to the Billing page of the org, keeping the {org} placeholder', () => {
    expect(checkoutReturn('https://portal.test', 'acme')).toEqual({
      successUrl: 'https://portal.test/o/acme/billing?checkout=done',
      cancelUrl: 'https://portal.test/o/acme/billing?checkout=cancelled',
    });
    expect(checkoutReturn('https://portal.test', '{org}').successUrl).toBe(
      'https://portal.test/o/{org}/billing?checkout=done',
    );
  });
});

describe('subscriptionFor', () => {
  const row = (over: Record<string, unknown>) => ({
    id: 's1',
    appId: 'a1',
    planId: 'p1',
    status: 'PENDING',
    rejectionReason: null,
    ...over,
  });
  const made = { id: 's1', appId: 'a1', planId: 'p1', status: 'PENDING', pendingReason: 'payment_method' };

  it('finds the app and plan, skipping cancelled subscriptions', () => {
    const listed = [row({ id: 's0', status: 'CANCELLED' }), row({ id: 's2', status: 'ACTIVE' })];
    expect(subscriptionFor(listed, null, 'a1', 'p1')?.id).toBe('s2');
    expect(subscriptionFor(listed, null, 'a1', 'p9')).toBeUndefined();
    expect(subscriptionFor(listed, null, 'a9', 'p1')).toBeUndefined();
  });

  it('shows the one just made until the list has it', () => {
    expect(subscriptionFor([], made, 'a1', 'p1')).toEqual({ ...made, rejectionReason: null });
    expect(subscriptionFor([], made, 'a2', 'p1')).toBeUndefined();
  });

  it('keeps the reason it waits from the subscribe answer when the list leaves it out', () => {
    const found = subscriptionFor([row({})], made, 'a1', 'p1');
    expect(found && awaitsPaymentMethod(found)).toBe(true);
    const listed = [row({ pendingReason: null })];
    expect(subscriptionFor(listed, made, 'a1', 'p1')?.pendingReason).toBeNull();
    // Once active, the reason no longer matters.
    const active = subscriptionFor([row({ status: 'ACTIVE' })], made, 'a1', 'p1');
    expect(active && awaitsPaymentMethod(active)).toBe(false);
  });
});
