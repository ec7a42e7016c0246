import { StreamTextGuard } from '@portcullis/ai/guardrails/stream-guard';
import { StreamToolCallGuard } from '@portcullis/ai/guardrails/stream-tool-guard';
import { type TextRule, textDecisions, textRulesFor } from '@portcullis/ai/guardrails/text-rules';
import type { UnifiedStream } from '@portcullis/ai/stream-call';
import type { ChatCompletionChunk, ChunkDelta } from '@portcullis/ai/types';
import { blockStreamError } from './failures.ts';
import { blockOf, type GuardrailRun } from './guard.ts';
import { holdFinish } from './stream-finish.ts';

/*
 * Guardrails on a streamed answer. What a client has been sent cannot be unsent, so the rules run where
 * they still can stop something:
 * - text rules (PII, deny lists, patterns) run on each delta as it arrives, on the answer's text and on
 *   its tool calls' arguments, and a block cuts the stream at the offending chunk;
 * - rules that need the whole answer (JSON schema, output moderation) hold back the chunk that finishes
 *   a choice until its whole text has passed them (stream-finish.ts): the text went out as it came, but
 *   the finish, the usage and the stream's clean end go out only once the answer passes.
 */
export function guardStream(stream: UnifiedStream, run: GuardrailRun): UnifiedStream {
  const checked = guardStreamText(stream, run);
  return run.checksWholeAnswers ? holdFinish(checked, run) : checked;
}

/** One choice's text and tool calls, checked as they stream. */
interface ChoiceGuard {
  text: StreamTextGuard;
  tools: StreamToolCallGuard;
  finished: boolean;
}

/**
 * The output's text rules as the stream goes: each delta checked (per choice) against the text sent
 * before it, redacting rules holding back a bounded tail (and a tool call's arguments until the choice
 * finishes). A block cuts the stream at the offending chunk (not sent), cancels the provider stream
 * (metered with what it used up to the cut, as any cancelled stream) and ends it with the guardrail's
 * error in the surface's shape.
 */
function guardStreamText(stream: UnifiedStream, run: GuardrailRun): UnifiedStream {
  const rules = run.active ? textRulesFor(run.rules, 'output') : [];
  if (rules.length === 0) return stream;
  const choices = new Map<number, ChoiceGuard>();
  let blocked: TextRule | null = null;
  const guardOf = (index: number) => {
    let guard = choices.get(index);
    if (!guard) {
      guard = { text: new StreamTextGuard(rules), tools: new StreamToolCallGuard(rules), finished: false };
      choices.set(index, guard);
    }
    return guard;
  };
  const settle = () => {
    const redacted = new Map<TextRule, number>();
    for (const { text, tools } of choices.values()) {
      for (const found of [text.redacted, tools.redacted]) {
        for (const [rule, count] of found) redacted.set(rule, (redacted.get(rule) ?? 0) + count);
      }
    }
    run.record(textDecisions('output', rules, blocked, redacted));
  };
  async function* chunks(): AsyncGenerator<ChatCompletionChunk> {
    let last: ChatCompletionChunk | null = null;
    for await (const chunk of stream.chunks) {
      for (const choice of chunk.choices) {
        const guard = guardOf(choice.index);
        const ok = checkDelta(guard, choice.delta, Boolean(choice.finish_reason));
        if (!ok) {
          blocked = guard.text.blocked ?? guard.tools.blocked;
          stream.cancel();
          return;
        }
      }
      last = chunk;
      yield chunk;
    }
    // a stream that ended without a finish for some choice: what is held is still checked and sent
    for (const [index, guard] of choices) {
      if (guard.finished || !last) continue;
      const delta: ChunkDelta = {};
      if (!checkDelta(guard, delta, true)) {
        blocked = guard.text.blocked ?? guard.tools.blocked;
        return;
      }
      if (!delta.content && !delta.tool_calls) continue;
      const { id, object, created, model } = last;
      yield { id, object, created, model, choices: [{ index, delta, finish_reason: null }] };
    }
  }
  const final = stream.final.then((result) => {
    settle();
    if (!blocked) return result;
    return { ...result, error: blockStreamError(blockOf(blocked.name, 'output')) };
  });
  return { ...stream, chunks: chunks(), final };
}

/**
 * Checks one choice's delta in place (text and tool calls replaced by what may be sent now); at the
 * choice's finish, what was held goes out with it, in order. False when a rule blocks.
 */
function checkDelta(guard: ChoiceGuard, delta: ChunkDelta, finishes: boolean): boolean {
  const content = delta.content;
  let allowed = '';
  if (typeof content === 'string' && content !== '') {
    const checked = guard.text.push(content);
    if (checked === null) return false;
    allowed = checked;
  }
  let calls = delta.tool_calls;
  if (calls) {
    const checked = guard.tools.push(calls);
    if (checked === null) return false;
    calls = checked;
  }
  if (finishes) {
    guard.finished = true;
    allowed += guard.text.flush();
    const held = guard.tools.finish();
    if (held === null) return false;
    if (held.length > 0) calls = [...(calls ?? []), ...held];
  }
  if (allowed !== '' || typeof content === 'string') delta.content = allowed;
  if (calls && calls.length > 0) delta.tool_calls = calls;
  else delete delta.tool_calls;
  return true;
}
