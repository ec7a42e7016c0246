import { decryptSecret, encryptSecret } from '@portcullis/core/crypto';
import type Stripe from 'stripe';
import { createStripeClient } from '../stripe/client.ts';

/** Where a tenant pastes its webhook endpoint in Stripe (relative to the portal's public URL). */
export function stripeWebhookPath(orgId: string): string {
  return `/api/stripe/webhook/${encodeURIComponent(orgId)}`;
}

type SecretField = 'secretKey' | 'webhookSecret';

/** Bound into the ciphertext: a value copied to another org's row or field does not decrypt there. */
const secretContext = (orgId: string, field: SecretField) => `stripe-account:${orgId}:${field}`;

export function sealStripeSecret(orgId: string, field: SecretField, plaintext: string, key: Buffer): string {
  return encryptSecret(plaintext, key, secretContext(orgId, field));
}

export function openStripeSecret(orgId: string, field: SecretField, sealed: string, key: Buffer): string {
  return decryptSecret(sealed, key, secretContext(orgId, field));
}

export interface StripeAccess {
  /** the encryption key for tenants' secrets (PORTCULLIS_ENCRYPTION_KEY) */
  encryptionKey: Buffer;
  /** Stripe's API origin; a local fake in tests */
  apiBase?: string;
}

/** A client for the tenant's own Stripe account, from its stored (encrypted) secret key. */
export function tenantStripeClient(
  account: { orgId: string; secretKeyEnc: string },
  access: StripeAccess,
): Stripe {
  const secretKey = openStripeSecret(account.orgId, 'secretKey', account.secretKeyEnc, access.encryptionKey);
  return createStripeClient({ secretKey, ...(access.apiBase ? { apiBase: access.apiBase } : {}) });
}
