import { badRequest, unavailable } from '@portcullis/core/errors';
import { createStripeClient } from '../stripe/client.ts';
import { asStripeError, isRetryableStripeError } from '../stripe/errors.ts';

export interface StripeKeyCheckOptions {
  /** Stripe's API origin; Stripe itself by default (tests: the local fake) */
  apiBase?: string;
  /** per attempt */
  timeoutMs?: number;
}

/** What a restricted key needs: everything the sync, the webhooks and the payment links call. */
const RESTRICTED_KEY_ADVICE =
  'give it write access to Products, Prices, Billing meters and meter events, Customers, Subscriptions, Checkout Sessions and the Customer portal';

/**
 * Asks Stripe whether it takes the key before anything is stored: it lists one billing meter, a read
 * the sync makes anyway, so a restricted key without it is caught too. Stripe's own messages are not
 * passed on: they quote part of the key.
 */
export async function checkStripeKey(secretKey: string, options: StripeKeyCheckOptions = {}): Promise<void> {
  const stripe = createStripeClient({
    secretKey,
    ...(options.apiBase ? { apiBase: options.apiBase } : {}),
    timeoutMs: options.timeoutMs ?? 10_000,
    maxNetworkRetries: 1,
  });
  try {
    await stripe.billing.meters.list({ limit: 1 });
  } catch (error) {
    throw keyCheckFailure(error);
  }
}

function keyCheckFailure(error: unknown): Error {
  const stripeError = asStripeError(error);
  if (!stripeError) return error instanceof Error ? error : new Error(String(error));
  if (stripeError.statusCode === 401) {
    return badRequest('Stripe does not accept this key', {
      secretKey:
        'Stripe does not accept this key: copy the whole secret key of your account (Developers → API keys), in the mode you want to bill in',
    });
  }
  if (stripeError.statusCode === 403) {
    const permission = /'(rak_[a-z_]+)'/.exec(stripeError.message)?.[1];
    return badRequest('This restricted key lacks permissions Portcullis needs', {
      secretKey: `This restricted key lacks permissions Portcullis needs${permission ? ` (Stripe asks for ${permission})` : ''}: ${RESTRICTED_KEY_ADVICE}`,
    });
  }
  if (isRetryableStripeError(error)) {
    return unavailable(
      'Stripe could not be reached to check the key, so nothing was saved: try again in a minute',
    );
  }
  return badRequest('Stripe refused to check this key', {
    secretKey: `Stripe refused to check this key (HTTP ${stripeError.statusCode ?? '?'}): check that it is a secret or restricted key of your account`,
  });
}
