import { describe, expect, it } from 'vitest';
import {
  jsonDepth,
  MAX_BODY_DEPTH,
  parseChatRequest,
  parseEmbeddingRequest,
  parseJsonBody,
} from './validate.ts';

const valid = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };

describe('parseChatRequest', () => {
  it('accepts a full OpenAI request and keeps unknown provider fields for pass-through', () => {
    const result = parseChatRequest({
      ...valid,
      messages: [
        { role: 'system', content: 'be brief' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'hi' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AA' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'ok' },
      ],
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
      response_format: { type: 'json_schema', json_schema: { name: 's', schema: { type: 'object' } } },
      top_k: 40,
    });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.top_k).toBe(40);
  });

  it('names a missing parameter the way OpenAI does', () => {
    expect(parseChatRequest({ model: 'gpt-4o' })).toEqual({
      ok: false,
      error: {
        error: {
          message: "Missing required parameter: 'messages'.",
          type: 'invalid_request_error',
          param: 'messages',
          code: 'missing_required_parameter',
        },
      },
    });
  });

  it('points at the nested field that is wrong', () => {
    const result = parseChatRequest({ ...valid, messages: [{ role: 'user', content: 42 }] });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.error.param).toBe('messages[0].content');
      expect(result.error.error.type).toBe('invalid_request_error');
      expect(result.error.error.message).toContain("Invalid value for 'messages[0].content'");
    }
  });

  it('checks ranges, roles and tool names', () => {
    const param = (body: unknown) => {
      const result = parseChatRequest(body);
      return result.ok ? null : result.error.error.param;
    };
    expect(param({ ...valid, temperature: 3 })).toBe('temperature');
    expect(param({ ...valid, n: 0 })).toBe('n');
    expect(param({ ...valid, messages: [{ role: 'wizard', content: 'x' }] })).toBe('messages[0].role');
    expect(param({ ...valid, messages: [{ role: 'tool', content: 'x' }] })).toBe('messages[0].tool_call_id');
    expect(param({ ...valid, tools: [{ type: 'function', function: { name: 'bad name!' } }] })).toBe(
      'tools[0].function.name',
    );
    expect(param({ ...valid, messages: [] })).toBe('messages');
  });

  it('refuses bodies that are not JSON objects', () => {
    const result = parseChatRequest([1, 2]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.error.message).toMatch(/JSON object/);
  });
});

describe('parseEmbeddingRequest', () => {
  it('accepts strings, string arrays and token arrays, and rejects the rest', () => {
    expect(parseEmbeddingRequest({ model: 'e', input: 'a' }).ok).toBe(true);
    expect(parseEmbeddingRequest({ model: 'e', input: ['a', 'b'], encoding_format: 'base64' }).ok).toBe(true);
    expect(parseEmbeddingRequest({ model: 'e', input: [[1, 2], [3]] }).ok).toBe(true);
    const bad = parseEmbeddingRequest({ model: 'e', input: 'a', encoding_format: 'hex' });
    expect(bad.ok ? null : bad.error.error.param).toBe('encoding_format');
  });
});

describe('parseJsonBody', () => {
  it('answers invalid JSON with an OpenAI 400 body instead of throwing', () => {
    const result = parseJsonBody('{"model":');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.error.type).toBe('invalid_request_error');
    expect(parseJsonBody('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
  });
});

describe('jsonDepth', () => {
  it('counts brackets outside strings only, escapes included', () => {
    expect(jsonDepth('{}')).toBe(1);
    expect(jsonDepth('{"a":[{"b":[1,2]}]}')).toBe(4);
    expect(jsonDepth('{"a":"[[[{{{"}')).toBe(1);
    expect(jsonDepth('{"a":"\\"[[["}')).toBe(1);
    expect(jsonDepth('"just a string"')).toBe(0);
  });

  it('refuses a body nested past the limit before parsing it', () => {
    const deep = `${'['.repeat(MAX_BODY_DEPTH + 1)}${']'.repeat(MAX_BODY_DEPTH + 1)}`;
    const parsed = parseJsonBody(deep);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.error.code).toBe('body_too_deep');
    expect(parseJsonBody(`${'['.repeat(MAX_BODY_DEPTH)}${']'.repeat(MAX_BODY_DEPTH)}`).ok).toBe(true);
  });
});
