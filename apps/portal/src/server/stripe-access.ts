import { env } from '../env';

/**
 * How the portal reaches Stripe for a tenant: the key that decrypts stored credentials and, in tests,
 * the local Stripe fake's address. Read per call (not at import), so a test can point STRIPE_API_BASE
 * at its fake after start-up.
 */
export const stripeAccess = () => ({
  encryptionKey: env.PORTCULLIS_ENCRYPTION_KEY,
  ...(env.STRIPE_API_BASE ? { apiBase: env.STRIPE_API_BASE } : {}),
});
