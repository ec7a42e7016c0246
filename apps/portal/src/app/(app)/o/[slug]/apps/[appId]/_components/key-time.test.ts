import { describe, expect, it } from 'vitest';
import { keyState, relativeTime } from './key-time';

const now = Date.UTC(2026, 2, 10, 12, 0, 0);
const at = (offsetMs: number) => new Date(now + offsetMs);

describe('keyState', () => {
  it('tells revoked, expired, expiring (within a week) and active keys apart', () => {
    expect(keyState({ revokedAt: at(-1), expiresAt: null }, now)).toBe('revoked');
    expect(keyState({ revokedAt: null, expiresAt: at(-1) }, now)).toBe('expired');
    expect(keyState({ revokedAt: null, expiresAt: at(3_600_000) }, now)).toBe('expiring');
    expect(keyState({ revokedAt: null, expiresAt: at(8 * 86_400_000) }, now)).toBe('active');
    expect(keyState({ revokedAt: null, expiresAt: null }, now)).toBe('active');
    // A revocation scheduled in the future does not count yet.
    expect(keyState({ revokedAt: at(60_000), expiresAt: null }, now)).toBe('active');
  });
});

describe('relativeTime', () => {
  it('says how long ago or how far ahead, in the largest whole unit', () => {
    expect(relativeTime(at(-3 * 3_600_000 - 5), now)).toBe('3 hours ago');
    expect(relativeTime(at(2 * 86_400_000 + 10), now)).toBe('in 2 days');
    expect(relativeTime(at(-86_400_000), now)).toBe('yesterday');
    expect(relativeTime(at(-10_000), now)).toBe('just now');
    expect(relativeTime(at(10_000), now)).toBe('in less than a minute');
  });
});
