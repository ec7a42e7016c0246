import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BEDROCK_FAKE_REGION, BEDROCK_TEST_SECRET } from '../../../test/fakes/llm/bedrock.ts';
import { countWords } from '../../../test/fakes/llm/script.ts';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { eventually } from './harness.ts';

/*
 * Titan Text Embeddings through /v1/embeddings, one InvokeModel per text, when one of the texts is
 * refused: Bedrock bills every InvokeModel it answered, so the call log must meter what those answers
 * counted — or the gateway must refuse the input before sending any of them. An empty text is refused
 * by Titan every time, which lets any consumer make the platform pay for up to 2047 calls for free.
 */

const TITAN = 'amazon.titan-embed-text-v2:0';
const invokes = (fake: FakeLlm, from: number) =>
  fake.requests.slice(from).filter((request) => request.path.endsWith('/invoke'));

let world: AiWorld;
let fake: FakeLlm;
let seeded: Awaited<ReturnType<typeof seedAiApi>>;
let client: OpenAI;

beforeAll(async () => {
  world = await startAiWorld(false);
  fake = await startFakeLlm({ flavor: 'bedrock', apiKey: BEDROCK_TEST_SECRET });
  seeded = await seedAiApi(world, {
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
      routes: [{ name: 'titan', maxAttempts: 1, targets: [{ credentialId: ok, model: TITAN }] }],
    }),
    prices: [{ provider: 'bedrock', model: TITAN, inputPerMillion: '20', outputPerMillion: '0' }],
  });
  client = new OpenAI({ apiKey: seeded.consumer.plaintext, baseURL: `${seeded.base}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await fake?.close();
  await world?.close();
});

const texts = Array.from({ length: 11 }, (_, i) => `billed text number ${i}`);

describe('Titan embeddings with a text Bedrock refuses', () => {
  it('refuses an empty text before sending any InvokeModel', async () => {
    const before = fake.requests.length;
    const failure = await client.embeddings
      .create({ model: 'titan', input: [...texts.slice(0, 3), ''], encoding_format: 'float' })
      .then(
        () => null,
        (error: unknown) => error as InstanceType<typeof OpenAI.APIError>,
      );
    expect(failure?.status).toBe(400);
    expect(invokes(fake, before)).toEqual([]);
  });

  it('meters the texts Bedrock answered (and billed) when a later one fails', async () => {
    // the refused text answers last, so every other InvokeModel has been answered by then
    fake.configure({
      latencyOf: (request) => ((request.body as { inputText?: string }).inputText === '' ? 100 : 0),
    });
    try {
      const before = fake.requests.length;
      await client.embeddings
        .create({ model: 'titan', input: [...texts, ''], encoding_format: 'float' })
        .catch(() => undefined);
      const answered = invokes(fake, before).filter(
        (request) => (request.body as { inputText?: string }).inputText !== '',
      );
      expect(answered).toHaveLength(texts.length);
      await eventually(async () => {
        await world.gateway.flushUsage();
        return (await world.db.aiCallLog.count({ where: { apiId: seeded.api.id, model: 'titan' } })) >= 1;
      }, 3_000);
      const row = await world.db.aiCallLog.findFirst({
        where: { apiId: seeded.api.id, model: 'titan' },
        orderBy: { at: 'desc' },
      });
      expect(row?.tokensIn).toBe(countWords(texts));
      expect(row?.costMicros).toBe(BigInt(20 * countWords(texts)));
    } finally {
      fake.configure({ latencyOf: () => 0 });
    }
  });
});
