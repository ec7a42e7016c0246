import type { GuardrailRule } from '@portcullis/core/ai-guardrails';
import { describe, expect, it } from 'vitest';
import type { ToolCallDelta } from '../types.ts';
import { checkCompletion, checkMessages } from './messages.ts';
import { StreamToolCallGuard } from './stream-tool-guard.ts';
import { textRulesFor } from './text-rules.ts';
import { applyRulesToArguments } from './tool-arguments.ts';

const rules = (list: GuardrailRule[]) => textRulesFor(list, 'output');
const pii: GuardrailRule = {
  type: 'pii',
  name: 'pii',
  stage: 'both',
  action: 'redact',
  detect: ['email', 'card'],
};
const noDelete: GuardrailRule = {
  type: 'deny',
  name: 'no-drop',
  stage: 'both',
  action: 'block',
  terms: ['drop table'],
};

describe('tool-call arguments', () => {
  it('redacts string values and keeps the arguments valid JSON', () => {
    const args = JSON.stringify({ to: 'jane@example.com', note: 'say "hi" to bob@example.org\\now' });
    const verdict = applyRulesToArguments(args, rules([pii]));
    expect(JSON.parse(verdict.text)).toEqual({ to: '[EMAIL]', note: 'say "hi" to [EMAIL]\\now' });
    expect([...verdict.redacted.values()]).toEqual([2]);
  });

  it('finds what escapes spell and never cuts through one', () => {
    const escaped = '{"to":"jane\\u0040example.com","n":"\\"x@example.com\\""}';
    const verdict = applyRulesToArguments(escaped, rules([pii]));
    expect(JSON.parse(verdict.text)).toEqual({ to: '[EMAIL]', n: '"[EMAIL]"' });
  });

  it('turns a redacted number into a string, so the JSON stays valid', () => {
    const verdict = applyRulesToArguments('{"card":4111111111111111,"qty":2}', rules([pii]));
    expect(verdict.text).toBe('{"card":"[CARD]","qty":2}');
  });

  it('checks a number written with an exponent as the digits it expands to', () => {
    const redact = (args: string) => applyRulesToArguments(args, rules([pii])).text;
    expect(redact('{"card":4.111111111111111e15,"qty":2}')).toBe('{"card":"[CARD]","qty":2}');
    expect(redact('[41111111111111.11E+2, -4111111111.111111e+6]')).toBe('["[CARD]", "-[CARD]"]');
    expect(redact('{"n":0.00004111111111111111e20}')).toBe('{"n":"[CARD]"}');
    // not a card: Luhn fails, or the expansion has more digits than a card number
    expect(redact('{"n":4.111111111111112e15}')).toBe('{"n":4.111111111111112e15}');
    expect(redact('{"n":4.111111111111111e20}')).toBe('{"n":4.111111111111111e20}');
    expect(redact('{"n":1.5e-3,"big":1e999999999,"small":4.1e-999999999}')).toBe(
      '{"n":1.5e-3,"big":1e999999999,"small":4.1e-999999999}',
    );
    const blockCards: GuardrailRule = { ...pii, name: 'no-cards', action: 'block', detect: ['card'] };
    expect(applyRulesToArguments('{"card":4.111111111111111e15}', rules([blockCards])).blocked?.name).toBe(
      'no-cards',
    );
  });

  it('blocks on the decoded text and on the raw text', () => {
    expect(applyRulesToArguments('{"sql":"DROP\\u0020TABLE users"}', rules([noDelete])).blocked?.name).toBe(
      'no-drop',
    );
    const pattern: GuardrailRule = {
      type: 'pattern',
      name: 'no-admin',
      stage: 'both',
      action: 'block',
      patterns: ['"role":\\s*"admin"'],
    };
    expect(applyRulesToArguments('{"role": "admin"}', rules([pattern])).blocked?.name).toBe('no-admin');
  });

  it('checks arguments that are not JSON as plain text', () => {
    expect(applyRulesToArguments('mail jane@example.com', rules([pii])).text).toBe('mail [EMAIL]');
  });

  it('applies to the tool calls of request messages and of completions', () => {
    const call = {
      id: 'c1',
      type: 'function' as const,
      function: { name: 'send', arguments: '{"to":"a@example.com"}' },
    };
    const messages = checkMessages([{ role: 'assistant', content: null, tool_calls: [call] }], rules([pii]));
    expect(messages.value[0]).toMatchObject({
      tool_calls: [{ function: { arguments: '{"to":"[EMAIL]"}' } }],
    });
    const completion = checkCompletion(
      {
        id: 'x',
        object: 'chat.completion',
        created: 0,
        model: 'm',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: null, tool_calls: [call] },
            finish_reason: 'tool_calls',
            logprobs: null,
          },
        ],
      },
      rules([noDelete, pii]),
    );
    expect(completion.value.choices[0]?.message.tool_calls?.[0]?.function.arguments).toBe('{"to":"[EMAIL]"}');
  });
});

describe('streamed tool-call arguments', () => {
  const stream = (guard: StreamToolCallGuard, pieces: string[]) => {
    const sent: ToolCallDelta[] = [];
    for (const [i, piece] of pieces.entries()) {
      const first =
        i === 0
          ? { id: 'c1', type: 'function' as const, function: { name: 'send', arguments: piece } }
          : null;
      const out = guard.push(
        [first ?? { index: 0, function: { arguments: piece } }].map((d) => ({ index: 0, ...d })),
      );
      if (out === null) return { sent, blocked: i };
      sent.push(...out);
    }
    const held = guard.finish();
    if (held === null) return { sent, blocked: pieces.length };
    return { sent: [...sent, ...held], blocked: null };
  };
  const argsOf = (deltas: ToolCallDelta[]) => deltas.map((d) => d.function?.arguments ?? '').join('');

  it('cuts at the delta that completes a blocked phrase, having sent none of the arguments', () => {
    const result = stream(new StreamToolCallGuard(rules([noDelete])), ['{"sql":"DR', 'OP TA', 'BLE users"}']);
    expect(result.blocked).toBe(2);
    expect(result.sent[0]).toMatchObject({ id: 'c1', function: { name: 'send', arguments: '' } });
    expect(argsOf(result.sent)).toBe('');
  });

  it('holds the arguments under blocking rules and sends them whole with the finish', () => {
    const result = stream(new StreamToolCallGuard(rules([noDelete])), ['{"sql":"SEL', 'ECT 1"}']);
    expect(result.blocked).toBeNull();
    expect(result.sent[0]).toMatchObject({ id: 'c1', function: { name: 'send', arguments: '' } });
    expect(result.sent).toHaveLength(2);
    expect(argsOf(result.sent)).toBe('{"sql":"SELECT 1"}');
  });

  it('blocks at the finish what only the decoded arguments show', () => {
    const result = stream(new StreamToolCallGuard(rules([noDelete])), ['{"sql":"DROP', '\\u0020TABLE"}']);
    expect(result.blocked).toBe(2);
  });

  it('holds the arguments while redacting and sends them whole, redacted, with the finish', () => {
    const guard = new StreamToolCallGuard(rules([pii]));
    const result = stream(guard, ['{"to":"jane.d', 'oe@exam', 'ple.com"}']);
    expect(result.blocked).toBeNull();
    expect(result.sent[0]).toMatchObject({ id: 'c1', function: { name: 'send', arguments: '' } });
    expect(result.sent).toHaveLength(2);
    expect(argsOf(result.sent)).toBe('{"to":"[EMAIL]"}');
    expect([...guard.redacted.values()]).toEqual([1]);
  });
});
