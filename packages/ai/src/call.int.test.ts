import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_REPLY, fakeEmbedding } from '../../../test/fakes/llm/script.ts';
import { type FakeFlavor, type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import {
  type CallResult,
  type ChatCallOptions,
  type CompletionOutcome,
  callProvider,
  type StreamOutcome,
} from './call.ts';
import { callEmbeddings } from './embeddings.ts';
import { listProviderModels } from './models.ts';
import type { ChatCompletionChunk, ChatCompletionRequest, ChatMessage, ToolCall } from './types.ts';

/** Registers a test only for the cases it applies to, instead of leaving skipped placeholders. */
const itWhen = (condition: boolean) => (name: string, fn: () => Promise<void>) => {
  if (condition) it(name, fn);
};

/*
 * call.ts against local servers speaking each provider's real wire format: every provider gets the same
 * scenarios (chat, stream, tools both ways, embeddings, errors, usage estimation).
 */

interface Case {
  flavor: FakeFlavor;
  provider: string;
  model: string;
  apiVersion?: string;
  embeddings: boolean;
  /** what a non-streamed chat request must look like on the wire */
  wire: { path: string; authHeader: string; modelInBody: boolean };
}

const CASES: Case[] = [
  {
    flavor: 'openai',
    provider: 'openai',
    model: 'gpt-4o-mini',
    embeddings: true,
    wire: { path: '/v1/chat/completions', authHeader: 'authorization', modelInBody: true },
  },
  {
    flavor: 'azure',
    provider: 'azure',
    model: 'prod-gpt4o',
    apiVersion: '2024-10-21',
    embeddings: true,
    wire: {
      path: '/openai/deployments/prod-gpt4o/chat/completions',
      authHeader: 'api-key',
      modelInBody: false,
    },
  },
  {
    flavor: 'anthropic',
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    embeddings: false,
    wire: { path: '/v1/messages', authHeader: 'x-api-key', modelInBody: true },
  },
  {
    flavor: 'gemini',
    provider: 'gemini',
    model: 'gemini-2.0-flash',
    embeddings: true,
    wire: {
      path: '/v1beta/models/gemini-2.0-flash:generateContent',
      authHeader: 'x-goog-api-key',
      modelInBody: false,
    },
  },
  {
    flavor: 'mistral',
    provider: 'mistral',
    model: 'mistral-small-latest',
    embeddings: true,
    wire: { path: '/v1/chat/completions', authHeader: 'authorization', modelInBody: true },
  },
  {
    flavor: 'cohere',
    provider: 'cohere',
    model: 'command-a-03-2025',
    embeddings: true,
    wire: { path: '/v2/chat', authHeader: 'authorization', modelInBody: true },
  },
  // the generic adapter: any OpenAI-compatible server, located by the credential
  {
    flavor: 'openai',
    provider: 'openai-compatible',
    model: 'llama-3.1-8b',
    embeddings: true,
    wire: { path: '/v1/chat/completions', authHeader: 'authorization', modelInBody: true },
  },
];

const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather for a place',
    parameters: { type: 'object', properties: { location: { type: 'string' }, unit: { type: 'string' } } },
  },
};
const QUESTION: ChatMessage[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'What is the weather in Paris today?' },
];
// Fakes count whitespace words: "You are terse." (3) + the question (7).
const PROMPT_WORDS = 10;
const REPLY_WORDS = DEFAULT_REPLY.split(' ').length;

function expectCompletion(result: CallResult<CompletionOutcome | StreamOutcome>): CompletionOutcome {
  if (!result.ok) throw new Error(`call failed: ${JSON.stringify(result.error)}`);
  if (result.value.kind !== 'completion') throw new Error('expected a completion');
  return result.value;
}

function expectStream(result: CallResult<CompletionOutcome | StreamOutcome>): StreamOutcome['stream'] {
  if (!result.ok) throw new Error(`call failed: ${JSON.stringify(result.error)}`);
  if (result.value.kind !== 'stream') throw new Error('expected a stream');
  return result.value.stream;
}

async function drain(stream: StreamOutcome['stream']): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream.chunks) chunks.push(chunk);
  return chunks;
}

const textOf = (chunks: ChatCompletionChunk[]) =>
  chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');

function toolCallsOf(chunks: ChatCompletionChunk[]): { id: string; name: string; arguments: string }[] {
  const calls: { id: string; name: string; arguments: string }[] = [];
  for (const chunk of chunks) {
    for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
      calls[delta.index] ??= { id: '', name: '', arguments: '' };
      const call = calls[delta.index];
      if (!call) continue;
      if (delta.id) call.id = delta.id;
      call.name += delta.function?.name ?? '';
      call.arguments += delta.function?.arguments ?? '';
    }
  }
  return calls;
}

describe.each(CASES)('$provider against the $flavor wire format', (testCase) => {
  let fake: FakeLlm;
  const call = (
    request: Partial<ChatCompletionRequest>,
    extra: Pick<ChatCallOptions, 'timeoutMs' | 'idleTimeoutMs' | 'traceHeaders'> = {},
  ) =>
    callProvider({
      provider: testCase.provider,
      model: testCase.model,
      credential: { apiKey: fake.apiKey, baseUrl: fake.baseUrl, apiVersion: testCase.apiVersion },
      request: { model: 'client-model', messages: QUESTION, ...request },
      ...extra,
    });

  beforeAll(async () => {
    fake = await startFakeLlm({ flavor: testCase.flavor });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.configure({ omitUsage: false, tokenDelayMs: 0, latencyMs: 0 }));

  it('answers a chat completion with the provider-reported usage', async () => {
    const outcome = expectCompletion(await call({}));
    expect(outcome.completion.object).toBe('chat.completion');
    expect(outcome.completion.choices[0]?.message).toMatchObject({
      role: 'assistant',
      content: DEFAULT_REPLY,
    });
    expect(outcome.completion.choices[0]?.finish_reason).toBe('stop');
    expect(outcome.usage).toEqual({
      promptTokens: PROMPT_WORDS,
      completionTokens: REPLY_WORDS,
      totalTokens: PROMPT_WORDS + REPLY_WORDS,
      estimated: false,
    });
    const sent = fake.lastRequest();
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe(testCase.wire.path);
    expect(sent.headers[testCase.wire.authHeader]).toContain(fake.apiKey);
    expect((sent.body as { model?: unknown }).model).toBe(
      testCase.wire.modelInBody ? testCase.model : undefined,
    );
    if (testCase.provider === 'azure') expect(sent.query['api-version']).toBe('2024-10-21');
  });

  it("sends the caller's W3C trace context with the call, and none without one", async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expectCompletion(await call({}, { traceHeaders: { traceparent, tracestate: 'vendor=abc' } }));
    expect(fake.lastRequest().headers).toMatchObject({ traceparent, tracestate: 'vendor=abc' });
    expectCompletion(await call({}));
    expect(fake.lastRequest().headers.traceparent).toBeUndefined();
    expect(fake.lastRequest().headers.tracestate).toBeUndefined();
  });

  it('streams chunks that reassemble to the same text, ending with the usage chunk', async () => {
    fake.configure({ tokenDelayMs: 2 });
    const stream = expectStream(await call({ stream: true }));
    const chunks = await drain(stream);
    const final = await stream.final;
    expect(textOf(chunks)).toBe(DEFAULT_REPLY);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.some((c) => c.choices[0]?.finish_reason === 'stop')).toBe(true);
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: PROMPT_WORDS, completion_tokens: REPLY_WORDS },
    });
    expect(final.error).toBeNull();
    expect(final.usage).toEqual({
      promptTokens: PROMPT_WORDS,
      completionTokens: REPLY_WORDS,
      totalTokens: PROMPT_WORDS + REPLY_WORDS,
      estimated: false,
    });
    expect(final.finishReason).toBe('stop');
    // The client did not ask for usage; the gateway still asks upstream wherever the protocol has the option.
    const streamOptions = (fake.lastRequest().body as { stream_options?: unknown }).stream_options;
    const hasOption = testCase.wire.path.endsWith('/chat/completions') && testCase.provider !== 'mistral';
    expect(streamOptions).toEqual(hasOption ? { include_usage: true } : undefined);
    expect(final.timeToFirstTokenMs).toBeGreaterThan(0);
    expect(final.timeToFirstTokenMs).toBeLessThan(final.durationMs);
  });

  it('calls tools, streamed or not, and carries the tool result back to the model', async () => {
    const tools = { tools: [WEATHER_TOOL] };
    const first = expectCompletion(await call(tools));
    const toolCalls = first.completion.choices[0]?.message.tool_calls ?? [];
    expect(first.completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(toolCalls).toHaveLength(1);
    expect(toolCalls[0]?.function.name).toBe('get_weather');
    expect(JSON.parse(toolCalls[0]?.function.arguments ?? '')).toEqual({
      location: 'Paris',
      unit: 'celsius',
    });

    const streamed = toolCallsOf(await drain(expectStream(await call({ ...tools, stream: true }))));
    expect(streamed).toHaveLength(1);
    expect(streamed[0]?.name).toBe('get_weather');
    expect(streamed[0]?.id).not.toBe('');
    expect(JSON.parse(streamed[0]?.arguments ?? '')).toEqual({ location: 'Paris', unit: 'celsius' });

    const call0 = toolCalls[0] as ToolCall;
    const second = expectCompletion(
      await call({
        ...tools,
        messages: [
          ...QUESTION,
          { role: 'assistant', content: null, tool_calls: [call0] },
          { role: 'tool', tool_call_id: call0.id, content: '22 degrees and sunny' },
        ],
      }),
    );
    expect(second.completion.choices[0]?.message.content).toBe('The tool said: 22 degrees and sunny');
    expect(second.completion.choices[0]?.finish_reason).toBe('stop');
  });

  itWhen(testCase.embeddings)('embeds inputs as floats or base64', async () => {
    const credential = { apiKey: fake.apiKey, baseUrl: fake.baseUrl, apiVersion: testCase.apiVersion };
    const result = await callEmbeddings({
      provider: testCase.provider,
      model: 'embed-model',
      credential,
      request: { model: 'client-embed', input: ['alpha beta', 'gamma'] },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    const vectors = result.value.response.data.map((d) => d.embedding as number[]);
    expect(vectors).toHaveLength(2);
    // float32 on the wire for some providers: compare at float32 precision
    expect(vectors.map((vector) => Array.from(Float32Array.from(vector)))).toEqual(
      ['alpha beta', 'gamma'].map((text) => Array.from(Float32Array.from(fakeEmbedding(text, 8)))),
    );
    expect(result.value.usage.promptTokens).toBeGreaterThan(0);
    const base64 = await callEmbeddings({
      provider: testCase.provider,
      model: 'embed-model',
      credential,
      request: { model: 'client-embed', input: 'alpha beta', encoding_format: 'base64' },
    });
    if (!base64.ok) throw new Error(JSON.stringify(base64.error));
    const bytes = Buffer.from(base64.value.response.data[0]?.embedding as string, 'base64');
    expect(Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4))).toEqual(
      Array.from(Float32Array.from(fakeEmbedding('alpha beta', 8))),
    );
  });

  itWhen(!testCase.embeddings)('refuses embeddings it cannot offer, as a final 400', async () => {
    const result = await callEmbeddings({
      provider: testCase.provider,
      model: 'm',
      credential: { apiKey: fake.apiKey, baseUrl: fake.baseUrl },
      request: { model: 'e', input: 'x' },
    });
    expect(result.ok ? null : result.error).toMatchObject({
      status: 400,
      retryable: false,
      kind: 'unsupported',
    });
  });

  it("maps 429 to a retryable error in OpenAI's shape, with the retry delay", async () => {
    fake.failNext({ status: 429, message: 'Too many requests, slow down.', retryAfterSeconds: 2 });
    const result = await call({});
    if (result.ok) throw new Error('expected a failure');
    expect(result.error).toMatchObject({
      kind: 'upstream',
      status: 429,
      upstreamStatus: 429,
      retryable: true,
      retryAfterMs: 2000,
    });
    expect(Object.keys(result.error.body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(result.error.body.error.message).toContain('Too many requests');
  });

  it('maps 400 to a final error and 500 to a retryable one', async () => {
    fake.failNext({ status: 400, message: 'Bad parameter.' });
    const bad = await call({});
    expect(bad.ok ? null : bad.error).toMatchObject({
      status: 400,
      retryable: false,
      body: { error: { message: expect.stringContaining('Bad parameter.') } },
    });
    fake.failNext({ status: 500, message: 'Internal trouble.' });
    const broken = await call({ stream: true });
    expect(broken.ok ? null : broken.error).toMatchObject({
      status: 500,
      retryable: true,
      body: { error: { type: 'server_error' } },
    });
  });

  it('estimates usage when the provider reports none, and says so', async () => {
    fake.configure({ omitUsage: true });
    const outcome = expectCompletion(await call({}));
    expect(outcome.usage.estimated).toBe(true);
    expect(outcome.usage.promptTokens).toBeGreaterThan(PROMPT_WORDS);
    expect(outcome.usage.completionTokens).toBeGreaterThanOrEqual(REPLY_WORDS);
    expect(outcome.completion.usage?.total_tokens).toBe(outcome.usage.totalTokens);
    const stream = expectStream(await call({ stream: true }));
    const chunks = await drain(stream);
    const final = await stream.final;
    expect(final.usage).toMatchObject({ estimated: true, completionTokens: outcome.usage.completionTokens });
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(outcome.usage.completionTokens);
  });

  it('lists the provider models', async () => {
    const result = await listProviderModels({
      provider: testCase.provider,
      credential: { apiKey: fake.apiKey, baseUrl: fake.baseUrl, apiVersion: testCase.apiVersion },
    });
    if (testCase.provider === 'azure') {
      expect(result.ok ? null : result.error.kind).toBe('unsupported');
      return;
    }
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(result.value.object).toBe('list');
    expect(result.value.data.length).toBeGreaterThan(0);
    expect(
      result.value.data.every((m) => m.object === 'model' && m.id.length > 0 && !m.id.startsWith('models/')),
    ).toBe(true);
  });
});
