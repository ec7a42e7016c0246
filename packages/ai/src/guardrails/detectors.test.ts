import { describe, expect, it } from 'vitest';
import { compileDenyList, detectPii, ibanValid, luhnValid } from './detectors.ts';

const found = (text: string, kind: Parameters<typeof detectPii>[1][number]) =>
  [...detectPii(text, [kind])].map((span) => text.slice(span.start, span.end));

describe('PII detectors', () => {
  it('checks card numbers with Luhn', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(found('card 4111 1111 1111 1111 ok', 'card')).toEqual(['4111 1111 1111 1111']);
    expect(found('card 4111-1111-1111-1112 ok', 'card')).toEqual([]);
    expect(found('order 12345678901234567890123', 'card')).toEqual([]);
  });

  it('checks IBANs with mod-97', () => {
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('DE89370400440532013001')).toBe(false);
    expect(found('pay to DE89 3704 0044 0532 0130 00 today', 'iban')).toEqual([
      'DE89 3704 0044 0532 0130 00',
    ]);
    expect(found('pay to GB82WEST12345698765432.', 'iban')).toEqual(['GB82WEST12345698765432']);
    expect(found('pay to GB82WEST12345698765433', 'iban')).toEqual([]);
  });

  it('finds emails', () => {
    expect(found('write to jane.doe+x@example.co.uk, please', 'email')).toEqual(['jane.doe+x@example.co.uk']);
    expect(found('not an email: a@b', 'email')).toEqual([]);
  });

  it('finds phone numbers but not plain numbers or dates', () => {
    expect(found('call +14155552671 now', 'phone')).toEqual(['+14155552671']);
    expect(found('call +44 20 7946 0958 now', 'phone')).toEqual(['+44 20 7946 0958']);
    expect(found('call (415) 555-2671 now', 'phone')).toEqual(['(415) 555-2671']);
    expect(found('call 415-555-2671 now', 'phone')).toEqual(['415-555-2671']);
    expect(found('call 01 23 45 67 89 now', 'phone')).toEqual(['01 23 45 67 89']);
    expect(found('order 41555526710 shipped 2024-01-15, total 1234567', 'phone')).toEqual([]);
  });

  it('finds secrets and key shapes', () => {
    const text = [
      'sk-proj-abcdefghijklmnopqrstuvwxyz012345',
      'pk_live_abcdefghijklmnop',
      'AKIAIOSFODNN7EXAMPLE',
      `ghp_${'a'.repeat(36)}`,
      'xoxb-123456789012-abcdefghij',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----',
    ];
    const spans = found(text.join(' and '), 'secret');
    expect(spans).toEqual(text);
    expect(found('the word skills and task-based work', 'secret')).toEqual([]);
  });
});

describe('deny lists', () => {
  it('match case-insensitively on word boundaries', () => {
    const find = compileDenyList(['forbidden topic', 'acme', 'c++']);
    const text = 'ACME and Forbidden   Topic, acmeish, c++ and c+';
    expect([...find(text)].map((s) => text.slice(s.start, s.end))).toEqual([
      'ACME',
      'Forbidden   Topic',
      'c++',
    ]);
  });

  it('handles non-ASCII terms', () => {
    const find = compileDenyList(['привет']);
    expect([...find('Привет мир')]).toHaveLength(1);
    expect([...find('приветствую')]).toHaveLength(0);
  });
});
