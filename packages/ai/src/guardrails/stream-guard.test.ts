import type { GuardrailRule } from '@portcullis/core/ai-guardrails';
import { describe, expect, it } from 'vitest';
import { StreamTextGuard } from './stream-guard.ts';
import { applyTextRules, textRulesFor } from './text-rules.ts';

const rules = (list: GuardrailRule[]) => textRulesFor(list, 'output');

const redactPii: GuardrailRule = {
  type: 'pii',
  name: 'pii',
  stage: 'both',
  action: 'redact',
  detect: ['email', 'card'],
};
const blockDeny: GuardrailRule = {
  type: 'deny',
  name: 'no-acme',
  stage: 'output',
  action: 'block',
  terms: ['acme corp'],
};

describe('text rules', () => {
  it('redacts with labels and reports counts', () => {
    const verdict = applyTextRules(
      'mail a@example.com and b@example.org, card 4111111111111111',
      rules([redactPii]),
    );
    expect(verdict.text).toBe('mail [EMAIL] and [EMAIL], card [CARD]');
    expect([...verdict.redacted.values()]).toEqual([3]);
  });

  it('blocks on the first blocking rule', () => {
    const verdict = applyTextRules('we love ACME Corp', rules([redactPii, blockDeny]));
    expect(verdict.blocked?.name).toBe('no-acme');
  });

  it('custom patterns run on the linear-time engine and a broken one is reported, not run', () => {
    const custom = rules([
      { type: 'pattern', name: 'ticket', stage: 'both', action: 'redact', patterns: ['TICKET-[0-9]+'] },
      { type: 'pattern', name: 'legacy', stage: 'both', action: 'block', patterns: ['(a)\\1'] },
    ]);
    expect(custom[1]?.broken).toMatch(/backreference/);
    expect(applyTextRules('see TICKET-42 aa', custom).text).toBe('see [REDACTED] aa');
  });
});

function streamThrough(guard: StreamTextGuard, deltas: string[]): { sent: string; blockedAt: number | null } {
  let sent = '';
  for (const [i, delta] of deltas.entries()) {
    const out = guard.push(delta);
    if (out === null) return { sent, blockedAt: i };
    sent += out;
  }
  return { sent: sent + guard.flush(), blockedAt: null };
}

describe('streaming scanner', () => {
  it('finds a blocked phrase split across chunks and stops at that chunk', () => {
    const guard = new StreamTextGuard(rules([blockDeny]));
    const result = streamThrough(guard, ['Hello ', 'from AC', 'ME co', 'rp today']);
    // the phrase is complete only with the last chunk: that chunk is not sent, the earlier ones were
    expect(result).toEqual({ sent: 'Hello from ACME co', blockedAt: 3 });
    expect(guard.blocked?.name).toBe('no-acme');
  });

  it('sends everything at once without redacting rules', () => {
    const guard = new StreamTextGuard(rules([blockDeny]));
    expect(guard.push('first')).toBe('first');
  });

  it('redacts an email split across many chunks, holding back a bounded tail', () => {
    const text = `Reach me at jane.doe@example.com or 4111 1111 1111 1111. ${'filler '.repeat(80)}end`;
    for (const size of [1, 3, 7, 50]) {
      const deltas: string[] = [];
      for (let i = 0; i < text.length; i += size) deltas.push(text.slice(i, i + size));
      const guard = new StreamTextGuard(rules([redactPii]), 64);
      const result = streamThrough(guard, deltas);
      expect(result.sent).toBe(
        text.replace('jane.doe@example.com', '[EMAIL]').replace('4111 1111 1111 1111', '[CARD]'),
      );
      expect(guard.redacted.size).toBe(1);
    }
  });

  it('holds back matches of different rules that overlap across the cut, whole', () => {
    const overlapping = rules([
      { type: 'pattern', name: 'a', stage: 'both', action: 'redact', patterns: ['A+B'] },
      { type: 'pattern', name: 'b', stage: 'both', action: 'redact', patterns: ['BC+'] },
    ]);
    // "AAAB" and "BCCCC" overlap on the B; the window's cut falls inside the second one only
    const guard = new StreamTextGuard(overlapping, 4);
    expect(guard.push('xxAAABCCCCxx')).toBe('xx');
    expect(guard.flush()).toBe('[REDACTED]xx');
    expect([...guard.redacted.values()]).toEqual([1, 1]);
  });

  it('holds back at most the window', () => {
    const guard = new StreamTextGuard(rules([redactPii]), 16);
    expect(guard.push('x'.repeat(100))).toBe('x'.repeat(84));
  });
});
