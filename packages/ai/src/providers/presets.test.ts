import { describe, expect, it } from 'vitest';
import { getProvider } from './index.ts';

describe('OpenAI-compatible presets', () => {
  it.each([
    ['xai', 'https://api.x.ai/v1', false],
    ['together', 'https://api.together.xyz/v1', true],
    ['fireworks', 'https://api.fireworks.ai/inference/v1', true],
    ['perplexity', 'https://api.perplexity.ai', false],
  ])('%s calls %s/chat/completions with a bearer key', (id, base, embeddings) => {
    const provider = getProvider(id);
    if (!provider) throw new Error(`${id} is not registered`);
    const spec = provider.buildRequest(
      { model: 'x', messages: [{ role: 'user', content: 'hi' }] },
      'some-model',
      { apiKey: 'preset-key' },
    );
    expect(spec.url).toBe(`${base}/chat/completions`);
    expect(spec.headers.authorization).toBe('Bearer preset-key');
    expect(JSON.parse(spec.body ?? '').model).toBe('some-model');
    expect(provider.supports.embeddings).toBe(embeddings);
  });
});
