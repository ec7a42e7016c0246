import { describe, expect, it } from 'vitest';
import { openai } from './index.ts';

const body = (request: Record<string, unknown>) =>
  JSON.parse(
    openai.buildRequest(
      { model: 'x', messages: [{ role: 'user', content: 'hi' }], ...request },
      'gpt-4o-mini',
      { apiKey: 'sk-test' },
    ).body ?? '{}',
  ) as Record<string, unknown>;

describe('OpenAI chat request', () => {
  it('sends a max_tokens cap as max_completion_tokens, which reasoning models require', () => {
    const sent = body({ max_tokens: 128 });
    expect(sent.max_completion_tokens).toBe(128);
    expect(sent).not.toHaveProperty('max_tokens');
  });

  it('keeps an explicit max_completion_tokens over max_tokens', () => {
    const sent = body({ max_tokens: 128, max_completion_tokens: 64 });
    expect(sent.max_completion_tokens).toBe(64);
    expect(sent).not.toHaveProperty('max_tokens');
  });

  it('leaves a request without a cap alone', () => {
    expect(body({})).not.toHaveProperty('max_completion_tokens');
  });
});
