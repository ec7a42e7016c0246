import { describe, expect, it } from 'vitest';
import { parseSseText } from '../../sse.ts';
import type { ChatCompletionChunk, ChatCompletionRequest } from '../../types.ts';
import { cohere } from './index.ts';

const credential = { apiKey: 'co-key' };

function build(request: Partial<ChatCompletionRequest>) {
  const spec = cohere.buildRequest(
    { model: 'x', messages: [{ role: 'user', content: 'hi' }], ...request },
    'command-a-03-2025',
    credential,
  );
  return { spec, body: JSON.parse(spec.body ?? '') };
}

const event = (type: string, payload: Record<string, unknown> = {}) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;

describe('Cohere requests', () => {
  it('posts to /v2/chat with a bearer key and Cohere parameter names', () => {
    const { spec, body } = build({
      top_p: 1,
      max_completion_tokens: 20,
      stop: 'END',
      seed: 7,
      temperature: 0.2,
    });
    expect(spec.url).toBe('https://api.cohere.com/v2/chat');
    expect(spec.headers.authorization).toBe('Bearer co-key');
    expect(body).toEqual({
      model: 'command-a-03-2025',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 20,
      temperature: 0.2,
      p: 0.99,
      seed: 7,
      stop_sequences: ['END'],
    });
  });

  it('keeps tool calls (text beside them as the tool plan) and tool results', () => {
    const { body } = build({
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'Sunny' },
      ],
      tools: [
        { type: 'function', function: { name: 'weather', parameters: { type: 'object' } } },
        { type: 'function', function: { name: 'time' } },
      ],
      tool_choice: { type: 'function', function: { name: 'weather' } },
    });
    expect(body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        tool_plan: 'Checking.',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'Sunny' },
    ]);
    expect(body.tools).toEqual([
      { type: 'function', function: { name: 'weather', parameters: { type: 'object' } } },
    ]);
    expect(body.tool_choice).toBe('REQUIRED');
  });

  it('embeds through /v2/embed as float search documents', () => {
    const spec = cohere.buildEmbeddingsRequest?.({ model: 'x', input: ['a', 'b'] }, 'embed-v4.0', credential);
    expect(spec?.url).toBe('https://api.cohere.com/v2/embed');
    expect(JSON.parse(spec?.body ?? '')).toEqual({
      model: 'embed-v4.0',
      texts: ['a', 'b'],
      input_type: 'search_document',
      embedding_types: ['float'],
    });
  });
});

describe('Cohere responses', () => {
  it('reads text, tool calls and billed usage', () => {
    const text = cohere.parseResponse(
      {
        id: 'r1',
        finish_reason: 'COMPLETE',
        message: { role: 'assistant', content: [{ type: 'text', text: 'Hello' }] },
        usage: {
          billed_units: { input_tokens: 3, output_tokens: 1 },
          tokens: { input_tokens: 70, output_tokens: 1 },
        },
      },
      'command-a',
    );
    expect(text.choices[0]).toMatchObject({ message: { content: 'Hello' }, finish_reason: 'stop' });
    expect(text.usage).toEqual({ prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 });
    const tools = cohere.parseResponse(
      {
        id: 'r2',
        finish_reason: 'TOOL_CALL',
        message: {
          role: 'assistant',
          tool_plan: 'I will look.',
          tool_calls: [
            { id: 't1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
          ],
        },
      },
      'command-a',
    );
    expect(tools.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: {
        content: 'I will look.',
        tool_calls: [
          { id: 't1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
        ],
      },
    });
    expect(tools.usage).toBeUndefined();
  });

  it('streams content and tool-call events as OpenAI chunks, usage at message-end', () => {
    const chunks: ChatCompletionChunk[] = [];
    const translator = cohere.createStreamTranslator('command-a', (chunk) => chunks.push(chunk));
    const sse = [
      event('message-start', { id: 'm1', delta: { message: { role: 'assistant' } } }),
      event('content-start', { index: 0, delta: { message: { content: { type: 'text', text: '' } } } }),
      event('content-delta', { index: 0, delta: { message: { content: { text: 'Hi' } } } }),
      event('content-end', { index: 0 }),
      event('tool-plan-delta', { delta: { message: { tool_plan: 'I will' } } }),
      event('tool-call-start', {
        index: 0,
        delta: {
          message: {
            tool_calls: { id: 't1', type: 'function', function: { name: 'weather', arguments: '' } },
          },
        },
      }),
      event('tool-call-delta', {
        index: 0,
        delta: { message: { tool_calls: { function: { arguments: '{"a":' } } } },
      }),
      event('tool-call-delta', {
        index: 0,
        delta: { message: { tool_calls: { function: { arguments: '1}' } } } },
      }),
      event('tool-call-end', { index: 0 }),
      event('message-end', {
        delta: { finish_reason: 'TOOL_CALL', usage: { billed_units: { input_tokens: 5, output_tokens: 9 } } },
      }),
    ].join('');
    for (const e of parseSseText(sse)) translator.push(e);
    translator.end();
    expect(translator.done).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta ?? c.usage)).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Hi' },
      {
        tool_calls: [{ index: 0, id: 't1', type: 'function', function: { name: 'weather', arguments: '' } }],
      },
      { tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '1}' } }] },
      {},
      { prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 },
    ]);
    expect(chunks[5]?.choices[0]?.finish_reason).toBe('tool_calls');
    expect(chunks.every((c) => c.id === 'm1')).toBe(true);
  });

  it('turns a message-end with finish_reason ERROR into a stream error', () => {
    const translator = cohere.createStreamTranslator('command-a', () => undefined);
    for (const e of parseSseText(
      event('message-end', { delta: { finish_reason: 'ERROR', error: 'boom' } }),
    )) {
      translator.push(e);
    }
    expect(translator.error).toMatchObject({
      status: 500,
      retryable: true,
      body: { error: { message: 'boom' } },
    });
  });

  it('maps {message} error bodies; 401 is a refused key', () => {
    const bad = cohere.mapError(400, JSON.stringify({ id: 'x', message: 'invalid request: p too big' }), {});
    expect(bad).toMatchObject({ status: 400, body: { error: { message: 'invalid request: p too big' } } });
    expect(cohere.mapError(401, JSON.stringify({ message: 'invalid api token' }), {}).body.error.code).toBe(
      'upstream_credentials_rejected',
    );
  });

  it('reads float embeddings and their billed input tokens', () => {
    const result = cohere.parseEmbeddingsResponse?.(
      { embeddings: { float: [[0.1, 0.2]] }, meta: { billed_units: { input_tokens: 4 } } },
      'embed-v4.0',
    );
    expect(result).toEqual({ vectors: [[0.1, 0.2]], promptTokens: 4, model: 'embed-v4.0' });
  });
});
