import { describe, expect, it } from 'vitest';
import type { AiCallError } from '../../errors.ts';
import { parseSseText } from '../../sse.ts';
import type { ChatCompletion, ChatCompletionChunk } from '../../types.ts';
import { anthropicToUnified, parseAnthropicRequest } from './request.ts';
import { toAnthropicError, unifiedToAnthropicMessage } from './response.ts';
import { AnthropicStreamEncoder } from './stream.ts';

const minimal = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };

function parsed(body: unknown) {
  const result = parseAnthropicRequest(body);
  if (!result.ok) throw new Error(result.error.error.message);
  return result.value;
}

describe('parseAnthropicRequest', () => {
  it("answers invalid requests in Anthropic's error shape, naming the field", () => {
    expect(parseAnthropicRequest({ model: 'c', messages: minimal.messages })).toEqual({
      ok: false,
      error: {
        type: 'error',
        error: { type: 'invalid_request_error', message: 'max_tokens: Field required' },
      },
    });
    const badBlock = parseAnthropicRequest({
      ...minimal,
      messages: [{ role: 'user', content: [{ type: 'video', url: 'x' }] }],
    });
    expect(badBlock.ok ? '' : badBlock.error.error.message).toMatch(/^messages\.0\.content/);
    expect(parseAnthropicRequest(minimal).ok).toBe(true);
  });
});

describe('anthropicToUnified', () => {
  it('turns blocks, tool use and tool results into OpenAI messages in the right order', () => {
    const unified = anthropicToUnified(
      parsed({
        ...minimal,
        system: [{ type: 'text', text: 'Be brief.' }],
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
            ],
          },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'hmm', signature: 'sig' },
              { type: 'text', text: 'Let me check.' },
              { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { q: 'png' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'a chart' }] },
              { type: 'text', text: 'Thanks!' },
            ],
          },
        ],
        stop_sequences: ['END'],
        temperature: 0.5,
        top_k: 20,
        metadata: { user_id: 'u-1' },
        stream: true,
        tools: [{ name: 'lookup', description: 'looks up', input_schema: { type: 'object' } }],
        tool_choice: { type: 'any', disable_parallel_tool_use: true },
      }),
    );
    expect(unified.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBOR' } },
        ],
      },
      {
        role: 'assistant',
        content: 'Let me check.',
        tool_calls: [
          { id: 'toolu_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"png"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'a chart' },
      { role: 'user', content: 'Thanks!' },
    ]);
    expect(unified).toMatchObject({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      stop: ['END'],
      temperature: 0.5,
      top_k: 20,
      user: 'u-1',
      stream: true,
      tools: [
        {
          type: 'function',
          function: { name: 'lookup', description: 'looks up', parameters: { type: 'object' } },
        },
      ],
      tool_choice: 'required',
      parallel_tool_calls: false,
    });
  });

  it('marks tool errors and maps a forced tool', () => {
    const unified = anthropicToUnified(
      parsed({
        ...minimal,
        messages: [
          { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: 't', content: 'timeout', is_error: true }],
          },
        ],
        tools: [{ name: 'f', input_schema: { type: 'object' } }],
        tool_choice: { type: 'tool', name: 'f' },
      }),
    );
    expect(unified.messages[1]).toEqual({ role: 'tool', tool_call_id: 't', content: 'Error: timeout' });
    expect(unified.tool_choice).toEqual({ type: 'function', function: { name: 'f' } });
  });
});

describe('unifiedToAnthropicMessage', () => {
  it('answers with content blocks, a stop reason and cache-aware usage', () => {
    const message = unifiedToAnthropicMessage(
      {
        id: 'chatcmpl-9',
        object: 'chat.completion',
        created: 1,
        model: 'gpt-4o',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: 'Sure.',
              tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
            },
            finish_reason: 'tool_calls',
            logprobs: null,
          },
        ],
      },
      { promptTokens: 30, completionTokens: 5, totalTokens: 35, cachedPromptTokens: 10, estimated: false },
    );
    expect(message).toEqual({
      id: 'msg_chatcmpl-9',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o',
      content: [
        { type: 'text', text: 'Sure.' },
        { type: 'tool_use', id: 'call_1', name: 'f', input: { a: 1 } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 20, output_tokens: 5, cache_read_input_tokens: 10 },
    });
  });

  it('maps call failures to Anthropic error types with the same status', () => {
    const failure = (status: number): AiCallError => ({
      kind: 'upstream',
      provider: 'openai',
      status,
      upstreamStatus: status,
      retryable: status >= 429,
      retryAfterMs: null,
      body: { error: { message: 'm', type: 't', param: null, code: null } },
    });
    expect(toAnthropicError(failure(429))).toEqual({
      status: 429,
      body: { type: 'error', error: { type: 'rate_limit_error', message: 'm' } },
    });
    expect(toAnthropicError(failure(400)).body.error.type).toBe('invalid_request_error');
    expect(toAnthropicError(failure(503)).body.error.type).toBe('overloaded_error');
    expect(toAnthropicError(failure(502)).body.error.type).toBe('api_error');
  });
});

describe('AnthropicStreamEncoder', () => {
  const base = { id: 'chatcmpl-s', object: 'chat.completion.chunk' as const, created: 1, model: 'gpt-4o' };
  const delta = (
    d: ChatCompletionChunk['choices'][number]['delta'],
    finish: ChatCompletionChunk['choices'][number]['finish_reason'] = null,
  ): ChatCompletionChunk => ({
    ...base,
    choices: [{ index: 0, delta: d, finish_reason: finish }],
  });

  it('writes the Anthropic event sequence for text followed by a tool call', () => {
    let text = '';
    const encoder = new AnthropicStreamEncoder(
      'claude-sonnet-4-5',
      (frame) => {
        text += frame;
      },
      { input_tokens: 9, output_tokens: 0 },
    );
    encoder.push(delta({ role: 'assistant', content: '' }));
    encoder.push(delta({ content: 'Hi' }));
    encoder.push(delta({ content: ' there' }));
    encoder.push(
      delta({
        tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }],
      }),
    );
    encoder.push(delta({ tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] }));
    encoder.push(delta({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }));
    encoder.push(delta({}, 'tool_calls'));
    encoder.push({
      ...base,
      choices: [],
      usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 },
    });
    encoder.finish({ promptTokens: 9, completionTokens: 4, totalTokens: 13, estimated: false }, null);
    const events = parseSseText(text).map((e) => ({ event: e.event, data: JSON.parse(e.data) }));
    expect(events.every((e) => e.event === e.data.type)).toBe(true);
    expect(events.map((e) => e.data)).toEqual([
      {
        type: 'message_start',
        message: {
          id: 'msg_chatcmpl-s',
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 9, output_tokens: 0 },
        },
      },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' there' } },
      { type: 'content_block_stop', index: 0 },
      {
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: 'call_1', name: 'f', input: {} },
      },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"a"' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: ':1}' } },
      { type: 'content_block_stop', index: 1 },
      {
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: { input_tokens: 9, output_tokens: 4 },
      },
      { type: 'message_stop' },
    ]);
  });

  it('ends a failed stream with an error event', () => {
    let text = '';
    const encoder = new AnthropicStreamEncoder(
      'c',
      (frame) => {
        text += frame;
      },
      { input_tokens: 1, output_tokens: 0 },
    );
    encoder.push(delta({ content: 'partial' }));
    encoder.finish(
      { promptTokens: 0, completionTokens: 0, totalTokens: 0, estimated: true },
      {
        kind: 'stream_interrupted',
        provider: 'openai',
        status: 502,
        upstreamStatus: null,
        retryable: true,
        retryAfterMs: null,
        body: { error: { message: 'broke', type: 'server_error', param: null, code: null } },
      },
    );
    const events = parseSseText(text);
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'error',
    ]);
    expect(JSON.parse(events.at(-1)?.data ?? '')).toEqual({
      type: 'error',
      error: { type: 'api_error', message: 'broke' },
    });
  });
});

describe('stop sequences on the Anthropic surface', () => {
  const completion = (choice: Partial<ChatCompletion['choices'][number]>): ChatCompletion => ({
    id: 'msg_x',
    object: 'chat.completion',
    created: 1,
    model: 'alias',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'One, two' },
        finish_reason: 'stop',
        logprobs: null,
        ...choice,
      },
    ],
  });
  const usage = { promptTokens: 4, completionTokens: 3, totalTokens: 7, estimated: false };

  it('says stop_sequence and which one when the provider named it, end_turn otherwise', () => {
    expect(unifiedToAnthropicMessage(completion({ stop_sequence: ', three' }), usage)).toMatchObject({
      stop_reason: 'stop_sequence',
      stop_sequence: ', three',
    });
    expect(unifiedToAnthropicMessage(completion({}), usage)).toMatchObject({
      stop_reason: 'end_turn',
      stop_sequence: null,
    });
  });

  it('puts the stop sequence in the streamed message_delta', () => {
    let text = '';
    const encoder = new AnthropicStreamEncoder(
      'alias',
      (frame) => {
        text += frame;
      },
      { input_tokens: 4, output_tokens: 0 },
    );
    const chunk = (choice: ChatCompletionChunk['choices'][number]): ChatCompletionChunk => ({
      id: 'c',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'alias',
      choices: [choice],
    });
    encoder.push(chunk({ index: 0, delta: { content: 'One, two' }, finish_reason: null }));
    encoder.push(chunk({ index: 0, delta: {}, finish_reason: 'stop', stop_sequence: ', three' }));
    encoder.finish(usage, null);
    const events = parseSseText(text).map((e) => JSON.parse(e.data));
    expect(events[0]?.message.usage).toEqual({ input_tokens: 4, output_tokens: 0 });
    expect(events.find((e) => e.type === 'message_delta')).toMatchObject({
      delta: { stop_reason: 'stop_sequence', stop_sequence: ', three' },
      usage: { input_tokens: 4, output_tokens: 3 },
    });
  });
});
