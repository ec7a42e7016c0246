import { describe, expect, it } from 'vitest';
import { createStripeClient, parseStripeApiBase, STRIPE_API_VERSION, StripeConfigError } from './client.ts';
import { canonicalJson, stripeIdempotencyKey } from './idempotency.ts';

const KEY = 'sk_test_unitkey0000000000';

/** stripe-node's configuration getters exist at runtime but are not part of its public types. */
interface StripeInternals {
  getApiField(key: string): unknown;
  getMaxNetworkRetries(): number;
  getTelemetryEnabled(): boolean;
}
const internals = (stripe: unknown) => stripe as StripeInternals;

describe('parseStripeApiBase', () => {
  it('maps a local http origin to host, port and protocol', () => {
    expect(parseStripeApiBase('http://127.0.0.1:12111')).toEqual({
      host: '127.0.0.1',
      port: 12111,
      protocol: 'http',
    });
  });

  it('defaults the port from the scheme and strips IPv6 brackets', () => {
    expect(parseStripeApiBase('https://api.stripe.com')).toEqual({
      host: 'api.stripe.com',
      port: 443,
      protocol: 'https',
    });
    expect(parseStripeApiBase('http://[::1]')).toEqual({ host: '::1', port: 80, protocol: 'http' });
  });

  it('refuses bases stripe-node would silently misuse', () => {
    expect(() => parseStripeApiBase('api.stripe.com')).toThrow(StripeConfigError);
    expect(() => parseStripeApiBase('ftp://host')).toThrow(/http or https/);
    expect(() => parseStripeApiBase('http://host/stripe')).toThrow(/without path/);
    expect(() => parseStripeApiBase('http://user:pw@host')).toThrow(/credentials/);
  });
});

describe('createStripeClient', () => {
  it('configures the endpoint, pinned version, short timeout, two retries and no telemetry', () => {
    const stripe = internals(createStripeClient({ secretKey: KEY, apiBase: 'http://127.0.0.1:12111' }));
    expect(stripe.getApiField('host')).toBe('127.0.0.1');
    expect(stripe.getApiField('port')).toBe(12111);
    expect(stripe.getApiField('protocol')).toBe('http');
    expect(stripe.getApiField('version')).toBe(STRIPE_API_VERSION);
    expect(stripe.getApiField('timeout')).toBe(10_000);
    expect(stripe.getMaxNetworkRetries()).toBe(2);
    expect(stripe.getTelemetryEnabled()).toBe(false);
  });

  it('talks to api.stripe.com over https by default', () => {
    const stripe = internals(createStripeClient({ secretKey: KEY }));
    expect(stripe.getApiField('host')).toBe('api.stripe.com');
    expect(stripe.getApiField('port')).toBe(443);
    expect(stripe.getApiField('protocol')).toBe('https');
  });

  it('refuses publishable and malformed keys', () => {
    expect(() => createStripeClient({ secretKey: 'pk_test_abc' })).toThrow(/publishable/);
    expect(() => createStripeClient({ secretKey: 'sk_test_' })).toThrow(StripeConfigError);
    expect(() => createStripeClient({ secretKey: 'rk_live_abc123' })).not.toThrow();
  });
});

describe('stripeIdempotencyKey', () => {
  it('depends on content, not on key order, and stays within 255 characters', () => {
    const a = stripeIdempotencyKey(['plan', 't1', 'p1'], { name: 'Gold', metadata: { a: '1', b: '2' } });
    const b = stripeIdempotencyKey(['plan', 't1', 'p1'], { metadata: { b: '2', a: '1' }, name: 'Gold' });
    const c = stripeIdempotencyKey(['plan', 't1', 'p1'], { name: 'Silver', metadata: { a: '1', b: '2' } });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a.startsWith('portcullis:plan:t1:p1:')).toBe(true);
    expect(stripeIdempotencyKey(['x'.repeat(400)], {}).length).toBeLessThanOrEqual(255);
  });

  it('spells bigints exactly', () => {
    expect(canonicalJson({ fee: 12345678901234567890n })).toBe('{"fee":"12345678901234567890n"}');
  });
});
