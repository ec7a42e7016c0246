import type { GuardrailRule } from '@portcullis/core/ai-guardrails';
import { describe, expect, it } from 'vitest';
import type { ToolCallDelta } from '../types.ts';
import { checkCompletion } from './messages.ts';
import { StreamToolCallGuard } from './stream-tool-guard.ts';
import { textRulesFor } from './text-rules.ts';
import { applyRulesToArguments } from './tool-arguments.ts';

/*
 * Tool-call arguments far larger than a chat answer's text: a model asked to export a contact list
 * writes one argument with thousands of addresses. Every address must come out redacted, however many
 * there are, streamed or not, JSON or not.
 */

const rules = (list: GuardrailRule[]) => textRulesFor(list, 'output');
const pii: GuardrailRule = {
  type: 'pii',
  name: 'pii',
  stage: 'both',
  action: 'redact',
  detect: ['email'],
};

const ADDRESSES = 1_500;
const addresses = Array.from({ length: ADDRESSES }, (_, i) => `person${i}@example.com`);
const EMAIL = /[a-z0-9]+@example\.com/;

describe('tool-call arguments holding many matches', () => {
  it('redacts every address of one long JSON string', () => {
    const args = JSON.stringify({ recipients: addresses.join(', ') });
    const verdict = applyRulesToArguments(args, rules([pii]));
    expect(JSON.parse(verdict.text).recipients).not.toMatch(EMAIL);
    expect([...verdict.redacted.values()]).toEqual([ADDRESSES]);
  });

  it('redacts every address of arguments that are not JSON', () => {
    const verdict = applyRulesToArguments(`send to ${addresses.join(' ')}`, rules([pii]));
    expect(verdict.text).not.toMatch(EMAIL);
  });

  it('redacts every address of streamed arguments released with the finish', () => {
    const guard = new StreamToolCallGuard(rules([pii]));
    const args = JSON.stringify({ recipients: addresses.join(', ') });
    const first: ToolCallDelta = {
      index: 0,
      id: 'call_1',
      type: 'function',
      function: { name: 'export', arguments: '' },
    };
    const sent: ToolCallDelta[] = [...(guard.push([first]) ?? [])];
    for (let at = 0; at < args.length; at += 50) {
      sent.push(...(guard.push([{ index: 0, function: { arguments: args.slice(at, at + 50) } }]) ?? []));
    }
    sent.push(...(guard.finish() ?? []));
    const released = sent.map((delta) => delta.function?.arguments ?? '').join('');
    expect(JSON.parse(released).recipients).not.toMatch(EMAIL);
  });

  it('redacts every address of a non-streamed tool call', () => {
    const args = JSON.stringify({ recipients: addresses.join(', ') });
    const checked = checkCompletion(
      {
        id: 'c',
        object: 'chat.completion',
        created: 0,
        model: 'm',
        choices: [
          {
            index: 0,
            finish_reason: 'tool_calls',
            logprobs: null,
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'export', arguments: args } }],
            },
          },
        ],
      },
      rules([pii]),
    );
    const call = checked.value.choices[0]?.message.tool_calls?.[0];
    expect(JSON.parse(call?.function.arguments ?? '{}').recipients).not.toMatch(EMAIL);
  });
});
