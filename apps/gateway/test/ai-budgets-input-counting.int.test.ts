import * as tokens from '@portcullis/ai/tokens';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';

/*
 * Counting a long prompt's tokens costs CPU on the request path; the budgets need the count only when
 * the plan has AI limits. The tokenizer's entry points are watched here to see which texts the gateway
 * counts, for a plan with limits and for one without.
 */

vi.mock('@portcullis/ai/tokens', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@portcullis/ai/tokens')>();
  return {
    ...actual,
    estimateTokens: vi.fn(actual.estimateTokens),
    countTextTokens: vi.fn(actual.countTextTokens),
  };
});

const KEY = 'sk-input-counting-000000000000';
const WORDS = 1_000;
/** one token a word for the tokenizer; no other text in this file looks like it */
const PROMPT = `${'fox '.repeat(WORDS)}in the snow`;

/** How often the gateway has counted the tokens of `text`, whichever entry point it used. */
const timesCounted = (text: string): number =>
  [...vi.mocked(tokens.estimateTokens).mock.calls, ...vi.mocked(tokens.countTextTokens).mock.calls].filter(
    ([input]) => input === text,
  ).length;

describe('AI budgets count an image prompt only when the plan has limits', () => {
  let world: AiWorld;
  let llm: FakeLlm;

  beforeAll(async () => {
    world = await startAiWorld(false);
    llm = await startFakeLlm({ flavor: 'openai', apiKey: KEY });
  });
  afterAll(async () => {
    await world?.close();
    await llm?.close();
  });

  async function clientFor(aiLimits?: unknown): Promise<OpenAI> {
    const seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [{ provider: 'openai', baseUrl: llm.baseUrl, secret: KEY }],
      ai: ([id]) => ({ routes: [{ name: 'draw', targets: [{ credentialId: id, model: 'gpt-image-1' }] }] }),
      aiLimits,
      prices: [
        {
          provider: 'openai',
          model: 'gpt-image-1',
          inputPerMillion: '5',
          outputPerMillion: '40',
          perImage: '0.011',
        },
      ],
    });
    return new OpenAI({ apiKey: seeded.consumer.plaintext, baseURL: `${seeded.base}/v1`, maxRetries: 0 });
  }

  it('generates an image without counting its prompt when the plan has no limits', async () => {
    const client = await clientFor();
    vi.mocked(tokens.estimateTokens).mockClear();
    vi.mocked(tokens.countTextTokens).mockClear();
    const image = await client.images.generate({ model: 'draw', prompt: PROMPT });
    expect(image.data).toHaveLength(1);
    expect(timesCounted(PROMPT)).toBe(0);
  });

  it('counts the prompt into the worst case under a token limit, refusing one longer than the limit', async () => {
    const client = await clientFor([
      { metric: 'tokens', window: 'day', scope: 'key', limit: String(WORDS / 2) },
    ]);
    vi.mocked(tokens.estimateTokens).mockClear();
    vi.mocked(tokens.countTextTokens).mockClear();
    const sent = llm.requests.length;
    const refused = await client.images.generate({ model: 'draw', prompt: PROMPT }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect(llm.requests.length).toBe(sent);
    expect(timesCounted(PROMPT)).toBe(1);
  });
});
