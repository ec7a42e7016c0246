import { CREDENTIALS_REJECTED } from '@portcullis/ai/errors';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BEDROCK_FAKE_REGION, BEDROCK_TEST_SECRET } from '../../../test/fakes/llm/bedrock.ts';
import { countWords, fakeEmbedding } from '../../../test/fakes/llm/script.ts';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { VERTEX_PROJECT, vertexServiceAccountKey } from '../../../test/fakes/llm/vertex.ts';
import { type AiWorld, seedAiApi, startAiWorld } from './ai-harness.ts';
import { eventually } from './harness.ts';

/*
 * /v1/embeddings on Amazon Bedrock (InvokeModel: Titan Text Embeddings one text per call, Cohere Embed)
 * and on Google Vertex AI (`:predict`), called with the official openai client: vectors in the caller's
 * order, usage, dimensions, base64, provider errors, and the AiCallLog row each call is metered by.
 */

const TITAN = 'amazon.titan-embed-text-v2:0';
const COHERE = 'cohere.embed-english-v3';
const [ACCESS_KEY_ID] = BEDROCK_TEST_SECRET.split(':');
const WRONG_SECRET = `${ACCESS_KEY_ID}:wrongSecretAccessKey/0123456789+abcdefghij`;
const REGION = 'europe-west4';
const PREDICT = `/v1/projects/${VERTEX_PROJECT}/locations/${REGION}/publishers/google/models`;
/** the fakes' vectors are this short unless a size is asked */
const FAKE_DIMENSIONS = 8;

/** The floats an OpenAI base64 embedding holds (little-endian float32). */
function decodeBase64(text: string): number[] {
  const bytes = Buffer.from(text, 'base64');
  return Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
}
const asFloat32 = (vector: number[]) => Array.from(Float32Array.from(vector));

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error as InstanceType<typeof OpenAI.APIError>,
  );

let world: AiWorld;
beforeAll(async () => {
  world = await startAiWorld(false);
});
afterAll(async () => {
  await world?.close();
});

async function callRow(apiId: string, model: string, count: number) {
  await eventually(async () => {
    await world.gateway.flushUsage();
    return (await world.db.aiCallLog.count({ where: { apiId, model } })) >= count;
  }, 3_000);
  const rows = await world.db.aiCallLog.findMany({ where: { apiId, model }, orderBy: { at: 'asc' } });
  return rows[count - 1];
}

describe('AI gateway embeddings → Amazon Bedrock', () => {
  let fake: FakeLlm;
  let seeded: Awaited<ReturnType<typeof seedAiApi>>;
  let client: OpenAI;

  beforeAll(async () => {
    fake = await startFakeLlm({ flavor: 'bedrock', apiKey: BEDROCK_TEST_SECRET });
    const region = { 'aws-region': BEDROCK_FAKE_REGION };
    seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [
        { provider: 'bedrock', baseUrl: fake.baseUrl, secret: BEDROCK_TEST_SECRET, headers: region },
        { provider: 'bedrock', baseUrl: fake.baseUrl, secret: WRONG_SECRET, headers: region },
      ],
      ai: ([ok, wrong]) => ({
        routes: [
          { name: 'titan', maxAttempts: 1, targets: [{ credentialId: ok, model: TITAN }] },
          { name: 'cohere', maxAttempts: 1, targets: [{ credentialId: ok, model: COHERE }] },
          {
            name: 'claude',
            targets: [{ credentialId: ok, model: 'anthropic.claude-3-5-haiku-20241022-v1:0' }],
          },
          { name: 'wrong-key', maxAttempts: 1, targets: [{ credentialId: wrong, model: TITAN }] },
        ],
      }),
      prices: [
        { provider: 'bedrock', model: TITAN, inputPerMillion: '20', outputPerMillion: '0' },
        { provider: 'bedrock', model: COHERE, inputPerMillion: '100', outputPerMillion: '0' },
      ],
    });
    client = new OpenAI({ apiKey: seeded.consumer.plaintext, baseURL: `${seeded.base}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('embeds with Titan, one signed InvokeModel per input, in order, metering the tokens Bedrock counts', async () => {
    const input = ['first text', 'the second one here', 'third', 'a fourth text', 'fifth and last'];
    const before = fake.requests.length;
    const result = await client.embeddings.create({ model: 'titan', input, encoding_format: 'float' });
    expect(result.model).toBe('titan');
    expect(result.data.map((row) => row.index)).toEqual([0, 1, 2, 3, 4]);
    expect(result.data.map((row) => row.embedding)).toEqual(
      input.map((text) => fakeEmbedding(text, FAKE_DIMENSIONS)),
    );
    expect(result.usage).toEqual({ prompt_tokens: countWords(input), total_tokens: countWords(input) });

    const sent = fake.requests.slice(before);
    expect(sent.map((r) => r.path)).toEqual(Array(5).fill('/model/amazon.titan-embed-text-v2%3A0/invoke'));
    expect(sent.map((r) => (r.body as { inputText: string }).inputText).sort()).toEqual([...input].sort());
    for (const request of sent) {
      expect(request.headers.authorization).toMatch(
        new RegExp(`^AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/\\d{8}/${BEDROCK_FAKE_REGION}/bedrock/`),
      );
    }
    const row = await callRow(seeded.api.id, 'titan', 1);
    expect(row).toMatchObject({
      surface: 'embeddings',
      provider: 'bedrock',
      providerModel: TITAN,
      status: 200,
      tokensIn: countWords(input),
      tokensOut: 0,
      tokensEstimated: false,
      costMicros: BigInt(20 * countWords(input)),
    });
  });

  it('passes the dimensions asked to Titan and answers base64 vectors, the openai client’s default', async () => {
    const decoded = await client.embeddings.create({ model: 'titan', input: 'hello there', dimensions: 256 });
    expect(fake.lastRequest().body).toEqual({ inputText: 'hello there', dimensions: 256 });
    expect(decoded.data[0]?.embedding).toEqual(asFloat32(fakeEmbedding('hello there', 256)));

    const raw = await client.embeddings.create({
      model: 'titan',
      input: ['one', 'two'],
      dimensions: 512,
      encoding_format: 'base64',
    });
    const vectors = raw.data.map((row) => decodeBase64(row.embedding as unknown as string));
    expect(vectors).toEqual([asFloat32(fakeEmbedding('one', 512)), asFloat32(fakeEmbedding('two', 512))]);
  });

  it('refuses dimensions Titan does not make with a 400 naming them, before calling Bedrock', async () => {
    const before = fake.requests.length;
    const failure = await failureOf(
      client.embeddings.create({ model: 'titan', input: 'x', dimensions: 768 }),
    );
    expect(failure.status).toBe(400);
    expect(failure.message).toMatch(/256, 512 or 1024 dimensions, not 768/);
    expect(failure.param).toBe('dimensions');
    expect(fake.requests.length).toBe(before);
  });

  it('embeds with Cohere on Bedrock as documents, estimating the tokens Bedrock does not report', async () => {
    const input = ['one two', 'three'];
    const result = await client.embeddings.create({ model: 'cohere', input, encoding_format: 'float' });
    expect(result.data.map((row) => row.embedding)).toEqual(
      input.map((text) => fakeEmbedding(text, FAKE_DIMENSIONS)),
    );
    expect(fake.lastRequest().path).toBe('/model/cohere.embed-english-v3/invoke');
    expect(fake.lastRequest().body).toEqual({ texts: input, input_type: 'search_document' });
    const tokens = result.usage.prompt_tokens;
    expect(tokens).toBeGreaterThan(0);
    const row = await callRow(seeded.api.id, 'cohere', 1);
    expect(row).toMatchObject({
      status: 200,
      tokensIn: tokens,
      tokensEstimated: true,
      costMicros: BigInt(100 * tokens),
    });
  });

  it('answers Bedrock’s errors as the gateway’s: throttling, validation, refused keys', async () => {
    fake.failNext({ status: 429, message: 'Too many requests, please wait before trying again.' });
    const throttled = await failureOf(client.embeddings.create({ model: 'titan', input: ['a', 'b', 'c'] }));
    expect(throttled.status).toBe(429);

    fake.failNext({
      status: 400,
      message: 'Malformed input request: #/inputText: expected maxLength: 50000',
    });
    const invalid = await failureOf(client.embeddings.create({ model: 'titan', input: 'long' }));
    expect(invalid.status).toBe(400);
    expect(invalid.message).toMatch(/Malformed input request/);

    const refused = await failureOf(client.embeddings.create({ model: 'wrong-key', input: 'x' }));
    expect(refused.status).toBe(502);
    expect(refused.code).toBe(CREDENTIALS_REJECTED);
    const row = await callRow(seeded.api.id, 'wrong-key', 1);
    expect(row).toMatchObject({ status: 502, tokensIn: 0, costMicros: 0n });
  });

  it('refuses a chat model with a 400 saying which models embed', async () => {
    const failure = await failureOf(client.embeddings.create({ model: 'claude', input: 'x' }));
    expect(failure.status).toBe(400);
    expect(failure.message).toMatch(/Titan Text Embeddings and Cohere Embed models/);
  });
});

describe('AI gateway embeddings → Google Vertex AI', () => {
  let fake: FakeLlm;
  let seeded: Awaited<ReturnType<typeof seedAiApi>>;
  let client: OpenAI;

  beforeAll(async () => {
    fake = await startFakeLlm({ flavor: 'vertex' });
    const secret = vertexServiceAccountKey(fake.origin);
    seeded = await seedAiApi(world, {
      kind: 'AI',
      credentials: [
        { provider: 'vertex', baseUrl: fake.origin, secret, apiVersion: REGION },
        { provider: 'vertex-anthropic', baseUrl: fake.origin, secret, apiVersion: REGION },
      ],
      ai: ([google, anthropic]) => ({
        routes: [
          {
            name: 'text-embedding',
            maxAttempts: 1,
            targets: [{ credentialId: google, model: 'text-embedding-005' }],
          },
          {
            name: 'gemini-embedding',
            maxAttempts: 1,
            targets: [{ credentialId: google, model: 'gemini-embedding-001' }],
          },
          { name: 'claude', targets: [{ credentialId: anthropic, model: 'claude-sonnet-4-5@20250929' }] },
        ],
      }),
      prices: [
        { provider: 'vertex', model: 'text-embedding-005', inputPerMillion: '25', outputPerMillion: '0' },
        { provider: 'vertex', model: 'gemini-embedding-001', inputPerMillion: '150', outputPerMillion: '0' },
      ],
    });
    client = new OpenAI({ apiKey: seeded.consumer.plaintext, baseURL: `${seeded.base}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('embeds with one predict call holding every text, the dimensions asked, and meters token counts', async () => {
    const input = ['alpha beta', 'gamma', 'delta epsilon zeta'];
    const result = await client.embeddings.create({
      model: 'text-embedding',
      input,
      dimensions: 16,
      encoding_format: 'float',
    });
    expect(result.data.map((row) => row.embedding)).toEqual(input.map((text) => fakeEmbedding(text, 16)));
    expect(result.usage).toEqual({ prompt_tokens: countWords(input), total_tokens: countWords(input) });
    const sent = fake.lastRequest();
    expect(sent.path).toBe(`${PREDICT}/text-embedding-005:predict`);
    expect(sent.headers.authorization).toMatch(/^Bearer ya29\./);
    expect(sent.body).toEqual({
      instances: input.map((content) => ({ content })),
      parameters: { outputDimensionality: 16 },
    });
    const row = await callRow(seeded.api.id, 'text-embedding', 1);
    expect(row).toMatchObject({
      surface: 'embeddings',
      provider: 'vertex',
      providerModel: 'text-embedding-005',
      status: 200,
      tokensIn: countWords(input),
      tokensEstimated: false,
      costMicros: BigInt(25 * countWords(input)),
    });
  });

  it('sends gemini-embedding one text per call, keeping the order, as base64 by default', async () => {
    const input = ['one', 'two words', 'three more words', 'four'];
    const before = fake.requests.filter((r) => r.path.endsWith(':predict')).length;
    const result = await client.embeddings.create({ model: 'gemini-embedding', input });
    expect(result.data.map((row) => row.embedding)).toEqual(
      input.map((text) => asFloat32(fakeEmbedding(text, FAKE_DIMENSIONS))),
    );
    const predicts = fake.requests.filter((r) => r.path.endsWith(':predict')).slice(before);
    expect(predicts.map((r) => (r.body as { instances: unknown[] }).instances.length)).toEqual([1, 1, 1, 1]);
    expect(result.usage.prompt_tokens).toBe(countWords(input));
    const row = await callRow(seeded.api.id, 'gemini-embedding', 1);
    expect(row).toMatchObject({ tokensIn: countWords(input), costMicros: BigInt(150 * countWords(input)) });
  });

  it('estimates the tokens when the predictions carry no counts', async () => {
    fake.configure({ omitUsage: true });
    try {
      const result = await client.embeddings.create({ model: 'text-embedding', input: 'count me please' });
      expect(result.usage.prompt_tokens).toBeGreaterThan(0);
      const row = await callRow(seeded.api.id, 'text-embedding', 2);
      expect(row).toMatchObject({ status: 200, tokensEstimated: true, tokensIn: result.usage.prompt_tokens });
    } finally {
      fake.configure({ omitUsage: false });
    }
  });

  it('answers Vertex’s errors as the gateway’s', async () => {
    fake.failNext({
      status: 429,
      message: 'Quota exceeded for aiplatform.googleapis.com/online_prediction_requests',
    });
    const throttled = await failureOf(client.embeddings.create({ model: 'text-embedding', input: 'x' }));
    expect(throttled.status).toBe(429);
    fake.failNext({ status: 400, message: 'Unable to submit request because the input is too long.' });
    const invalid = await failureOf(
      client.embeddings.create({ model: 'gemini-embedding', input: ['a', 'b'] }),
    );
    expect(invalid.status).toBe(400);
    expect(invalid.message).toMatch(/input is too long/);
  });

  it('refuses embeddings from Claude on Vertex with a 400 naming the provider', async () => {
    const failure = await failureOf(client.embeddings.create({ model: 'claude', input: 'x' }));
    expect(failure.status).toBe(400);
    expect(failure.message).toMatch(/Anthropic on Vertex AI does not offer embeddings/);
  });
});
