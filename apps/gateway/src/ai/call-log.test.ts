import { describe, expect, it } from 'vitest';
import { loggedBodies, redactBody } from './call-log.ts';

describe('redactBody', () => {
  it('redacts like a global String.replace for ordinary patterns', () => {
    const body = JSON.stringify({ card: '1234-5678-9012-3456', key: 'sk-abcDEF123', note: 'call 555-1234' });
    const patterns = ['\\b\\d{4}-\\d{4}-\\d{4}-\\d{4}\\b', 'sk-[A-Za-z0-9]+', '\\"note\\":\\s*\\"[^\\"]*\\"'];
    const expected = patterns.reduce((text, p) => text.replace(new RegExp(p, 'g'), '[REDACTED]'), body);
    expect(redactBody(body, patterns)).toBe(expected);
    expect(expected).not.toContain('1234-5678');
  });

  it('withholds the body when a stored pattern cannot run on RE2', () => {
    const body = '{"password":"hunter2"}';
    expect(redactBody(body, ['sk-\\w+', '(?<="password":")[^"]+'])).toBe(
      `[body not logged: redaction pattern 2 uses lookaround ((?=…), (?!…), (?<=…) or (?<!…)), which the gateway's linear-time regular expression engine (RE2 syntax) does not support]`,
    );
  });

  it('logs a shorter body when its patterns would need more work than the budget', () => {
    const body = 'x'.repeat(64 * 1024);
    // ~1,000 RE2 instructions: the budget covers ~8,000 characters for it
    const out = redactBody(body, ['[a-w]{1000}']);
    expect(out.length).toBeGreaterThan(4_000);
    expect(out.length).toBeLessThan(10_000);
    expect(body.startsWith(out)).toBe(true);
    // small patterns keep the whole 64 KiB
    expect(redactBody(body, ['sk-\\w+', '\\d{16}'])).toBe(body);
  });

  it('redacts the rest of a body with more matches than the limit', () => {
    const body = Array.from({ length: 1_500 }, (_, i) => `${i}`).join(' ');
    const out = redactBody(body, ['\\d+']);
    expect(out).not.toMatch(/\d/);
    expect(out.split('[REDACTED]').length - 1).toBe(1_001);
  });

  it('leaves bodies out unless the tenant opted in', () => {
    expect(loggedBodies({ logBodies: false, redact: [] }, 'a', 'b')).toEqual({
      requestBody: null,
      responseBody: null,
    });
    expect(loggedBodies({ logBodies: true, redact: ['a'] }, 'abc', undefined)).toEqual({
      requestBody: '[REDACTED]bc',
      responseBody: null,
    });
  });
});
