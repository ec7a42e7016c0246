import { describe, expect, it } from 'vitest';
import type { AiCallError } from '../../errors.ts';
import type { ChatCompletionChunk, ChunkDelta, FinishReason, TokenUsage } from '../../types.ts';
import { inputItems, parseResponsesRequest, type ResponsesRequest, responsesToUnified } from './request.ts';
import { completionToResponse, startResponse } from './response.ts';
import { ResponsesStreamEncoder } from './stream.ts';

const parse = (body: unknown): ResponsesRequest => {
  const parsed = parseResponsesRequest(body);
  if (!parsed.ok) throw new Error(parsed.error.error.message);
  return parsed.value;
};

const USAGE: TokenUsage = { promptTokens: 7, completionTokens: 3, totalTokens: 10, estimated: false };

describe('Responses request → unified request', () => {
  it('turns instructions, messages, function calls and their outputs into chat messages', () => {
    const request = parse({
      model: 'm',
      instructions: 'Be brief',
      input: [
        { role: 'developer', content: 'Answer in English' },
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is in ' },
            { type: 'input_image', image_url: 'https://example.test/a.png', detail: 'low' },
          ],
        },
        {
          type: 'message',
          role: 'assistant',
          id: 'msg_1',
          status: 'completed',
          content: [{ type: 'output_text', text: 'Let me look.', annotations: [] }],
        },
        { type: 'function_call', id: 'fc_1', call_id: 'call_a', name: 'look', arguments: '{"x":1}' },
        { type: 'function_call', id: 'fc_2', call_id: 'call_b', name: 'look', arguments: '{"x":2}' },
        { type: 'reasoning', id: 'rs_1', summary: [] },
        { type: 'function_call_output', call_id: 'call_a', output: 'a cat' },
        { type: 'function_call_output', call_id: 'call_b', output: [{ type: 'input_text', text: 'a dog' }] },
      ],
      tools: [{ type: 'function', name: 'look', parameters: { type: 'object' }, strict: true }],
      tool_choice: { type: 'function', name: 'look' },
      parallel_tool_calls: false,
      max_output_tokens: 64,
      temperature: 0.2,
      user: 'u-1',
      reasoning: { effort: 'low', summary: 'auto' },
    });
    expect(responsesToUnified(request, [])).toEqual({
      model: 'm',
      messages: [
        { role: 'system', content: 'Be brief' },
        { role: 'system', content: 'Answer in English' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in ' },
            { type: 'image_url', image_url: { url: 'https://example.test/a.png', detail: 'low' } },
          ],
        },
        {
          role: 'assistant',
          content: 'Let me look.',
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'look', arguments: '{"x":1}' } },
            { id: 'call_b', type: 'function', function: { name: 'look', arguments: '{"x":2}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_a', content: 'a cat' },
        { role: 'tool', tool_call_id: 'call_b', content: 'a dog' },
      ],
      max_completion_tokens: 64,
      temperature: 0.2,
      user: 'u-1',
      reasoning_effort: 'low',
      tools: [{ type: 'function', function: { name: 'look', parameters: { type: 'object' }, strict: true } }],
      tool_choice: { type: 'function', function: { name: 'look' } },
      parallel_tool_calls: false,
    });
  });

  it('puts the stored history before the new input and maps text.format to response_format', () => {
    const request = parse({
      model: 'm',
      input: 'And now?',
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } },
    });
    const history = inputItems(parse({ model: 'm', input: 'Before' }));
    const unified = responsesToUnified(request, history);
    expect(unified.messages).toEqual([
      { role: 'user', content: 'Before' },
      { role: 'user', content: 'And now?' },
    ]);
    expect(unified.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'out', schema: { type: 'object' }, strict: true },
    });
  });

  it('refuses what it cannot serve, naming it and where it is', () => {
    const refusal = (body: unknown) => {
      const parsed = parseResponsesRequest(body);
      return parsed.ok ? null : parsed.error.error;
    };
    expect(refusal({ model: 'm', input: 'x', tools: [{ type: 'code_interpreter' }] })).toMatchObject({
      param: 'tools[0].type',
      code: 'unsupported_parameter',
    });
    expect(
      refusal({ model: 'm', input: 'x', tool_choice: { type: 'web_search_preview' } })?.message,
    ).toContain('web_search_preview');
    expect(refusal({ model: 'm', input: 'x', conversation: 'conv_1' })?.param).toBe('conversation');
    expect(
      refusal({
        model: 'm',
        input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1' }] }],
      })?.message,
    ).toContain('file_id');
    expect(
      refusal({ model: 'm', input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }),
    ).toMatchObject({
      param: 'input[0].call_id',
      code: 'missing_required_parameter',
    });
    expect(refusal({ model: 'm', input: 'x', metadata: { k: 1 } })?.param).toBe('metadata.k');
  });
});

const chunk = (delta: ChunkDelta, finish: FinishReason | null = null): ChatCompletionChunk => ({
  id: 'c',
  object: 'chat.completion.chunk',
  created: 0,
  model: 'm',
  choices: [{ index: 0, delta, finish_reason: finish }],
});

function encode(chunks: ChatCompletionChunk[], error: AiCallError | null = null) {
  const events: { type: string; sequence_number: number; [key: string]: unknown }[] = [];
  const started = startResponse('resp_1', parse({ model: 'm', input: 'x' }), 0);
  const encoder = new ResponsesStreamEncoder(started, (frame) => {
    const data = frame.split('\n').find((line) => line.startsWith('data: '));
    events.push(JSON.parse(data?.slice(6) ?? '{}'));
  });
  for (const c of chunks) encoder.push(c);
  const finished = encoder.finish(USAGE, error);
  encoder.complete(finished);
  return { events, finished };
}

describe('Responses stream encoder', () => {
  it('numbers events and closes text before the function calls that follow it', () => {
    const { events, finished } = encode([
      chunk({ role: 'assistant', content: 'Hi' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'f', arguments: '{"a"' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', function: { name: 'g', arguments: '{}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(finished.output).toMatchObject([
      { type: 'message', content: [{ type: 'output_text', text: 'Hi' }] },
      { type: 'function_call', call_id: 'call_a', name: 'f', arguments: '{"a":1}', status: 'completed' },
      { type: 'function_call', call_id: 'call_b', name: 'g', arguments: '{}' },
    ]);
    expect(finished.usage).toMatchObject({ input_tokens: 7, output_tokens: 3, total_tokens: 10 });
  });

  it('reports a length cut as incomplete and a broken stream as error then response.failed', () => {
    const cut = encode([chunk({ content: 'Hello' }, 'length')]);
    expect(cut.events.at(-1)?.type).toBe('response.incomplete');
    expect(cut.finished).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
    });
    const error = {
      kind: 'upstream',
      provider: 'openai',
      status: 502,
      upstreamStatus: 500,
      retryable: true,
      retryAfterMs: null,
      body: { error: { message: 'boom', type: 'api_error', param: null, code: 'upstream_error' } },
    } as AiCallError;
    const broken = encode([chunk({ content: 'Hel' })], error);
    expect(broken.events.slice(-2)).toMatchObject([
      { type: 'error', code: 'upstream_error', message: 'boom' },
      { type: 'response.failed', response: { status: 'failed', error: { code: 'upstream_error' } } },
    ]);
  });

  it('answers a non-streamed completion with the same output items', () => {
    const started = startResponse('resp_2', parse({ model: 'm', input: 'x', store: false }), 0);
    const response = completionToResponse(
      started,
      {
        id: 'c',
        object: 'chat.completion',
        created: 0,
        model: 'm',
        choices: [
          {
            index: 0,
            finish_reason: 'tool_calls',
            logprobs: null,
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [{ id: 'call_z', type: 'function', function: { name: 'f', arguments: '{}' } }],
            },
          },
        ],
      },
      USAGE,
    );
    expect(response).toMatchObject({
      id: 'resp_2',
      status: 'completed',
      store: false,
      output: [{ type: 'function_call', call_id: 'call_z', name: 'f', status: 'completed' }],
    });
    expect(response.output[0]?.id).toMatch(/^fc_/);
  });
});
