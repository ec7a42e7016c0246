import { describe, expect, it } from 'vitest';
import { alertsBlockedReason, payBlockedReason, stripeBlockedReason } from './roles';

describe('money controls by role', () => {
  it('lets owners, admins and developers add payment methods', () => {
    expect(payBlockedReason('OWNER')).toBeNull();
    expect(payBlockedReason('ADMIN')).toBeNull();
    expect(payBlockedReason('DEVELOPER')).toBeNull();
    expect(payBlockedReason('VIEWER')).toBe(
      'Your role (VIEWER) cannot add payment methods; owners, admins and developers can.',
    );
  });

  it('lets only owners and admins connect Stripe', () => {
    expect(stripeBlockedReason('OWNER')).toBeNull();
    expect(stripeBlockedReason('ADMIN')).toBeNull();
    expect(stripeBlockedReason('DEVELOPER')).toBe('Only owners and admins can connect Stripe.');
    expect(stripeBlockedReason('VIEWER')).toBe('Only owners and admins can connect Stripe.');
  });

  it('lets only owners and admins manage alerts', () => {
    expect(alertsBlockedReason('ADMIN')).toBeNull();
    expect(alertsBlockedReason('DEVELOPER')).toMatch(/^Your role \(DEVELOPER\) can see alerts/);
  });
});
