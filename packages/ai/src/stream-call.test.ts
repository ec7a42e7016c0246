import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { getProvider } from './providers/index.ts';
import { openUnifiedStream, type UnifiedStream } from './stream-call.ts';
import { estimateCompletionTokens, estimateTokens, loadTokenizer } from './tokens.ts';
import type { ChatCompletionRequest } from './types.ts';
import { Deadline, type UpstreamResponse } from './upstream.ts';

/*
 * A provider stream read through the real parser, translator and StreamRun from a body the test writes
 * to, so it can end the stream wherever it likes (a client cancel, a broken connection) and read what
 * `final` bills for it.
 */

const request: ChatCompletionRequest = {
  model: 'my-alias',
  messages: [{ role: 'user', content: 'Tell me about the weather in Paris, please.' }],
  stream: true,
};

const anthropicEvent = (type: string, payload: Record<string, unknown>) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;
const textDelta = (text: string) =>
  anthropicEvent('content_block_delta', { index: 0, delta: { type: 'text_delta', text } });
const anthropicOpening = [
  anthropicEvent('message_start', {
    message: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 1234, cache_read_input_tokens: 100, output_tokens: 1 },
    },
  }),
  anthropicEvent('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  textDelta('Sunny'),
  textDelta(' and mild.'),
];

async function open(
  providerId: string,
  frames: string[],
  model = 'claude-sonnet-4-5',
  asked: ChatCompletionRequest = request,
) {
  const provider = getProvider(providerId);
  if (!provider) throw new Error(`no provider ${providerId}`);
  const body = new PassThrough();
  const response = {
    statusCode: 200,
    headers: {},
    body,
    deadline: new Deadline(undefined, 10_000),
  } as unknown as UpstreamResponse;
  for (const frame of frames) body.write(frame);
  const upstream = { provider, timeoutMs: 10_000, idleTimeoutMs: 10_000 };
  const opened = await openUnifiedStream(response, upstream, asked, model, performance.now());
  if (!opened.ok) throw new Error(opened.error.body.error.message);
  return { stream: opened.value, body };
}

/** Takes chunks until `count` content deltas were handed out (what a client would have received). */
async function readContent(stream: UnifiedStream, count: number): Promise<string> {
  const iterator = stream.chunks[Symbol.asyncIterator]();
  let text = '';
  let seen = 0;
  while (seen < count) {
    const next = await iterator.next();
    if (next.done) break;
    expect(next.value.model).toBe('my-alias');
    const content = next.value.choices[0]?.delta.content;
    if (content) {
      text += content;
      seen++;
    }
  }
  return text;
}

describe('usage of a stream that ends early', () => {
  it("bills a cancelled Anthropic stream with message_start's input tokens exactly and estimates only the output", async () => {
    await loadTokenizer('claude-sonnet-4-5');
    const { stream } = await open('anthropic', anthropicOpening);
    const received = await readContent(stream, 2);
    stream.cancel();
    const final = await stream.final;
    expect(final.error?.kind).toBe('aborted');
    expect(final.usage).toEqual({
      promptTokens: 1334,
      cachedPromptTokens: 100,
      completionTokens: estimateCompletionTokens(received, [], 'claude-sonnet-4-5').tokens,
      totalTokens: 1334 + estimateCompletionTokens(received, [], 'claude-sonnet-4-5').tokens,
      estimated: true,
    });
  });

  it('takes the output tokens from the latest message_delta when the stream broke after it', async () => {
    const { stream, body } = await open('anthropic', [
      ...anthropicOpening,
      anthropicEvent('content_block_stop', { index: 0 }),
      anthropicEvent('message_delta', {
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: 7 },
      }),
    ]);
    await readContent(stream, 2);
    body.destroy(new Error('connection reset'));
    // the client reads on: the next read finds the connection broken
    for await (const chunk of stream.chunks) expect(chunk.choices[0]?.delta.content).toBeUndefined();
    const final = await stream.final;
    expect(final.error?.kind).toBe('stream_interrupted');
    expect(final.usage).toEqual({
      promptTokens: 1334,
      cachedPromptTokens: 100,
      completionTokens: 7,
      totalTokens: 1341,
      estimated: false,
    });
  });

  it('announces the provider-reported prompt tokens before the end (for message_start)', async () => {
    const { stream } = await open('anthropic', anthropicOpening);
    expect(await stream.promptUsage()).toEqual({
      promptTokens: 1334,
      cachedPromptTokens: 100,
      estimated: false,
    });
    stream.cancel();
    await stream.final;
  });

  it('estimates both sides of a cancelled OpenAI-style stream, whose usage only comes at the end', async () => {
    await loadTokenizer('gpt-4o-mini');
    const chunk = (content: string) =>
      `data: ${JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'gpt-4o-mini-2024-07-18',
        choices: [{ index: 0, delta: { content }, finish_reason: null }],
      })}\n\n`;
    const { stream } = await open('openai', [chunk('Sunny'), chunk(' and mild.')], 'gpt-4o-mini');
    const prompt = estimateTokens(request.messages, 'gpt-4o-mini').tokens;
    expect(await stream.promptUsage()).toEqual({
      promptTokens: prompt,
      cachedPromptTokens: 0,
      estimated: true,
    });
    const received = await readContent(stream, 2);
    stream.cancel();
    const final = await stream.final;
    const completion = estimateCompletionTokens(received, [], 'gpt-4o-mini').tokens;
    expect(final.usage).toEqual({
      promptTokens: prompt,
      completionTokens: completion,
      totalTokens: prompt + completion,
      estimated: true,
    });
  });

  it('bills a cancelled Gemini stream with its running prompt count, not its unfinished candidates count', async () => {
    const response = (text: string) =>
      `data: ${JSON.stringify({
        candidates: [{ content: { parts: [{ text }], role: 'model' }, index: 0 }],
        usageMetadata: { promptTokenCount: 42, totalTokenCount: 42 },
        modelVersion: 'gemini-2.0-flash-001',
        responseId: 'r1',
      })}\r\n\r\n`;
    const { stream } = await open('gemini', [response('Sunny'), response(' and mild.')], 'gemini-2.0-flash');
    const received = await readContent(stream, 2);
    stream.cancel();
    const final = await stream.final;
    expect(final.usage.promptTokens).toBe(42);
    expect(final.usage.completionTokens).toBe(
      estimateCompletionTokens(received, [], 'gemini-2.0-flash').tokens,
    );
    expect(final.usage.completionTokens).toBeGreaterThan(0);
    expect(final.usage.estimated).toBe(true);
  });
});

describe('a stream that runs past its output cap', () => {
  it('ends at the cap with a length finish, cuts the upstream and bills no more than the cap', async () => {
    await loadTokenizer('gpt-4o-mini');
    const frame = (json: unknown) => `data: ${JSON.stringify(json)}\n\n`;
    const words = ' one two three four five six seven eight'.split(/(?= )/);
    const frames = [
      ...words.map((content) =>
        frame({
          id: 'chatcmpl-2',
          object: 'chat.completion.chunk',
          created: 1,
          model: 'gpt-4o-mini',
          choices: [{ index: 0, delta: { content }, finish_reason: null }],
        }),
      ),
      frame({
        id: 'chatcmpl-2',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'gpt-4o-mini',
        choices: [],
        usage: { prompt_tokens: 20, completion_tokens: 8, total_tokens: 28 },
      }),
      'data: [DONE]\n\n',
    ];
    const { stream, body } = await open('openai', frames, 'gpt-4o-mini', { ...request, max_tokens: 3 });
    let text = '';
    const finishes: (string | null)[] = [];
    for await (const chunk of stream.chunks) {
      for (const choice of chunk.choices) {
        text += choice.delta.content ?? '';
        if (choice.finish_reason) finishes.push(choice.finish_reason);
      }
    }
    expect(text).toBe(' one two three');
    expect(finishes).toEqual(['length']);
    expect(body.destroyed).toBe(true);
    const final = await stream.final;
    expect(final.error).toBeNull();
    expect(final.finishReason).toBe('length');
    expect(final.usage.completionTokens).toBe(3);
    expect(final.usage.estimated).toBe(true);
  });
});
