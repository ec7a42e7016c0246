import { describe, expect, it } from 'vitest';
import { UnsupportedRequestError } from '../../errors.ts';
import { parseSseText } from '../../sse.ts';
import type { ChatCompletionChunk, ChatCompletionRequest } from '../../types.ts';
import { anthropic } from './index.ts';

const credential = { apiKey: 'sk-ant' };

function body(request: Partial<ChatCompletionRequest>) {
  const spec = anthropic.buildRequest(
    { model: 'x', messages: [{ role: 'user', content: 'hi' }], ...request },
    'claude-sonnet-4-5',
    credential,
  );
  return JSON.parse(spec.body ?? '');
}

const event = (type: string, payload: Record<string, unknown>) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;

describe('Anthropic requests', () => {
  it('sends x-api-key and anthropic-version to /v1/messages', () => {
    const spec = anthropic.buildRequest(
      { model: 'x', messages: [{ role: 'user', content: 'hi' }], stream: true },
      'claude-sonnet-4-5',
      credential,
    );
    expect(spec.url).toBe('https://api.anthropic.com/v1/messages');
    expect(spec.headers['x-api-key']).toBe('sk-ant');
    expect(spec.headers['anthropic-version']).toBe('2023-06-01');
    expect(spec.headers.accept).toBe('text/event-stream');
    expect(JSON.parse(spec.body ?? '')).toMatchObject({
      model: 'claude-sonnet-4-5',
      stream: true,
      max_tokens: 4096,
    });
  });

  it('turns system messages, images, tool calls and tool results into Anthropic turns', () => {
    const translated = body({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Use metric.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather here?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBOR' } },
            { type: 'image_url', image_url: { url: 'https://img.test/a.jpg' } },
          ],
        },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            {
              id: 'toolu_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: '22C' },
        { role: 'user', content: 'Thanks, and tomorrow?' },
      ],
    });
    expect(translated.system).toBe('Be brief.\n\nUse metric.');
    expect(translated.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather here?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
          { type: 'image', source: { type: 'url', url: 'https://img.test/a.jpg' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '22C' },
          { type: 'text', text: 'Thanks, and tomorrow?' },
        ],
      },
    ]);
  });

  it('maps sampling, stop, tools and tool choice', () => {
    const translated = body({
      temperature: 1.6,
      top_p: 0.9,
      stop: 'END',
      max_completion_tokens: 99,
      user: 'user-7',
      tools: [
        {
          type: 'function',
          function: {
            name: 'f',
            description: 'does f',
            parameters: { type: 'object', properties: { a: { type: 'string' } } },
          },
        },
      ],
      tool_choice: 'required',
      parallel_tool_calls: false,
    });
    expect(translated).toMatchObject({
      temperature: 1,
      top_p: 0.9,
      stop_sequences: ['END'],
      max_tokens: 99,
      metadata: { user_id: 'user-7' },
      tools: [
        {
          name: 'f',
          description: 'does f',
          input_schema: { type: 'object', properties: { a: { type: 'string' } } },
        },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    });
    expect(
      body({
        tools: [{ type: 'function', function: { name: 'f' } }],
        tool_choice: { type: 'function', function: { name: 'f' } },
      }).tool_choice,
    ).toEqual({ type: 'tool', name: 'f' });
  });

  it('refuses what the Messages API cannot express', () => {
    expect(() => body({ n: 2 })).toThrow(UnsupportedRequestError);
    expect(() =>
      body({
        messages: [
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: 'not json' } }],
          },
        ],
      }),
    ).toThrow(/not a JSON object/);
  });
});

describe('Anthropic responses', () => {
  it('translates content blocks, stop reason and cache-inclusive usage', () => {
    const completion = anthropic.parseResponse(
      {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5-20250929',
        content: [
          { type: 'text', text: 'Let me look.' },
          { type: 'tool_use', id: 'toolu_9', name: 'get_weather', input: { city: 'Oslo' } },
        ],
        stop_reason: 'tool_use',
        usage: {
          input_tokens: 10,
          cache_read_input_tokens: 5,
          cache_creation_input_tokens: 2,
          output_tokens: 7,
        },
      },
      'claude',
    );
    expect(completion.model).toBe('claude-sonnet-4-5-20250929');
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: 'Let me look.',
        tool_calls: [
          {
            id: 'toolu_9',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
          },
        ],
      },
      finish_reason: 'tool_calls',
      logprobs: null,
    });
    expect(completion.usage).toEqual({
      prompt_tokens: 17,
      completion_tokens: 7,
      total_tokens: 24,
      prompt_tokens_details: { cached_tokens: 5 },
    });
    const truncated = anthropic.parseResponse(
      { content: [{ type: 'text', text: 'a' }], stop_reason: 'max_tokens' },
      'c',
    );
    expect(truncated.choices[0]?.finish_reason).toBe('length');
  });

  it('maps 429 (retryable, Retry-After), 400 (final) and 529 overloaded (retryable 503)', () => {
    const limited = anthropic.mapError(
      429,
      '{"type":"error","error":{"type":"rate_limit_error","message":"Number of requests has exceeded your rate limit"}}',
      { 'retry-after': '4' },
    );
    expect(limited).toMatchObject({
      status: 429,
      retryable: true,
      retryAfterMs: 4000,
      body: {
        error: { type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit' },
      },
    });
    const bad = anthropic.mapError(
      400,
      '{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"}}',
      {},
    );
    expect(bad).toMatchObject({
      status: 400,
      retryable: false,
      body: { error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } },
    });
    const overloaded = anthropic.mapError(
      529,
      '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
      {},
    );
    expect(overloaded).toMatchObject({
      status: 503,
      retryable: true,
      body: { error: { code: 'overloaded' } },
    });
  });
});

describe('Anthropic stream translation', () => {
  const sse = [
    event('message_start', {
      message: {
        id: 'msg_s',
        model: 'claude-x',
        content: [],
        usage: { input_tokens: 12, cache_read_input_tokens: 3, output_tokens: 1 },
      },
    }),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    event('ping', {}),
    event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Checking' } }),
    event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: ' now.' } }),
    event('content_block_stop', { index: 0 }),
    event('content_block_start', {
      index: 1,
      content_block: { type: 'tool_use', id: 'toolu_s', name: 'get_weather', input: {} },
    }),
    event('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '' } }),
    event('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":' } }),
    event('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '"Rome"}' } }),
    event('content_block_stop', { index: 1 }),
    event('message_delta', {
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { output_tokens: 21 },
    }),
    event('message_stop', {}),
  ].join('');

  it('emits role, text, tool-call and finish chunks, then the usage', () => {
    const chunks: ChatCompletionChunk[] = [];
    const translator = anthropic.createStreamTranslator('claude', (chunk) => chunks.push(chunk));
    for (const e of parseSseText(sse)) translator.push(e);
    expect(translator.done).toBe(true);
    translator.end();
    expect(chunks.map((c) => c.choices[0]?.delta ?? 'usage')).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Checking' },
      { content: ' now.' },
      {
        tool_calls: [
          { index: 0, id: 'toolu_s', type: 'function', function: { name: 'get_weather', arguments: '' } },
        ],
      },
      { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '"Rome"}' } }] },
      {},
      'usage',
    ]);
    expect(chunks[6]?.choices[0]?.finish_reason).toBe('tool_calls');
    expect(chunks.at(-1)?.usage).toEqual({
      prompt_tokens: 15,
      completion_tokens: 21,
      total_tokens: 36,
      prompt_tokens_details: { cached_tokens: 3 },
    });
    expect(chunks.every((c) => c.id === 'msg_s' && c.model === 'claude-x')).toBe(true);
  });

  it('turns an error event into a retryable translator error', () => {
    const chunks: ChatCompletionChunk[] = [];
    const translator = anthropic.createStreamTranslator('claude', (chunk) => chunks.push(chunk));
    const failing = `${event('message_start', { message: { id: 'm', usage: { input_tokens: 1 } } })}${event('error', { error: { type: 'overloaded_error', message: 'Overloaded' } })}`;
    for (const e of parseSseText(failing)) translator.push(e);
    expect(translator.error).toMatchObject({
      status: 503,
      retryable: true,
      body: { error: { message: 'Overloaded' } },
    });
    expect(chunks).toHaveLength(1);
  });
});

describe('Anthropic stop sequences', () => {
  it('keeps the matched stop sequence on the choice, streamed and not', () => {
    const completion = anthropic.parseResponse(
      {
        id: 'msg_2',
        content: [{ type: 'text', text: 'One, two' }],
        stop_reason: 'stop_sequence',
        stop_sequence: ', three',
        usage: { input_tokens: 4, output_tokens: 3 },
      },
      'c',
    );
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'stop', stop_sequence: ', three' });
    const natural = anthropic.parseResponse(
      { content: [{ type: 'text', text: 'Done.' }], stop_reason: 'end_turn', stop_sequence: null },
      'c',
    );
    expect(natural.choices[0]).not.toHaveProperty('stop_sequence');

    const chunks: ChatCompletionChunk[] = [];
    const translator = anthropic.createStreamTranslator('c', (chunk) => chunks.push(chunk));
    const sse = [
      event('message_start', { message: { id: 'm', usage: { input_tokens: 4, output_tokens: 1 } } }),
      event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'One, two' } }),
      event('content_block_stop', { index: 0 }),
      event('message_delta', {
        delta: { stop_reason: 'stop_sequence', stop_sequence: ', three' },
        usage: { output_tokens: 3 },
      }),
      event('message_stop', {}),
    ].join('');
    for (const e of parseSseText(sse)) translator.push(e);
    const finish = chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0];
    expect(finish).toMatchObject({ finish_reason: 'stop', stop_sequence: ', three' });
    expect(translator.inputUsage).toEqual({ promptTokens: 4, cachedPromptTokens: 0 });
  });
});
