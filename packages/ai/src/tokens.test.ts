import { describe, expect, it } from 'vitest';
import {
  countRequestTokens,
  encodingForModel,
  estimateCompletionTokens,
  estimateTokens,
  isTokenizerLoaded,
  loadTokenizer,
} from './tokens.ts';
import type { ChatMessage } from './types.ts';

const MULTILINGUAL = 'Привет, как дела? 你好世界';

describe('encodingForModel', () => {
  it('uses o200k for OpenAI families since GPT-4o and cl100k for everything else', () => {
    expect(encodingForModel('gpt-4o-mini')).toBe('o200k_base');
    expect(encodingForModel('openai/gpt-4.1')).toBe('o200k_base');
    expect(encodingForModel('o3-mini')).toBe('o200k_base');
    expect(encodingForModel('gpt-5')).toBe('o200k_base');
    expect(encodingForModel('gpt-4')).toBe('cl100k_base');
    expect(encodingForModel('gpt-3.5-turbo')).toBe('cl100k_base');
    expect(encodingForModel('claude-sonnet-4-5')).toBe('cl100k_base');
    expect(encodingForModel('gemini-2.0-flash')).toBe('cl100k_base');
  });
});

describe('estimateTokens', () => {
  // Runs first in this file, while no tokenizer table is loaded yet.
  it('falls back to ~4 characters per token until the tokenizer is loaded, and says so', () => {
    expect(isTokenizerLoaded('gpt-4')).toBe(false);
    const estimate = estimateTokens('x'.repeat(40), 'gpt-4');
    expect(estimate).toEqual({ tokens: 10, estimated: true, method: 'heuristic' });
  });

  it('counts with the model family tokenizer once loaded', async () => {
    await Promise.all([loadTokenizer('gpt-4'), loadTokenizer('gpt-4o')]);
    expect(isTokenizerLoaded('claude-3-haiku')).toBe(true);
    expect(estimateTokens('hello world', 'gpt-4')).toEqual({
      tokens: 2,
      estimated: true,
      method: 'cl100k_base',
    });
    // o200k packs non-Latin scripts far tighter than cl100k: the family matters.
    expect(estimateTokens(MULTILINGUAL, 'gpt-4').tokens).toBe(14);
    expect(estimateTokens(MULTILINGUAL, 'gpt-4o')).toEqual({
      tokens: 9,
      estimated: true,
      method: 'o200k_base',
    });
  });

  it('adds chat framing per message, per name and for the reply', async () => {
    await loadTokenizer('gpt-4');
    // 3 (priming) + 3 (message) + 2 ("hello world")
    expect(estimateTokens([{ role: 'user', content: 'hello world' }], 'gpt-4').tokens).toBe(8);
    // + 1 for the name field + 1 for "bob"
    expect(estimateTokens([{ role: 'user', content: 'hello world', name: 'bob' }], 'gpt-4').tokens).toBe(10);
    const withParts = estimateTokens(
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'hello world' },
            { type: 'image_url', image_url: { url: 'https://x.test/a.png', detail: 'low' } },
          ],
        },
      ],
      'gpt-4',
    );
    expect(withParts.tokens).toBe(8 + 85);
  });

  it('counts assistant tool calls and the tool definitions sent along', async () => {
    await loadTokenizer('gpt-4');
    const call = {
      role: 'assistant' as const,
      content: null,
      tool_calls: [
        {
          id: 'c1',
          type: 'function' as const,
          function: { name: 'get_weather', arguments: '{"location":"Paris"}' },
        },
      ],
    };
    // 3 + 3 + (3 + 2 name + 5 arguments)
    expect(estimateTokens([call], 'gpt-4').tokens).toBe(16);
    const tools = [
      { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object' } } },
    ];
    const without = estimateTokens([{ role: 'user', content: 'hi' }], 'gpt-4').tokens;
    expect(estimateTokens([{ role: 'user', content: 'hi' }], 'gpt-4', tools).tokens).toBeGreaterThan(
      without + 5,
    );
  });

  it('counts special-token text as text instead of throwing', async () => {
    await loadTokenizer('gpt-4');
    expect(estimateTokens('hi <|endoftext|> there', 'gpt-4').tokens).toBeGreaterThan(3);
  });

  it('estimates completions from text and tool calls', async () => {
    await loadTokenizer('gpt-4');
    expect(
      estimateCompletionTokens(
        'hello world',
        [{ name: 'get_weather', arguments: '{"location":"Paris"}' }],
        'gpt-4',
      ),
    ).toEqual({ tokens: 2 + 2 + 5, estimated: true, method: 'cl100k_base' });
  });

  it('counts documents, audio and a response schema in the input of a request', async () => {
    const ask = (content: ChatMessage['content']) => [{ role: 'user', content } as ChatMessage];
    const base = await countRequestTokens({ messages: ask([]) }, 'gpt-4');
    const words = 'alpha beta gamma delta '.repeat(50);
    const asText = await countRequestTokens({ messages: ask(words) }, 'gpt-4');
    const dataUrl = (media: string, data: string) =>
      `data:${media};base64,${Buffer.from(data).toString('base64')}`;
    const file = (file_data: string) => ask([{ type: 'file', file: { filename: 'doc', file_data } }]);
    // a text document counts as its text, any other document a token per 4 bytes
    expect(await countRequestTokens({ messages: file(dataUrl('text/plain', words)) }, 'gpt-4')).toBe(asText);
    const pdf = await countRequestTokens({ messages: file(dataUrl('application/pdf', words)) }, 'gpt-4');
    expect(pdf - base).toBe(Math.ceil(words.length / 4));
    const audio = Buffer.alloc(40_000).toString('base64');
    const heard = await countRequestTokens(
      { messages: ask([{ type: 'input_audio', input_audio: { data: audio, format: 'wav' } }]) },
      'gpt-4',
    );
    expect(heard - base).toBe(100);
    const schema = { type: 'object', properties: { answer: { type: 'string', description: words } } };
    const structured = await countRequestTokens(
      {
        messages: ask([]),
        response_format: { type: 'json_schema', json_schema: { name: 'out', schema } },
      },
      'gpt-4',
    );
    expect(structured - base).toBeGreaterThan(asText - base);
  });
});
