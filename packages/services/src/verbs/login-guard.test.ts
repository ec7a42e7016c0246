import { describe, expect, it } from 'vitest';
import {
  accountLockRemainingMs,
  clientAddress,
  ipLockRemainingMs,
  LOGIN_LIMITS,
  throttledMessage,
} from './login-guard.ts';

const now = new Date('2026-03-01T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
/** `n` failures, the newest `latestAgoMs` ago, one second apart (newest first). */
const failures = (n: number, latestAgoMs = 0) =>
  Array.from({ length: n }, (_, i) => ago(latestAgoMs + i * 1000));

describe('accountLockRemainingMs', () => {
  it('lets 4 failures through and locks for 60 s after the 5th', () => {
    expect(accountLockRemainingMs([], now)).toBe(0);
    expect(accountLockRemainingMs(failures(4), now)).toBe(0);
    expect(accountLockRemainingMs(failures(5), now)).toBe(60_000);
    expect(accountLockRemainingMs(failures(5, 59_000), now)).toBe(1_000);
    expect(accountLockRemainingMs(failures(5, 60_000), now)).toBe(0);
  });

  it('doubles with each further failure, up to 15 minutes', () => {
    expect(accountLockRemainingMs(failures(6), now)).toBe(120_000);
    expect(accountLockRemainingMs(failures(7), now)).toBe(240_000);
    expect(accountLockRemainingMs(failures(8), now)).toBe(480_000);
    expect(accountLockRemainingMs(failures(9), now)).toBe(LOGIN_LIMITS.maxLockMs);
    expect(accountLockRemainingMs(failures(13), now)).toBe(LOGIN_LIMITS.maxLockMs);
  });
});

describe('ipLockRemainingMs', () => {
  it('locks after 20 failures within a minute, doubling with the hour’s volume', () => {
    expect(ipLockRemainingMs({ lastMinute: 19, lastHour: 19, latest: now }, now)).toBe(0);
    expect(ipLockRemainingMs({ lastMinute: 20, lastHour: 20, latest: now }, now)).toBe(60_000);
    expect(ipLockRemainingMs({ lastMinute: 20, lastHour: 40, latest: ago(10_000) }, now)).toBe(110_000);
    expect(ipLockRemainingMs({ lastMinute: 20, lastHour: 80, latest: now }, now)).toBe(480_000);
    expect(ipLockRemainingMs({ lastMinute: 25, lastHour: 500, latest: now }, now)).toBe(
      LOGIN_LIMITS.maxLockMs,
    );
    // many failures in the hour but a quiet last minute: not locked
    expect(ipLockRemainingMs({ lastMinute: 3, lastHour: 500, latest: now }, now)).toBe(0);
  });
});

describe('clientAddress', () => {
  it('is the socket peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientAddress('127.0.0.1', '203.0.113.9')).toBe('127.0.0.1');
    expect(clientAddress('::ffff:198.51.100.4', '203.0.113.9, 198.51.100.1', 0)).toBe('198.51.100.4');
    expect(clientAddress(undefined, '203.0.113.9')).toBe('unknown');
  });

  it('behind N trusted proxies, is the address the outermost one appended', () => {
    // client 203.0.113.9 → proxy 10.0.0.5 (appends the client) → portal, peer 10.0.0.5
    expect(clientAddress('10.0.0.5', '203.0.113.9', 1)).toBe('203.0.113.9');
    // a client-written entry sits left of what the proxy appended, and is not believed
    expect(clientAddress('10.0.0.5', '198.51.100.66, 203.0.113.9', 1)).toBe('203.0.113.9');
    // two proxies: the second appends the first
    expect(clientAddress('10.0.0.6', '198.51.100.66, 203.0.113.9, 10.0.0.5', 2)).toBe('203.0.113.9');
    // a chain shorter than the proxies (the request skipped them): its left-most entry
    expect(clientAddress('10.0.0.5', '', 3)).toBe('10.0.0.5');
  });

  it('normalises IPv4-mapped IPv6, brackets and ports; refuses garbage', () => {
    expect(clientAddress('::ffff:127.0.0.1', null)).toBe('127.0.0.1');
    expect(clientAddress('10.0.0.5', '[2001:DB8::1]:443', 1)).toBe('2001:db8::1');
    expect(clientAddress('10.0.0.5', '203.0.113.9:5555', 1)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.5', 'not-an-ip', 1)).toBe('unknown');
    expect(clientAddress(null, null)).toBe('unknown');
    expect(clientAddress('10.0.0.5', ' , ', 1)).toBe('10.0.0.5');
  });
});

it('throttledMessage names the wait in seconds', () => {
  expect(throttledMessage(42)).toBe('Too many sign-in attempts. Try again in 42 s.');
});
