import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, KEY_PREFIX, looksLikeApiKey } from './keys.ts';

describe('api keys', () => {
  it('generates a prefixed key whose hash, prefix and last 4 match it', () => {
    const key = generateApiKey();
    expect(key.plaintext).toMatch(/^pk_live_[0-9A-Za-z]{32}$/);
    expect(key.hash).toBe(hashApiKey(key.plaintext));
    expect(key.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(key.plaintext.startsWith(key.prefix)).toBe(true);
    expect(key.prefix).toHaveLength(KEY_PREFIX.length + 4);
    expect(key.plaintext.endsWith(key.last4)).toBe(true);
    expect(key.hash).not.toContain(key.plaintext.slice(KEY_PREFIX.length));
  });

  it('never repeats and uses the whole alphabet', () => {
    const keys = Array.from({ length: 2000 }, () => generateApiKey().plaintext);
    expect(new Set(keys).size).toBe(keys.length);
    const chars = new Set(keys.flatMap((k) => [...k.slice(KEY_PREFIX.length)]));
    expect(chars.size).toBe(62);
  });

  it('hashes with SHA-256 (known vector)', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('rejects strings that cannot be keys', () => {
    expect(looksLikeApiKey(generateApiKey().plaintext)).toBe(true);
    for (const bad of [
      '',
      'pk_live_',
      'pk_test_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      `pk_live_${'A'.repeat(31)}!`,
      `pk_live_${'A'.repeat(33)}`,
    ]) {
      expect(looksLikeApiKey(bad)).toBe(false);
    }
  });
});
