import { hash, randomBytes } from 'node:crypto';

/** Keys look like `pk_live_<32 base62 chars>`: ~190 bits of entropy, shown once, stored only as a hash. */
export const KEY_PREFIX = 'pk_live_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LENGTH = 32;
const KEY_PATTERN = /^pk_live_[0-9A-Za-z]{32}$/;

export interface GeneratedKey {
  /** The full key: give it to the user once, never store it. */
  plaintext: string;
  hash: string;
  /** What the UI shows to recognise the key: `pk_live_Ab12`. */
  prefix: string;
  last4: string;
}

export function generateApiKey(): GeneratedKey {
  return generatePrefixedSecret(KEY_PREFIX);
}

/** A `<prefix><32 base62 chars>` secret with its hash and the parts the UI shows (app keys, management tokens). */
export function generatePrefixedSecret(prefix: string): GeneratedKey {
  // Rejection sampling keeps every character uniformly likely (256 is not a multiple of 62).
  let body = '';
  while (body.length < RANDOM_LENGTH) {
    for (const byte of randomBytes(RANDOM_LENGTH)) {
      if (byte < 248 && body.length < RANDOM_LENGTH) body += ALPHABET[byte % 62];
    }
  }
  const plaintext = `${prefix}${body}`;
  return {
    plaintext,
    hash: hashApiKey(plaintext),
    prefix: plaintext.slice(0, prefix.length + 4),
    last4: body.slice(-4),
  };
}

/** SHA-256, hex. The one-shot `crypto.hash` (Node ≥ 20.12) is ~3× cheaper than createHash on the hot path. */
export function hashApiKey(plaintext: string): string {
  return hash('sha256', plaintext, 'hex');
}

/** Cheap shape check before any lookup, so garbage never reaches a cache or a database. */
export function looksLikeApiKey(candidate: string): boolean {
  return KEY_PATTERN.test(candidate);
}
