import { hash, randomBytes } from 'node:crypto';

/**
 * Secrets that go into links (invitations, password resets, address confirmation): 32 random bytes,
 * base64url (43 characters). Only their SHA-256 is stored, so the database never holds a usable link.
 */
export function generateSecretToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSecretToken(token: string): string {
  return hash('sha256', token, 'hex');
}
