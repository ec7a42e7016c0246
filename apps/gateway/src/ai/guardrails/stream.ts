import type { AiCallError } from '@portcullis/ai/errors';
import { StreamTextGuard } from '@portcullis/ai/guardrails/stream-guard';
import { type TextRule, textDecisions, textRulesFor } from '@portcullis/ai/guardrails/text-rules';
import type { UnifiedStream } from '@portcullis/ai/stream-call';
import type { ChatCompletionChunk } from '@portcullis/ai/types';
import { blockFailureBody } from './failures.ts';
import type { GuardrailRun } from './guard.ts';

/**
 * A stream with the output's text rules applied as it goes: each delta checked (per choice) against the
 * text sent before it, redacting rules holding back a bounded tail. A block cuts the stream at the
 * offending chunk (not sent), cancels the provider stream (metered with what it used up to the cut, as
 * any cancelled stream) and ends it with the guardrail's error in the surface's shape.
 */
export function guardStream(stream: UnifiedStream, run: GuardrailRun): UnifiedStream {
  const rules = run.active ? textRulesFor(run.rules, 'output') : [];
  if (rules.length === 0) return stream;
  const guards = new Map<number, StreamTextGuard>();
  let blocked: TextRule | null = null;
  const guardOf = (index: number) => {
    let guard = guards.get(index);
    if (!guard) {
      guard = new StreamTextGuard(rules);
      guards.set(index, guard);
    }
    return guard;
  };
  const settle = () => {
    const redacted = new Map<TextRule, number>();
    for (const guard of guards.values()) {
      for (const [rule, count] of guard.redacted) redacted.set(rule, (redacted.get(rule) ?? 0) + count);
    }
    run.record(textDecisions('output', rules, blocked, redacted));
  };
  async function* chunks(): AsyncGenerator<ChatCompletionChunk> {
    let last: ChatCompletionChunk | null = null;
    for await (const chunk of stream.chunks) {
      for (const choice of chunk.choices) {
        const guard = guardOf(choice.index);
        const content = choice.delta.content;
        let allowed = '';
        if (typeof content === 'string' && content !== '') {
          const checked = guard.push(content);
          if (checked === null) {
            blocked = guard.blocked;
            stream.cancel();
            return;
          }
          allowed = checked;
        }
        // the text still held goes out with the choice's finish, in order
        if (choice.finish_reason) allowed += guard.flush();
        if (allowed !== '' || typeof content === 'string') choice.delta.content = allowed;
      }
      last = chunk;
      yield chunk;
    }
    // a stream that ended without a finish for some choice: what is held is still sent
    for (const [index, guard] of guards) {
      const rest = guard.flush();
      if (rest && last) {
        const { id, object, created, model } = last;
        yield {
          id,
          object,
          created,
          model,
          choices: [{ index, delta: { content: rest }, finish_reason: null }],
        };
      }
    }
  }
  const final = stream.final.then((result) => {
    settle();
    if (!blocked) return result;
    const error: AiCallError = {
      kind: 'guardrail',
      provider: 'gateway',
      status: 422,
      upstreamStatus: null,
      retryable: false,
      retryAfterMs: null,
      body: blockFailureBody({
        rule: blocked.name,
        stage: 'output',
        message: `The model's answer was blocked by the guardrail '${blocked.name}'.`,
      }),
    };
    return { ...result, error };
  });
  return { ...stream, chunks: chunks(), final };
}
