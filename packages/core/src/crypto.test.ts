import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decryptSecret,
  EncryptionKeyError,
  encryptSecret,
  generateEncryptionKey,
  isEncryptedSecret,
  parseEncryptionKey,
  SecretDecryptionError,
} from './crypto.ts';

const raw = randomBytes(32);
const key = parseEncryptionKey(raw.toString('base64'));

describe('parseEncryptionKey', () => {
  it('reads 32 bytes written as base64, base64url (padded or not) or hex, upper or lower case', () => {
    for (const spelling of [
      raw.toString('base64'),
      raw.toString('base64url'),
      `${raw.toString('base64url')}=`,
      raw.toString('hex'),
      raw.toString('hex').toUpperCase(),
      `  ${raw.toString('hex')}\n`,
    ]) {
      expect(parseEncryptionKey(spelling).equals(raw)).toBe(true);
    }
  });

  it('refuses other lengths and alphabets with a message naming the variable, never the value', () => {
    const cases = [
      '',
      'short',
      randomBytes(16).toString('base64'),
      randomBytes(33).toString('base64'),
      randomBytes(31).toString('hex'),
      `${raw.toString('hex').slice(0, 63)}g`,
      'not base64 at all!!',
    ];
    for (const text of cases) {
      let error: unknown;
      try {
        parseEncryptionKey(text, 'MY_KEY');
      } catch (e) {
        error = e;
      }
      expect(error, text).toBeInstanceOf(EncryptionKeyError);
      expect((error as Error).message).toMatch(/^MY_KEY must be 32 random bytes/);
      if (text.length > 4) expect((error as Error).message).not.toContain(text);
    }
  });

  it('generates keys it can read back', () => {
    const generated = generateEncryptionKey();
    expect(parseEncryptionKey(generated)).toHaveLength(32);
    expect(generateEncryptionKey()).not.toBe(generated);
  });
});

describe('encryptSecret / decryptSecret', () => {
  it('round-trips, including empty and non-ASCII secrets', () => {
    for (const secret of ['sk_test_abc123', '', 'pässwörd 🔑', 'x'.repeat(5000)]) {
      const sealed = encryptSecret(secret, key);
      expect(decryptSecret(sealed, key)).toBe(secret);
    }
  });

  it('writes v1.<iv>.<tag>.<ciphertext> in base64url with a fresh 96-bit IV each time', () => {
    const a = encryptSecret('sk_live_same', key);
    const b = encryptSecret('sk_live_same', key);
    expect(a).not.toBe(b);
    const [version, iv, tag, body] = a.split('.');
    expect(version).toBe('v1');
    expect(Buffer.from(iv!, 'base64url')).toHaveLength(12);
    expect(Buffer.from(tag!, 'base64url')).toHaveLength(16);
    expect(Buffer.from(body!, 'base64url')).toHaveLength('sk_live_same'.length);
    expect(a).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(a).not.toContain('sk_live');
    expect(isEncryptedSecret(a)).toBe(true);
    expect(isEncryptedSecret('sk_live_same')).toBe(false);
  });

  it('refuses a wrong key, a wrong context and any altered part', () => {
    const sealed = encryptSecret('whsec_secret', key, 'stripe:org_1:webhook');
    expect(decryptSecret(sealed, key, 'stripe:org_1:webhook')).toBe('whsec_secret');
    const otherKey = parseEncryptionKey(randomBytes(32).toString('hex'));
    expect(() => decryptSecret(sealed, otherKey, 'stripe:org_1:webhook')).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(sealed, key, 'stripe:org_2:webhook')).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(sealed, key)).toThrow(SecretDecryptionError);

    const parts = sealed.split('.');
    for (const index of [1, 2, 3]) {
      const bytes = Buffer.from(parts[index]!, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      const altered = parts.map((part, i) => (i === index ? bytes.toString('base64url') : part)).join('.');
      expect(() => decryptSecret(altered, key, 'stripe:org_1:webhook'), `part ${index}`).toThrow(
        SecretDecryptionError,
      );
    }
  });

  it('refuses malformed values and unknown versions', () => {
    const sealed = encryptSecret('abc', key);
    for (const bad of ['', 'abc', sealed.replace(/^v1/, 'v2'), sealed.split('.').slice(0, 3).join('.')]) {
      expect(() => decryptSecret(bad, key), bad).toThrow(SecretDecryptionError);
    }
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => encryptSecret('abc', randomBytes(16))).toThrow(EncryptionKeyError);
    expect(() => decryptSecret(encryptSecret('abc', key), randomBytes(31))).toThrow(EncryptionKeyError);
  });
});
