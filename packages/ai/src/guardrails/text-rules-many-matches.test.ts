import type { GuardrailRule } from '@portcullis/core/ai-guardrails';
import { describe, expect, it } from 'vitest';
import { checkCompletion, checkMessages } from './messages.ts';
import { StreamTextGuard } from './stream-guard.ts';
import { applyTextRules, textRulesFor } from './text-rules.ts';

/*
 * Texts holding more matches than any list of them should be allowed to grow to: a pasted contact
 * export, a log with a token on every line. A redacting rule redacts every one of them, whatever their
 * number, in a whole text, in messages and answers, and streamed; the decisions count every one.
 */

const rules = (list: GuardrailRule[]) => textRulesFor(list, 'output');
const redactEmail: GuardrailRule = {
  type: 'pii',
  name: 'pii',
  stage: 'both',
  action: 'redact',
  detect: ['email', 'card'],
};
const redactTerm: GuardrailRule = {
  type: 'deny',
  name: 'codename',
  stage: 'both',
  action: 'redact',
  terms: ['bluebird'],
};
const redactTicket: GuardrailRule = {
  type: 'pattern',
  name: 'ticket',
  stage: 'both',
  action: 'redact',
  patterns: ['TICKET-[0-9]+'],
};

const COUNT = 2_500;
const many = (make: (i: number) => string) => Array.from({ length: COUNT }, (_, i) => make(i)).join(', ');
const emails = many((i) => `person${i}@example.com`);
const EMAIL = /[a-z0-9]+@example\.com/;

describe('text rules on texts holding many matches', () => {
  it('redacts every email of a text and counts every one', () => {
    const verdict = applyTextRules(emails, rules([redactEmail]));
    expect(verdict.text).not.toMatch(EMAIL);
    expect(verdict.text).toBe(many(() => '[EMAIL]'));
    expect([...verdict.redacted.values()]).toEqual([COUNT]);
  });

  it('redacts every deny-listed term and every custom pattern match', () => {
    const text = many((i) => `bluebird TICKET-${i}`);
    const verdict = applyTextRules(text, rules([redactTerm, redactTicket]));
    expect(verdict.text).toBe(many(() => '[REDACTED] [REDACTED]'));
    expect([...verdict.redacted.values()]).toEqual([COUNT, COUNT]);
  });

  it('redacts every match of a message and of an answer', () => {
    const messages = checkMessages(
      [
        { role: 'user', content: emails },
        { role: 'user', content: [{ type: 'text', text: emails }] },
      ],
      rules([redactEmail]),
    );
    expect(JSON.stringify(messages.value)).not.toMatch(EMAIL);
    expect([...messages.redacted.values()]).toEqual([2 * COUNT]);

    const answer = checkCompletion(
      {
        id: 'c',
        object: 'chat.completion',
        created: 0,
        model: 'm',
        choices: [
          {
            index: 0,
            finish_reason: 'stop',
            logprobs: null,
            message: { role: 'assistant', content: emails },
          },
        ],
      },
      rules([redactEmail]),
    );
    expect(answer.value.choices[0]?.message.content).not.toMatch(EMAIL);
    expect([...answer.redacted.values()]).toEqual([COUNT]);
  });

  it('redacts every match of a streamed text, in one delta or many', () => {
    for (const size of [emails.length, 4_096, 37]) {
      const guard = new StreamTextGuard(rules([redactEmail]));
      let sent = '';
      for (let at = 0; at < emails.length; at += size) sent += guard.push(emails.slice(at, at + size)) ?? '';
      sent += guard.flush();
      expect(sent).toBe(many(() => '[EMAIL]'));
      expect([...guard.redacted.values()]).toEqual([COUNT]);
    }
  });
});
