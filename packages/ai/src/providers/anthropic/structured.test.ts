import { describe, expect, it } from 'vitest';
import { UnsupportedRequestError } from '../../errors.ts';
import { parseSseText } from '../../sse.ts';
import type { ChatCompletionChunk, ChatCompletionRequest } from '../../types.ts';
import { anthropic } from './index.ts';

/* response_format on Anthropic targets: a forced tool whose input is the answer, returned as content. */

const SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' }, celsius: { type: 'number' } },
  required: ['city', 'celsius'],
};
const jsonSchema: ChatCompletionRequest['response_format'] = {
  type: 'json_schema',
  json_schema: { name: 'weather_report', schema: SCHEMA, strict: true },
};
const WEATHER_TOOL = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
};

const unified = (extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({
  model: 'x',
  messages: [{ role: 'user', content: 'Weather in Oslo?' }],
  response_format: jsonSchema,
  ...extra,
});
const body = (extra: Partial<ChatCompletionRequest> = {}) =>
  JSON.parse(anthropic.buildRequest(unified(extra), 'claude-sonnet-4-5', { apiKey: 'k' }).body ?? '');

const event = (type: string, payload: Record<string, unknown>) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;

describe('structured output for Anthropic models', () => {
  it('asks for a json_schema answer with one tool of that schema, forced', () => {
    expect(body()).toMatchObject({
      tools: [{ name: 'weather_report', input_schema: SCHEMA }],
      tool_choice: { type: 'tool', name: 'weather_report' },
    });
    expect(body({ response_format: { type: 'json_object' } })).toMatchObject({
      tools: [{ name: 'json_answer', input_schema: { type: 'object' } }],
      tool_choice: { type: 'tool', name: 'json_answer' },
    });
  });

  it("offers the format tool beside the caller's tools, or leaves it out when a call of theirs is required", () => {
    expect(body({ tools: [WEATHER_TOOL] })).toMatchObject({
      tools: [{ name: 'get_weather' }, { name: 'weather_report' }],
      tool_choice: { type: 'any' },
    });
    expect(body({ tools: [WEATHER_TOOL], tool_choice: 'none' }).tool_choice).toEqual({
      type: 'tool',
      name: 'weather_report',
    });
    const required = body({ tools: [WEATHER_TOOL], tool_choice: 'required' });
    expect(required.tools).toHaveLength(1);
    expect(required.tool_choice).toEqual({ type: 'any' });
  });

  it('refuses what a tool input cannot express: a non-object root, a name taken by a tool', () => {
    const arrayRoot = {
      type: 'json_schema' as const,
      json_schema: { name: 'list', schema: { type: 'array' } },
    };
    expect(() => body({ response_format: arrayRoot })).toThrow(UnsupportedRequestError);
    expect(() => body({ response_format: arrayRoot })).toThrow(/root must have "type": "object"/);
    const clash = { ...WEATHER_TOOL, function: { ...WEATHER_TOOL.function, name: 'weather_report' } };
    expect(() => body({ tools: [clash] })).toThrow(/already has that name/);
  });

  it("answers with the tool's input as the message content, finished with stop", () => {
    const completion = anthropic.parseResponse(
      {
        id: 'msg_1',
        content: [
          { type: 'tool_use', id: 'toolu_1', name: 'weather_report', input: { city: 'Oslo', celsius: 4 } },
        ],
        stop_reason: 'tool_use',
        usage: { input_tokens: 20, output_tokens: 9 },
      },
      'claude',
      unified(),
    );
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: { role: 'assistant', content: '{"city":"Oslo","celsius":4}' },
      finish_reason: 'stop',
      logprobs: null,
    });
  });

  it('streams the tool input as content deltas (and a real tool call as a tool call)', () => {
    const chunks: ChatCompletionChunk[] = [];
    const translator = anthropic.createStreamTranslator('claude', (c) => chunks.push(c), unified());
    const sse = [
      event('message_start', { message: { id: 'msg_s', usage: { input_tokens: 20, output_tokens: 1 } } }),
      event('content_block_start', {
        index: 0,
        content_block: { type: 'tool_use', id: 'toolu_1', name: 'weather_report', input: {} },
      }),
      event('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '' } }),
      event('content_block_delta', {
        index: 0,
        delta: { type: 'input_json_delta', partial_json: '{"city": "Os' },
      }),
      event('content_block_delta', {
        index: 0,
        delta: { type: 'input_json_delta', partial_json: 'lo", "celsius": 4}' },
      }),
      event('content_block_stop', { index: 0 }),
      event('message_delta', {
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: { output_tokens: 9 },
      }),
      event('message_stop', {}),
    ].join('');
    for (const e of parseSseText(sse)) translator.push(e);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(JSON.parse(text)).toEqual({ city: 'Oslo', celsius: 4 });
    expect(chunks.some((c) => c.choices[0]?.delta.tool_calls)).toBe(false);
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('stop');
  });

  it('answers {} for a format tool called with an empty input (no JSON deltas at all)', () => {
    const chunks: ChatCompletionChunk[] = [];
    const translator = anthropic.createStreamTranslator(
      'claude',
      (c) => chunks.push(c),
      unified({ response_format: { type: 'json_object' } }),
    );
    const sse = [
      event('message_start', { message: { id: 'm', usage: { input_tokens: 3 } } }),
      event('content_block_start', {
        index: 0,
        content_block: { type: 'tool_use', id: 't', name: 'json_answer', input: {} },
      }),
      event('content_block_stop', { index: 0 }),
    ].join('');
    for (const e of parseSseText(sse)) translator.push(e);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('{}');
  });
});
