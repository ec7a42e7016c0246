import { describe, expect, it } from 'vitest';
import { UnsupportedRequestError } from '../../errors.ts';
import { parseSseText } from '../../sse.ts';
import type { ChatCompletionChunk, ChatCompletionRequest } from '../../types.ts';
import { azure } from '../azure/index.ts';
import { getProvider, openaiCompatible, registerProvider } from '../index.ts';
import { mistral } from '../mistral/index.ts';
import { mistralToolCallId } from '../mistral/request.ts';
import { openai } from '../openai/index.ts';
import { groq, ollama } from '../presets.ts';
import type { ProviderDefinition } from '../types.ts';
import { defineOpenAICompatible } from './index.ts';

const credential = { apiKey: 'sk-test' };
const request: ChatCompletionRequest = { model: 'client-name', messages: [{ role: 'user', content: 'hi' }] };

function translate(
  provider: ProviderDefinition,
  sse: string,
): { chunks: ChatCompletionChunk[]; provider: ReturnType<ProviderDefinition['createStreamTranslator']> } {
  const chunks: ChatCompletionChunk[] = [];
  const translator = provider.createStreamTranslator('upstream-model', (chunk) => chunks.push(chunk));
  for (const event of parseSseText(sse)) translator.push(event);
  translator.end();
  return { chunks, provider: translator };
}

const frame = (json: unknown) => `data: ${JSON.stringify(json)}\n\n`;
const chunk = (delta: unknown, finish: string | null = null, extra: Record<string, unknown> = {}) =>
  frame({
    id: 'c1',
    object: 'chat.completion.chunk',
    created: 5,
    model: 'gpt-x',
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...extra,
  });

describe('OpenAI-compatible requests', () => {
  it('sends the provider model, bearer auth and asks for stream usage only when streaming', () => {
    const streamed = openai.buildRequest({ ...request, stream: true, top_k: 5 }, 'gpt-4o', credential);
    expect(streamed.url).toBe('https://api.openai.com/v1/chat/completions');
    expect(streamed.headers.authorization).toBe('Bearer sk-test');
    expect(streamed.headers.accept).toBe('text/event-stream');
    const body = JSON.parse(streamed.body ?? '');
    expect(body).toMatchObject({
      model: 'gpt-4o',
      stream: true,
      stream_options: { include_usage: true },
      top_k: 5,
    });
    const plain = JSON.parse(
      openai.buildRequest({ ...request, stream_options: { include_usage: true } }, 'gpt-4o', credential)
        .body ?? '',
    );
    expect(plain.stream_options).toBeUndefined();
  });

  it('honours credential base URLs and extra headers, and presets are a base URL away', () => {
    const spec = openai.buildRequest(request, 'm', {
      apiKey: 'k',
      baseUrl: 'http://127.0.0.1:9/v1/',
      headers: { 'openai-project': 'p1' },
    });
    expect(spec.url).toBe('http://127.0.0.1:9/v1/chat/completions');
    expect(spec.headers['openai-project']).toBe('p1');
    expect(groq.buildRequest(request, 'llama', credential).url).toBe(
      'https://api.groq.com/openai/v1/chat/completions',
    );
    expect(ollama.buildRequest(request, 'llama3', { apiKey: '' }).headers.authorization).toBeUndefined();
    expect(() => openaiCompatible.buildRequest(request, 'm', credential)).toThrow(UnsupportedRequestError);
  });

  it('sends one output cap, the one that counts (max_completion_tokens over max_tokens)', () => {
    const sent = (provider: ProviderDefinition, caps: Partial<ChatCompletionRequest>) =>
      JSON.parse(
        provider.buildRequest({ ...request, ...caps }, 'm', {
          apiKey: 'k',
          baseUrl: 'https://res.openai.azure.com',
        }).body ?? '',
      ) as Record<string, unknown>;
    const both = { max_completion_tokens: 5, max_tokens: 4000 };
    expect(sent(groq, both)).toMatchObject({ max_tokens: 5 });
    expect(sent(groq, both)).not.toHaveProperty('max_completion_tokens');
    expect(sent(groq, { max_tokens: 7 })).toMatchObject({ max_tokens: 7 });
    expect(sent(groq, {})).not.toHaveProperty('max_tokens');
    for (const provider of [openai, azure]) {
      expect(sent(provider, both)).toMatchObject({ max_completion_tokens: 5 });
      expect(sent(provider, both)).not.toHaveProperty('max_tokens');
    }
  });

  it('addresses Azure deployments with api-version and an api-key header, without a model in the body', () => {
    const spec = azure.buildRequest(request, 'prod-gpt4o', {
      apiKey: 'az',
      baseUrl: 'https://res.openai.azure.com',
    });
    expect(spec.url).toBe(
      'https://res.openai.azure.com/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21',
    );
    expect(spec.headers['api-key']).toBe('az');
    expect(spec.headers.authorization).toBeUndefined();
    expect(JSON.parse(spec.body ?? '').model).toBeUndefined();
    const embeddings = azure.buildEmbeddingsRequest?.({ model: 'e', input: 'x' }, 'emb', {
      apiKey: 'az',
      baseUrl: 'https://res.openai.azure.com',
      apiVersion: '2025-01-01-preview',
    });
    expect(embeddings?.url).toBe(
      'https://res.openai.azure.com/openai/deployments/emb/embeddings?api-version=2025-01-01-preview',
    );
    expect(() => azure.buildRequest(request, 'd', { apiKey: 'az' })).toThrow(/base URL/);
  });

  it("rewrites requests into Mistral's strict dialect", () => {
    const body = JSON.parse(
      mistral.buildRequest(
        {
          model: 'x',
          messages: [
            { role: 'developer', content: 'rules' },
            { role: 'user', content: 'hi', name: 'ann' },
            {
              role: 'assistant',
              content: null,
              tool_calls: [
                { id: 'call_abc123XYZ789', type: 'function', function: { name: 'f', arguments: '{}' } },
              ],
            },
            { role: 'tool', tool_call_id: 'call_abc123XYZ789', content: 'done' },
          ],
          stream: true,
          stream_options: { include_usage: true },
          seed: 7,
          max_completion_tokens: 50,
          tool_choice: 'required',
          tools: [{ type: 'function', function: { name: 'f', strict: true } }],
          logit_bias: { '1': 2 },
          user: 'u1',
          top_k: 3,
        },
        'mistral-small-latest',
        credential,
      ).body ?? '',
    );
    expect(Object.keys(body).sort()).toEqual([
      'max_tokens',
      'messages',
      'model',
      'random_seed',
      'stream',
      'tool_choice',
      'tools',
    ]);
    expect(body).toMatchObject({
      random_seed: 7,
      max_tokens: 50,
      tool_choice: 'any',
      model: 'mistral-small-latest',
    });
    expect(body.messages[0]).toEqual({ role: 'system', content: 'rules' });
    expect(body.messages[1]).toEqual({ role: 'user', content: 'hi' });
    const hashed = body.messages[2].tool_calls[0].id;
    expect(hashed).toMatch(/^[a-zA-Z0-9]{9}$/);
    expect(body.messages[3].tool_call_id).toBe(hashed);
    expect(body.tools[0].function).toEqual({ name: 'f', parameters: { type: 'object', properties: {} } });
    expect(mistralToolCallId('Ab3dE6gH9')).toBe('Ab3dE6gH9');
    const embeddings = JSON.parse(
      mistral.buildEmbeddingsRequest?.(
        { model: 'e', input: ['a'], dimensions: 256 },
        'mistral-embed',
        credential,
      ).body ?? '',
    );
    expect(embeddings).toEqual({ model: 'mistral-embed', input: ['a'], output_dimension: 256 });
  });
});

describe('OpenAI-compatible responses', () => {
  it('returns a clean chat.completion without vendor annotations', () => {
    const completion = openai.parseResponse(
      {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 10,
        model: 'gpt-4o-2024',
        prompt_filter_results: [],
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
            },
            finish_reason: 'tool_calls',
            content_filter_results: {},
          },
        ],
        usage: {
          prompt_tokens: 3,
          completion_tokens: 4,
          total_tokens: 7,
          prompt_tokens_details: { cached_tokens: 1 },
        },
      },
      'gpt-4o',
    );
    expect(completion).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 10,
      model: 'gpt-4o-2024',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
          },
          finish_reason: 'tool_calls',
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: 3,
        completion_tokens: 4,
        total_tokens: 7,
        prompt_tokens_details: { cached_tokens: 1 },
      },
    });
    expect(() => openai.parseResponse({ nope: true }, 'm')).toThrow(/choices/);
  });

  it('maps 429 to a retryable error with Retry-After and 400 to a final one', () => {
    const limited = openai.mapError(
      429,
      '{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}',
      { 'retry-after': '3' },
    );
    expect(limited).toMatchObject({ status: 429, retryable: true, retryAfterMs: 3000 });
    expect(limited.body.error).toMatchObject({ message: 'Rate limit reached', code: 'rate_limit_exceeded' });
    const bad = openai.mapError(
      400,
      '{"error":{"message":"bad temp","type":"invalid_request_error","param":"temperature","code":null}}',
      {},
    );
    expect(bad).toMatchObject({ status: 400, retryable: false, body: { error: { param: 'temperature' } } });
  });
});

describe('OpenAI stream translation', () => {
  it('re-emits content and tool-call deltas and puts the usage chunk last', () => {
    const sse =
      chunk({ role: 'assistant', content: '' }, null, { usage: null }) +
      chunk({ content: 'Hel' }, null, { usage: null }) +
      chunk({ content: 'lo' }, null, { usage: null }) +
      chunk({
        tool_calls: [{ index: 0, id: 't1', type: 'function', function: { name: 'f', arguments: '' } }],
      }) +
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] }) +
      chunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }) +
      chunk({}, 'tool_calls') +
      frame({
        id: 'c1',
        object: 'chat.completion.chunk',
        created: 5,
        model: 'gpt-x',
        choices: [],
        usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 },
      }) +
      'data: [DONE]\n\n';
    const { chunks, provider: translator } = translate(openai, sse);
    expect(translator.done).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello');
    expect(
      chunks
        .flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])
        .map((d) => d.function?.arguments ?? '')
        .join(''),
    ).toBe('{"a":1}');
    expect(chunks.every((c) => c.id === 'c1' && c.model === 'gpt-x')).toBe(true);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('tool_calls');
    expect(chunks.at(-1)).toEqual({
      id: 'c1',
      object: 'chat.completion.chunk',
      created: 5,
      model: 'gpt-x',
      choices: [],
      usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 },
    });
    expect(chunks.slice(0, -1).every((c) => c.usage === undefined)).toBe(true);
  });

  it('splits usage that rides on the finish chunk (Mistral, Groq) into its own last chunk', () => {
    const mistralStyle =
      chunk({ content: 'a' }) +
      chunk({}, 'stop', { usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }) +
      'data: [DONE]\n\n';
    const { chunks } = translate(mistral, mistralStyle);
    expect(chunks.map((c) => [c.choices.length, c.usage?.total_tokens])).toEqual([
      [1, undefined],
      [1, undefined],
      [0, 2],
    ]);
    const groqStyle =
      chunk({ content: 'a' }) +
      chunk({}, 'stop', { x_groq: { usage: { prompt_tokens: 4, completion_tokens: 5, total_tokens: 9 } } }) +
      'data: [DONE]\n\n';
    expect(translate(groq, groqStyle).chunks.at(-1)?.usage?.total_tokens).toBe(9);
  });

  it("skips Azure's anonymous content-filter chunk and takes identity from the first real one", () => {
    const sse =
      frame({
        choices: [],
        created: 0,
        id: '',
        model: '',
        object: '',
        prompt_filter_results: [{ prompt_index: 0 }],
      }) +
      chunk({ content: 'x' }) +
      'data: [DONE]\n\n';
    const { chunks } = translate(azure, sse);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatchObject({ id: 'c1', created: 5, model: 'gpt-x' });
  });

  it('turns an in-stream error into a translator error and ignores keep-alive noise', () => {
    const sse =
      chunk({ content: 'x' }) +
      'data: not json\n\n' +
      frame({ error: { message: 'boom', type: 'server_error', param: null, code: null } }) +
      chunk({ content: 'never' });
    const { chunks, provider: translator } = translate(openai, sse);
    expect(chunks).toHaveLength(1);
    expect(translator.error).toMatchObject({
      status: 500,
      retryable: true,
      body: { error: { message: 'boom' } },
    });
  });
});

describe('stop sequences of OpenAI-style answers', () => {
  const completion = (choice: Record<string, unknown>) => ({
    id: 'c',
    choices: [{ index: 0, message: { role: 'assistant', content: 'One, two' }, ...choice }],
  });

  it("reports a stop sequence only when the server names it (vLLM's stop_reason), never from finish_reason alone", () => {
    const vllm = openai.parseResponse(completion({ finish_reason: 'stop', stop_reason: ', three' }), 'm');
    expect(vllm.choices[0]?.stop_sequence).toBe(', three');
    const plain = openai.parseResponse(completion({ finish_reason: 'stop' }), 'm');
    expect(plain.choices[0]).not.toHaveProperty('stop_sequence');
    // a stop token id or a natural end (null) is no stop sequence of the caller's
    for (const stopReason of [128009, null]) {
      const parsed = openai.parseResponse(
        completion({ finish_reason: 'stop', stop_reason: stopReason }),
        'm',
      );
      expect(parsed.choices[0]).not.toHaveProperty('stop_sequence');
    }

    const chunks: ChatCompletionChunk[] = [];
    const translator = openai.createStreamTranslator('m', (chunk) => chunks.push(chunk));
    const frame = (choice: Record<string, unknown>) =>
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [choice] })}\n\n`;
    const sse = `${frame({ index: 0, delta: { content: 'One, two' }, finish_reason: null, stop_reason: null })}${frame({ index: 0, delta: {}, finish_reason: 'stop', stop_reason: ', three' })}data: [DONE]\n\n`;
    for (const e of parseSseText(sse)) translator.push(e);
    expect(chunks[0]?.choices[0]).not.toHaveProperty('stop_sequence');
    expect(chunks[1]?.choices[0]).toMatchObject({ finish_reason: 'stop', stop_sequence: ', three' });
    expect(translator.inputUsage).toBeNull();
  });
});

describe('provider registry', () => {
  it('resolves built-in ids and accepts a new compatible provider in a few lines', () => {
    for (const id of [
      'openai',
      'azure',
      'anthropic',
      'gemini',
      'mistral',
      'groq',
      'deepseek',
      'openrouter',
      'ollama',
      'vllm',
      'openai-compatible',
    ]) {
      expect(getProvider(id)?.id).toBe(id);
    }
    expect(getProvider('nope')).toBeUndefined();
    registerProvider(
      defineOpenAICompatible({ id: 'together', name: 'Together', baseUrl: 'https://api.together.xyz/v1' }),
    );
    expect(getProvider('together')?.buildRequest(request, 'm', credential).url).toBe(
      'https://api.together.xyz/v1/chat/completions',
    );
  });
});
