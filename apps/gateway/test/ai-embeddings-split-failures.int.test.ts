import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BEDROCK_FAKE_REGION, BEDROCK_TEST_SECRET } from '../../../test/fakes/llm/bedrock.ts';
import { countWords } from '../../../test/fakes/llm/script.ts';
import { type CapturedRequest, type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { eventually } from './harness.ts';

/*
 * Titan Text Embeddings through /v1/embeddings, one InvokeModel per text, when one of the texts is
 * refused: Bedrock bills every InvokeModel it answered, so the call log must meter what those answers
 * counted — or the gateway must refuse the input before sending any of them. An empty text is refused
 * by Titan every time, which would let any consumer make the platform pay for up to 2047 calls for free:
 * the gateway refuses it up front. A text Bedrock refuses for a reason the gateway cannot foresee (here
 * a scripted refusal) fails the call after the others were answered, and those are metered.
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
      routes: [
        { name: 'titan', maxAttempts: 1, targets: [{ credentialId: ok, model: TITAN }] },
        { name: 'titan-retried', maxAttempts: 2, targets: [{ credentialId: ok, model: TITAN }] },
      ],
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
const REFUSED = 'a text Bedrock refuses';
const TOO_MANY_TOKENS = { status: 400, message: 'Malformed input request: too many input tokens.' };
const UNAVAILABLE = { status: 503, message: 'Bedrock is unable to process your request.' };
const textOf = (request: CapturedRequest) => (request.body as { inputText?: string }).inputText;

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
    const refused = (request: CapturedRequest) => textOf(request) === REFUSED;
    fake.configure({
      latencyOf: (request) => (refused(request) ? 100 : 0),
      failureOf: (request) => (refused(request) ? TOO_MANY_TOKENS : undefined),
    });
    try {
      const before = fake.requests.length;
      const failure = await client.embeddings
        .create({ model: 'titan', input: [...texts, REFUSED], encoding_format: 'float' })
        .then(
          () => null,
          (error: unknown) => error as InstanceType<typeof OpenAI.APIError>,
        );
      expect(failure?.status).toBe(400);
      const answered = invokes(fake, before).filter((request) => !refused(request));
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
      fake.configure({ latencyOf: () => 0, failureOf: () => undefined });
    }
  });

  it('meters each attempt once when a retry sends the input again after a request failed', async () => {
    // the retried call is billed for the texts answered before the failure, then for the whole input
    const throttled = 'a text Bedrock is too busy for once';
    let refusals = 0;
    const first = (request: CapturedRequest) => textOf(request) === throttled && refusals === 0;
    fake.configure({
      latencyOf: (request) => (first(request) ? 100 : 0),
      failureOf: (request) => {
        if (!first(request)) return undefined;
        refusals++;
        return UNAVAILABLE;
      },
    });
    try {
      const before = fake.requests.length;
      const input = [...texts, throttled];
      const answer = await client.embeddings.create({
        model: 'titan-retried',
        input,
        encoding_format: 'float',
      });
      expect(answer.data).toHaveLength(input.length);
      expect(invokes(fake, before)).toHaveLength(texts.length + input.length + 1);
      await eventually(async () => {
        await world.gateway.flushUsage();
        return (
          (await world.db.aiCallLog.count({ where: { apiId: seeded.api.id, model: 'titan-retried' } })) >= 1
        );
      }, 3_000);
      const row = await world.db.aiCallLog.findFirst({
        where: { apiId: seeded.api.id, model: 'titan-retried' },
      });
      const billedTokens = countWords(texts) + countWords(input);
      expect(row).toMatchObject({ status: 200, attempts: 2, tokensIn: billedTokens });
      expect(row?.costMicros).toBe(BigInt(20 * billedTokens));
    } finally {
      fake.configure({ latencyOf: () => 0, failureOf: () => undefined });
    }
  });
});
