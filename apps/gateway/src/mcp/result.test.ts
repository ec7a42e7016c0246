import type { McpToolDef } from '@portcullis/core/mcp/tools';
import { describe, expect, it } from 'vitest';
import { MAX_RESULT_TEXT, resultOf, type ToolAnswer } from './result.ts';

const base: McpToolDef = {
  name: 't',
  description: 't',
  inputSchema: { type: 'object', properties: {} },
  operation: { method: 'get', pathTemplate: '/x', params: [], bodyArgument: null, bodyRequired: false },
};
const withOutput: McpToolDef = {
  ...base,
  outputSchema: {
    type: 'object',
    properties: { id: { type: 'string', pattern: '^[a-z]+$' } },
    required: ['id'],
  },
};
const answer = (overrides: Partial<ToolAnswer>): ToolAnswer => ({
  status: 200,
  contentType: 'application/json',
  retryAfter: undefined,
  body: '{"id":"abc"}',
  truncated: false,
  ...overrides,
});

describe('resultOf', () => {
  it('gives JSON matching the output schema as structured content too', () => {
    expect(resultOf(withOutput, answer({}))).toEqual({
      content: [{ type: 'text', text: '{"id":"abc"}' }],
      structuredContent: { id: 'abc' },
    });
    expect(resultOf(base, answer({}))).toEqual({ content: [{ type: 'text', text: '{"id":"abc"}' }] });
  });

  it('is a tool error when a tool with an output schema gets something else', () => {
    for (const body of ['{"id":"ABC"}', '[1]', 'plain']) {
      expect(resultOf(withOutput, answer({ body })).isError, body).toBe(true);
    }
  });

  it("reports the API's failures and the gateway's refusals as tool errors", () => {
    const failed = resultOf(base, answer({ status: 502, body: 'bad gateway' }));
    expect(failed).toMatchObject({
      isError: true,
      content: [{ text: 'The API answered with HTTP 502: bad gateway' }],
    });
    const refused = resultOf(base, answer({ status: 403, gatewayCode: 'subscription_inactive', body: '{}' }));
    expect(refused.content[0]).toMatchObject({ text: expect.stringContaining('(subscription_inactive)') });
    const limited = resultOf(base, answer({ status: 429, retryAfter: '17', body: '' }));
    expect(limited).toMatchObject({
      isError: true,
      content: [{ text: expect.stringContaining('Retry after 17 seconds') }],
    });
  });

  it('cuts a long answer and says so', () => {
    const result = resultOf(base, answer({ body: 'x'.repeat(MAX_RESULT_TEXT + 1), truncated: true }));
    const text = (result.content[0] as { text: string }).text;
    expect(text.length).toBeLessThan(MAX_RESULT_TEXT + 100);
    expect(text).toMatch(/answer cut at/);
  });
});
