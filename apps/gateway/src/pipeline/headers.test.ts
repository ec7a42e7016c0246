import { describe, expect, it } from 'vitest';
import { problemStatus } from '../http/problem.ts';
import { extractApiKey } from './key.ts';
import { resolveRequestId } from './request-id.ts';
import { checkSubscription } from './subscription.ts';

describe('extractApiKey', () => {
  it('prefers a Bearer token, falls back to x-api-key', () => {
    expect(extractApiKey({ authorization: 'Bearer abc', 'x-api-key': 'def' })).toBe('abc');
    expect(extractApiKey({ authorization: 'bearer   abc ' })).toBe('abc');
    expect(extractApiKey({ authorization: 'Basic Zm9vOmJhcg==', 'x-api-key': 'def' })).toBe('def');
    expect(extractApiKey({})).toBeNull();
    expect(extractApiKey({ 'x-api-key': '  ' })).toBeNull();
  });
});

describe('resolveRequestId', () => {
  it('reuses a valid incoming id and replaces an invalid one', () => {
    expect(resolveRequestId({ 'x-request-id': 'client-abc-123' })).toBe('client-abc-123');
    const generated = resolveRequestId({ 'x-request-id': 'bad id with spaces' });
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(resolveRequestId({})).not.toBe(resolveRequestId({}));
  });
});

describe('checkSubscription', () => {
  const base = {
    planId: 'p',
    rateLimit: 1,
    rateLimitWindowSeconds: 60,
    limits: [],
    monthlyQuota: null,
    currentPeriodStart: 0,
    suspendedReason: null,
    quotaMode: 'hard_cap' as const,
    billable: 'below_500' as const,
  };
  it('picks an ACTIVE subscription and otherwise names the status', () => {
    expect(checkSubscription([])).toMatchObject({ ok: false, error: { code: 'no_subscription' } });
    const suspended = checkSubscription([{ ...base, id: 's1', status: 'SUSPENDED' }]);
    expect(suspended).toMatchObject({ ok: false, error: { code: 'subscription_inactive' } });
    expect(suspended.ok ? '' : suspended.error.detail).toContain('SUSPENDED');
    const mixed = checkSubscription([
      { ...base, id: 's1', status: 'PENDING' },
      { ...base, id: 's2', status: 'ACTIVE' },
    ]);
    expect(mixed).toMatchObject({ ok: true, value: { id: 's2' } });
  });
  it('answers 402 payment_required when billing suspended the subscription', () => {
    const unpaid = checkSubscription([
      { ...base, id: 's1', status: 'SUSPENDED', suspendedReason: 'payment_failed' },
    ]);
    expect(unpaid).toMatchObject({ ok: false, error: { code: 'payment_required' } });
    expect(problemStatus('payment_required')).toBe(402);
    const manual = checkSubscription([{ ...base, id: 's1', status: 'SUSPENDED', suspendedReason: 'manual' }]);
    expect(manual).toMatchObject({ ok: false, error: { code: 'subscription_inactive' } });
  });
});
