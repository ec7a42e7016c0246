import type { StreamFinal, UnifiedStream } from '@portcullis/ai/stream-call';
import type { ChatCompletionChunk } from '@portcullis/ai/types';
import type { GuardrailRule } from '@portcullis/core/ai-guardrails';
import { describe, expect, it } from 'vitest';
import type { AiCalls } from '../calls.ts';
import type { AiRequest } from '../context.ts';
import type { GuardrailBlock } from './failures.ts';
import { GuardrailRun } from './guard.ts';
import { holdFinish } from './stream-finish.ts';

const chunk = (index: number, content: string | null, finish: 'stop' | null = null): ChatCompletionChunk => ({
  id: 'c',
  object: 'chat.completion.chunk',
  created: 0,
  model: 'm',
  choices: [{ index, delta: content === null ? {} : { content }, finish_reason: finish }],
});
const usage: ChatCompletionChunk = {
  ...chunk(0, null),
  choices: [],
  usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
};

/** A provider stream that records how far it has been read and ends when read to the end. */
function fakeStream(chunks: ChatCompletionChunk[]) {
  const state = { read: 0, cancelled: false };
  let resolveFinal!: (final: StreamFinal) => void;
  const final = new Promise<StreamFinal>((resolve) => {
    resolveFinal = resolve;
  });
  const end = (error: StreamFinal['error']) =>
    resolveFinal({
      usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3, estimated: false },
      timeToFirstTokenMs: 1,
      durationMs: 1,
      finishReason: 'stop',
      responseId: null,
      responseModel: null,
      error,
      chunks: chunks.length,
    });
  async function* source(): AsyncGenerator<ChatCompletionChunk> {
    for (const next of chunks) {
      if (state.cancelled) return;
      await new Promise((resolve) => setImmediate(resolve));
      state.read++;
      yield next;
    }
    end(null);
  }
  const stream: UnifiedStream = {
    chunks: source(),
    final,
    includeUsage: true,
    cancel: () => {
      state.cancelled = true;
      end(null);
    },
    promptUsage: async () => ({ promptTokens: 1, cachedPromptTokens: 0, estimated: false }),
  };
  return { stream, state };
}

/** A run whose whole-answer check resolves when the test says, with the given verdict. */
function heldRun(verdict: (texts: readonly string[]) => GuardrailBlock | null) {
  const checked: string[][] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const dropped: string[] = [];
  const run = {
    checksWholeAnswers: true,
    checkAnswers: async (texts: readonly string[]) => {
      checked.push([...texts]);
      await gate;
      return verdict(texts);
    },
    recordDroppedAfterFinish: (detail: string) => dropped.push(detail),
  } as unknown as GuardrailRun;
  return { run, checked, release, dropped };
}

/** Every chunk a guarded stream hands out, and its final result. */
async function drain(guarded: UnifiedStream) {
  const sent: ChatCompletionChunk[] = [];
  for await (const next of guarded.chunks) sent.push(next);
  return { sent, final: await guarded.final };
}

describe('whole-answer rules on a stream', () => {
  it('holds the finish until the answer passes, reading the provider on meanwhile', async () => {
    const { stream, state } = fakeStream([chunk(0, '{"a":'), chunk(0, '1}'), chunk(0, null, 'stop'), usage]);
    const { run, checked, release } = heldRun(() => null);
    const held = holdFinish(stream, run).chunks[Symbol.asyncIterator]();
    expect((await held.next()).value).toEqual(chunk(0, '{"a":'));
    expect((await held.next()).value).toEqual(chunk(0, '1}'));
    const finish = held.next();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // the check is pending: nothing more handed out, but the provider was read to its end
    expect(checked).toEqual([['{"a":1}']]);
    expect(state.read).toBe(4);
    release();
    expect((await finish).value).toEqual(chunk(0, null, 'stop'));
    expect((await held.next()).value).toEqual(usage);
    expect((await held.next()).done).toBe(true);
  });

  it('ends with the guardrail error instead of the finish when the answer fails', async () => {
    const { stream } = fakeStream([chunk(0, 'nope'), chunk(0, null, 'stop'), usage]);
    const block: GuardrailBlock = { rule: 'shape', stage: 'output', message: 'blocked' };
    const { run, release } = heldRun(() => block);
    release();
    const guarded = holdFinish(stream, run);
    const sent: ChatCompletionChunk[] = [];
    for await (const next of guarded.chunks) sent.push(next);
    expect(sent).toEqual([chunk(0, 'nope')]);
    const final = await guarded.final;
    expect(final.error).toMatchObject({
      status: 422,
      body: { error: { code: 'guardrail_blocked', rule: 'shape' } },
    });
    expect(final.usage.estimated).toBe(false);
  });

  it('checks each choice as it finishes, and a choice that only called tools not at all', async () => {
    const tools: ChatCompletionChunk = {
      ...chunk(1, null),
      choices: [
        {
          index: 1,
          delta: { tool_calls: [{ index: 0, function: { arguments: '{}' } }] },
          finish_reason: null,
        },
      ],
    };
    const { stream } = fakeStream([chunk(0, 'one'), tools, chunk(0, null, 'stop'), chunk(1, null, 'stop')]);
    const { run, checked, release } = heldRun(() => null);
    release();
    const sent: ChatCompletionChunk[] = [];
    for await (const next of holdFinish(stream, run).chunks) sent.push(next);
    expect(sent).toHaveLength(4);
    expect(checked).toEqual([['one']]);
  });
});

describe('what a provider streams for a choice after its finish', () => {
  it('is dropped, not sent, and recorded; the usage still goes out', async () => {
    const late: ChatCompletionChunk = {
      ...chunk(0, ' and more'),
      choices: [
        {
          index: 0,
          delta: { content: ' and more', tool_calls: [{ index: 0, function: { arguments: '{}' } }] },
          finish_reason: null,
        },
      ],
    };
    const { stream } = fakeStream([
      chunk(0, '{"a":1}'),
      chunk(0, null, 'stop'),
      late,
      chunk(0, null, 'stop'),
      usage,
    ]);
    const { run, checked, release, dropped } = heldRun(() => null);
    release();
    const { sent, final } = await drain(holdFinish(stream, run));
    expect(sent).toEqual([chunk(0, '{"a":1}'), chunk(0, null, 'stop'), usage]);
    expect(checked).toEqual([['{"a":1}']]);
    expect(dropped).toEqual([
      "dropped what the provider sent after a choice's finish (choice 0: 9 characters, 1 tool-call deltas)",
    ]);
    expect(final.error).toBeNull();
  });

  it('drops a finished choice from a chunk that goes on with another one, read ahead during the check', async () => {
    const both: ChatCompletionChunk = {
      ...chunk(0, null),
      choices: [
        { index: 0, delta: { content: 'late' }, finish_reason: null },
        { index: 1, delta: { content: 'two' }, finish_reason: null },
      ],
    };
    const { stream } = fakeStream([chunk(0, 'one'), chunk(0, null, 'stop'), both, chunk(1, null, 'stop')]);
    const { run, checked, release, dropped } = heldRun(() => null);
    const guarded = drain(holdFinish(stream, run));
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    const { sent } = await guarded;
    expect(sent).toEqual([chunk(0, 'one'), chunk(0, null, 'stop'), chunk(1, 'two'), chunk(1, null, 'stop')]);
    expect(checked).toEqual([['one'], ['two']]);
    expect(dropped).toHaveLength(1);
  });

  it('records nothing when a provider only repeats a finish', async () => {
    const { stream } = fakeStream([chunk(0, '{}'), chunk(0, null, 'stop'), chunk(0, null, 'stop'), usage]);
    const { run, release, dropped } = heldRun(() => null);
    release();
    const { sent } = await drain(holdFinish(stream, run));
    expect(sent).toEqual([chunk(0, '{}'), chunk(0, null, 'stop'), usage]);
    expect(dropped).toEqual([]);
  });
});

describe('a held finish whose moderation never answers', () => {
  /** A run with one output moderation rule whose credential lookup never settles. */
  const stalledRun = (failMode: 'open' | 'closed') => {
    const rule: GuardrailRule = {
      type: 'moderation',
      name: 'mod',
      stage: 'output',
      credentialId: 'cred',
      model: 'omni-moderation-latest',
      categories: [],
      failMode,
      timeoutMs: 100,
    };
    const ai = { credentials: { resolve: () => new Promise(() => undefined) } } as unknown as AiCalls;
    const ctx = { route: { orgId: 'org', apiId: 'api' } } as unknown as AiRequest;
    return new GuardrailRun([rule], ai, ctx);
  };
  const answer = () => fakeStream([chunk(0, 'hello'), chunk(0, null, 'stop'), usage]).stream;

  it('fails closed after the rule timeout: the stream ends with the guardrail error', async () => {
    const run = stalledRun('closed');
    const startedAt = performance.now();
    const { sent, final } = await drain(holdFinish(answer(), run));
    expect(performance.now() - startedAt).toBeLessThan(1_000);
    expect(sent).toEqual([chunk(0, 'hello')]);
    expect(final.error).toMatchObject({
      status: 422,
      body: { error: { code: 'guardrail_blocked', rule: 'mod' } },
    });
    expect(run.decisions).toEqual([
      expect.objectContaining({
        rule: 'mod',
        action: 'block',
        detail: expect.stringContaining('within 100 ms'),
      }),
    ]);
  });

  it('fails open after the rule timeout: the finish goes out and the failure is recorded', async () => {
    const run = stalledRun('open');
    const { sent, final } = await drain(holdFinish(answer(), run));
    expect(sent).toEqual([chunk(0, 'hello'), chunk(0, null, 'stop'), usage]);
    expect(final.error).toBeNull();
    expect(run.decisions).toEqual([expect.objectContaining({ rule: 'mod', action: 'error' })]);
  });
});
