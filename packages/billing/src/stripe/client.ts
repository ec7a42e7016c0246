import Stripe from 'stripe';

/**
 * The API version every request is sent with. Pinned explicitly (it equals the one stripe-node 19.3 was
 * generated for) so upgrading the library can never change the wire format silently: the types would
 * stop compiling first. Webhook payloads follow the version of the tenant's webhook endpoint instead,
 * which is why webhooks.ts reads event objects defensively.
 */
export const STRIPE_API_VERSION = '2025-10-29.clover' satisfies Stripe.LatestApiVersion;

const STRIPE_PRODUCTION_API_BASE = 'https://api.stripe.com';

export interface StripeClientOptions {
  /** the tenant's secret (sk_…) or restricted (rk_…) key */
  secretKey: string;
  /** where the API lives, e.g. "http://127.0.0.1:12111" for a local fake; Stripe itself by default */
  apiBase?: string;
  /** per attempt; stripe-node's own default is 80 s, far too long to hold a worker */
  timeoutMs?: number;
  maxNetworkRetries?: number;
}

export interface StripeEndpoint {
  host: string;
  port: number;
  protocol: 'http' | 'https';
}

export class StripeConfigError extends Error {
  override readonly name = 'StripeConfigError';
}

const SECRET_KEY = /^(sk|rk)_(test|live)_[A-Za-z0-9]+$/;

/** Maps "https://host[:port]" to the host/port/protocol options stripe-node takes. */
export function parseStripeApiBase(apiBase: string): StripeEndpoint {
  let url: URL;
  try {
    url = new URL(apiBase);
  } catch {
    throw new StripeConfigError(`Stripe API base is not a URL: ${apiBase}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new StripeConfigError(`Stripe API base must be http or https: ${apiBase}`);
  }
  // stripe-node always requests /v1/… from the root, so a base path would be silently dropped.
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
    throw new StripeConfigError(`Stripe API base must be an origin without path or credentials: ${apiBase}`);
  }
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port ? Number(url.port) : protocol === 'https' ? 443 : 80;
  return { host, port, protocol };
}

/** One client per tenant Stripe account. */
export function createStripeClient(options: StripeClientOptions): Stripe {
  if (!SECRET_KEY.test(options.secretKey)) {
    throw new StripeConfigError(
      'Stripe key must be a secret (sk_test_/sk_live_) or restricted (rk_…) key; publishable keys cannot call the API',
    );
  }
  const endpoint = parseStripeApiBase(options.apiBase ?? STRIPE_PRODUCTION_API_BASE);
  return new Stripe(options.secretKey, {
    apiVersion: STRIPE_API_VERSION,
    host: endpoint.host,
    port: endpoint.port,
    protocol: endpoint.protocol,
    timeout: options.timeoutMs ?? 10_000,
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    telemetry: false,
    appInfo: { name: 'Portcullis' },
  });
}

/** Test-mode and live-mode keys belong to separate data sets within one Stripe account. */
export function isLiveModeKey(secretKey: string): boolean {
  return /^(sk|rk)_live_/.test(secretKey);
}
