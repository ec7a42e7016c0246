import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (tenants' Stripe keys, AI provider credentials): AES-256-GCM under the operator's
 * PORTCULLIS_ENCRYPTION_KEY, one random 96-bit IV per encryption (never reused with one key, which GCM
 * requires), stored as `v1.<iv>.<tag>.<ciphertext>` in base64url. The version prefix lets a later
 * format (or a key id for rotation) be read next to this one.
 *
 * `context` is bound as GCM additional data: a ciphertext copied into another row (another tenant, another
 * field) fails to decrypt there instead of handing that row someone else's secret.
 */
const ENCRYPTION_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

/** A parsed 32-byte key; only parseEncryptionKey/generateEncryptionKey make one. */
export type EncryptionKey = Buffer & { readonly __encryptionKey: unique symbol };

export class EncryptionKeyError extends Error {
  override readonly name = 'EncryptionKeyError';
}

export class SecretDecryptionError extends Error {
  override readonly name = 'SecretDecryptionError';
}

const HEX = /^[0-9a-fA-F]{64}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Reads a key written as 64 hex digits or as base64/base64url of 32 bytes (`openssl rand -base64 32`).
 * The message names `variable` and never repeats the value.
 */
export function parseEncryptionKey(text: string, variable = 'PORTCULLIS_ENCRYPTION_KEY'): EncryptionKey {
  const trimmed = text.trim();
  const advice = `${variable} must be 32 random bytes as base64 (44 characters) or hex (64 characters); generate one with: openssl rand -base64 32`;
  if (HEX.test(trimmed)) return Buffer.from(trimmed, 'hex') as EncryptionKey;
  if (!BASE64.test(trimmed)) throw new EncryptionKeyError(advice);
  const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length !== ENCRYPTION_KEY_BYTES) {
    throw new EncryptionKeyError(`${advice} (this one decodes to ${bytes.length} bytes)`);
  }
  return bytes as EncryptionKey;
}

/** A fresh random key in the base64 spelling parseEncryptionKey reads. */
export function generateEncryptionKey(): string {
  return randomBytes(ENCRYPTION_KEY_BYTES).toString('base64');
}

function checkKey(key: Buffer): void {
  if (key.length !== ENCRYPTION_KEY_BYTES) {
    throw new EncryptionKeyError(`encryption key must be ${ENCRYPTION_KEY_BYTES} bytes, got ${key.length}`);
  }
}

export function encryptSecret(plaintext: string, key: EncryptionKey | Buffer, context = ''): string {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv, tag, ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** Throws SecretDecryptionError for a wrong key, a wrong context, a tampered or malformed value. */
export function decryptSecret(ciphertext: string, key: EncryptionKey | Buffer, context = ''): string {
  checkKey(key);
  const parts = ciphertext.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) {
    throw new SecretDecryptionError(`not a ${VERSION} encrypted secret`);
  }
  const [iv, tag, body] = parts.slice(1).map((part) => Buffer.from(part, 'base64url'));
  if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || !body) {
    throw new SecretDecryptionError('malformed encrypted secret');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretDecryptionError(
      'encrypted secret cannot be decrypted: wrong PORTCULLIS_ENCRYPTION_KEY, or the value was altered',
    );
  }
}

/** True when the text has the shape encryptSecret produces (a stored value, not a plaintext secret). */
export function isEncryptedSecret(text: string): boolean {
  return /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]*$/.test(text);
}
