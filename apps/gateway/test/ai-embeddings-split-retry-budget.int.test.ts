import { countTextTokens } from '@portcullis/ai/tokens';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BEDROCK_FAKE_REGION, BEDROCK_TEST_SECRET } from '../../../test/fakes/llm/bedrock.ts';
import { countWords } from '../../../test/fakes/llm/script.ts';
import { type CapturedRequest, type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { eventually } from './harness.ts';

/*
 * Titan embeddings split over one InvokeModel per text, under a plan's daily token limit that holds one
 * worst case of the call (its input) but not two. When a later InvokeModel is unavailable (503), the
 * answered ones are billed and a retry would send the whole input again: a second worst case the limit
 * cannot hold. Like a chat fallback the budget cannot hold (ai-budgets-attempts.int.test.ts), the retry
 * must not be sent on the first attempt's reservation: the call is billed for one pass at most.
 */

const TITAN = 'amazon.titan-embed-text-v2:0';
const texts = Array.from({ length: 11 }, (_, i) => `billed text number ${i}`);
const THROTTLED = 'a text Bedrock is too busy for once';
const UNAVAILABLE = { status: 503, message: 'Bedrock is unable to process your request.' };
const textOf = (request: CapturedRequest) => (request.body as { inputText?: string }).inputText;

let world: AiWorld;
let fake: FakeLlm;

beforeAll(async () => {
  world = await startAiWorld(false);
  fake = await startFakeLlm({ flavor: 'bedrock', apiKey: BEDROCK_TEST_SECRET });
});
afterAll(async () => {
  await fake?.close();
  await world?.close();
});

describe('a retried split embeddings call under a token limit', () => {
  it('sends no retry the limit cannot hold, and is billed for one pass at most', async () => {
    const input = [...texts, THROTTLED];
    let worst = 0;
    for (const text of input) worst += await countTextTokens(text, TITAN);
    const limit = worst + Math.floor(worst / 2);
    const seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [
        {
          provider: 'bedrock',
          baseUrl: fake.baseUrl,
          secret: BEDROCK_TEST_SECRET,
          headers: { 'aws-region': BEDROCK_FAKE_REGION },
        },
      ],
      ai: ([ok]) => ({
        routes: [{ name: 'titan-retried', maxAttempts: 2, targets: [{ credentialId: ok, model: TITAN }] }],
      }),
      aiLimits: [{ metric: 'tokens', window: 'day', scope: 'key', limit: String(limit) }],
      prices: [{ provider: 'bedrock', model: TITAN, inputPerMillion: '20', outputPerMillion: '0' }],
    });
    const client = new OpenAI({
      apiKey: seeded.consumer.plaintext,
      baseURL: `${seeded.base}/v1`,
      maxRetries: 0,
    });

    let refusals = 0;
    const first = (request: CapturedRequest) => textOf(request) === THROTTLED && refusals === 0;
    fake.configure({
      latencyOf: (request) => (first(request) ? 100 : 0),
      failureOf: (request) => {
        if (!first(request)) return undefined;
        refusals++;
        return UNAVAILABLE;
      },
    });
    const before = fake.requests.length;
    try {
      await client.embeddings
        .create({ model: 'titan-retried', input, encoding_format: 'float' })
        .catch(() => null);
    } finally {
      fake.configure({ latencyOf: () => 0, failureOf: () => undefined });
    }
    await eventually(async () => {
      await world.gateway.flushUsage();
      return (await world.db.aiCallLog.count({ where: { apiId: seeded.api.id } })) >= 1;
    }, 3_000);
    const row = await world.db.aiCallLog.findFirstOrThrow({ where: { apiId: seeded.api.id } });
    // The limit holds one pass over the input, not two: the call may be billed for one at most (the
    // fake provider counts words, the reservation the tokenizer's estimate of the same texts).
    const sent = fake.requests.slice(before).filter((request) => request.path.endsWith('/invoke'));
    expect(sent.length).toBeLessThanOrEqual(input.length);
    expect(row.tokensIn).toBeLessThanOrEqual(countWords(input));
  });
});
