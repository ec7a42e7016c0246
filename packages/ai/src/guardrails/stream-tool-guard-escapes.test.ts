import type { GuardrailRule } from '@portcullis/core/ai-guardrails';
import { describe, expect, it } from 'vitest';
import type { ToolCallDelta } from '../types.ts';
import { StreamToolCallGuard } from './stream-tool-guard.ts';
import { textRulesFor } from './text-rules.ts';

/*
 * A blocking rule on streamed tool-call arguments, against a model that spells the blocked value with
 * JSON escapes (`\u0040` for `@`, `\u0020` for a space). The client decodes the arguments as JSON, so
 * the escaped form tells it exactly what the rule forbids: none of it may be released before the rule
 * has looked at the decoded text.
 */

const rules = (list: GuardrailRule[]) => textRulesFor(list, 'output');
const blockEmail: GuardrailRule = {
  type: 'pii',
  name: 'no-email',
  stage: 'both',
  action: 'block',
  detect: ['email'],
};
const blockDrop: GuardrailRule = {
  type: 'deny',
  name: 'no-drop',
  stage: 'both',
  action: 'block',
  terms: ['drop table'],
};

/** Streams the arguments in small deltas; what the guard released, decoded, and whether it blocked. */
function stream(guard: StreamToolCallGuard, args: string) {
  const sent: ToolCallDelta[] = [];
  const take = (out: ToolCallDelta[] | null) => {
    if (out) sent.push(...out);
    return out !== null;
  };
  let open = take(
    guard.push([{ index: 0, id: 'call_1', type: 'function', function: { name: 'send', arguments: '' } }]),
  );
  for (let at = 0; open && at < args.length; at += 8) {
    open = take(guard.push([{ index: 0, function: { arguments: args.slice(at, at + 8) } }]));
  }
  const finished = open && take(guard.finish());
  const released = sent.map((delta) => delta.function?.arguments ?? '').join('');
  return { released, blocked: !finished };
}

/** What a client reading the released arguments learns: the JSON strings it could decode so far. */
function decodedStrings(released: string): string {
  return [...released.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) => JSON.parse(`"${match[1]}"`)).join(' ');
}

describe('streamed tool-call arguments spelling a blocked value with escapes', () => {
  it('never releases an escaped email a blocking rule forbids', () => {
    const guard = new StreamToolCallGuard(rules([blockEmail]));
    const result = stream(guard, '{"to":"jane\\u0040example.com","body":"hello"}');
    expect(result.blocked).toBe(true);
    expect(decodedStrings(result.released)).not.toContain('jane@example.com');
  });

  it('never releases an escaped deny-listed term', () => {
    const guard = new StreamToolCallGuard(rules([blockDrop]));
    const result = stream(guard, '{"sql":"DROP\\u0020TABLE users;"}');
    expect(result.blocked).toBe(true);
    expect(decodedStrings(result.released).toLowerCase()).not.toContain('drop table');
  });
});
