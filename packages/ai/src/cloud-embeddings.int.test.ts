import {
  BedrockRuntimeClient,
  InvokeModelCommand,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BEDROCK_FAKE_REGION, BEDROCK_TEST_SECRET } from '../../../test/fakes/llm/bedrock.ts';
import { countWords, fakeEmbedding } from '../../../test/fakes/llm/script.ts';
import { type CapturedRequest, type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { callEmbeddings, EMBEDDINGS_FANOUT } from './embeddings.ts';
import { bedrock } from './providers/bedrock/index.ts';

/*
 * Embeddings split over several provider requests (Titan on Bedrock takes one text per InvokeModel): the
 * Bedrock fake's InvokeModel checked with the official AWS SDK first, then the split call against it.
 */

const [ACCESS_KEY_ID = '', SECRET_ACCESS_KEY = ''] = BEDROCK_TEST_SECRET.split(':');
const TITAN = 'amazon.titan-embed-text-v2:0';
const COHERE = 'cohere.embed-multilingual-v3';

let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm({ flavor: 'bedrock', apiKey: BEDROCK_TEST_SECRET });
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(() => fake.configure({ latencyOf: () => 0, failureOf: () => undefined }));

const sdk = () =>
  new BedrockRuntimeClient({
    region: BEDROCK_FAKE_REGION,
    endpoint: fake.origin,
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler(),
  });

const invoke = async (modelId: string, body: unknown) => {
  const answer = await sdk().send(
    new InvokeModelCommand({ modelId, body: JSON.stringify(body), contentType: 'application/json' }),
  );
  return JSON.parse(new TextDecoder().decode(answer.body)) as Record<string, unknown>;
};

describe('the Bedrock fake’s InvokeModel, called with the AWS SDK', () => {
  it('embeds one text with Titan Text Embeddings V2, in the dimensions asked', async () => {
    const answer = await invoke(TITAN, { inputText: 'hello there', dimensions: 256, normalize: true });
    expect(answer.embedding).toEqual(fakeEmbedding('hello there', 256));
    expect(answer.inputTextTokenCount).toBe(2);
    expect(answer.embeddingsByType).toEqual({ float: answer.embedding });
    expect(fake.lastRequest().path).toBe('/model/amazon.titan-embed-text-v2%3A0/invoke');
  });

  it('embeds texts with Cohere Embed, as floats or by type', async () => {
    const listed = await invoke(COHERE, { texts: ['a b', 'c'], input_type: 'search_query' });
    expect(listed).toMatchObject({
      embeddings: [fakeEmbedding('a b', 8), fakeEmbedding('c', 8)],
      response_type: 'embeddings_floats',
      texts: ['a b', 'c'],
    });
    const byType = await invoke(COHERE, {
      texts: ['a'],
      input_type: 'clustering',
      embedding_types: ['float'],
    });
    expect(byType).toMatchObject({ embeddings: { float: [fakeEmbedding('a', 8)] } });
  });

  it('refuses what the model schemas refuse with ValidationException', async () => {
    for (const [model, body] of [
      [TITAN, { inputText: 'x', dimensions: 768 }],
      [TITAN, { texts: ['x'] }],
      [COHERE, { texts: ['x'] }],
      [COHERE, { texts: ['x'], input_type: 'search_document', dimensions: 256 }],
    ] as const) {
      const failure = await invoke(model, body).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ValidationException);
      expect((failure as Error).message).toMatch(/^Malformed input request: /);
    }
  });
});

describe('callEmbeddings split over several requests', () => {
  const credential = {
    apiKey: BEDROCK_TEST_SECRET,
    baseUrl: '',
    headers: { 'aws-region': BEDROCK_FAKE_REGION },
  };
  const call = (input: string[], extra: { timeoutMs?: number; model?: string } = {}) =>
    callEmbeddings({
      provider: 'bedrock',
      credential: { ...credential, baseUrl: fake.origin },
      model: extra.model ?? TITAN,
      request: { model: 'client', input, encoding_format: 'float' },
      ...(extra.timeoutMs ? { timeoutMs: extra.timeoutMs } : {}),
    });
  const texts = Array.from({ length: 10 }, (_, i) => `text number ${i}${' word'.repeat(i)}`);

  it('sends a few Titan calls at a time, keeps the order and sums the tokens', async () => {
    // the earlier texts answer last
    fake.configure({
      latencyOf: (request) => {
        const text = String((request.body as { inputText?: unknown }).inputText);
        return 100 - 8 * texts.indexOf(text);
      },
    });
    fake.resetPeak();
    const before = fake.requests.length;
    const result = await call(texts);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.response.data.map((row) => row.embedding)).toEqual(
      texts.map((text) => fakeEmbedding(text, 8)),
    );
    expect(result.value.response.data.map((row) => row.index)).toEqual(texts.map((_, i) => i));
    expect(result.value.usage).toEqual({
      promptTokens: countWords(texts),
      completionTokens: 0,
      totalTokens: countWords(texts),
      estimated: false,
    });
    expect(fake.requests.length - before).toBe(texts.length);
    expect(fake.peakInFlight).toBeGreaterThan(1);
    expect(fake.peakInFlight).toBeLessThanOrEqual(EMBEDDINGS_FANOUT);
  });

  it('estimates Cohere tokens, which Bedrock does not report', async () => {
    const result = await call(['one two three', 'four'], { model: COHERE });
    expect(result.ok && result.value.usage).toMatchObject({ estimated: true });
    expect(result.ok && result.value.usage.promptTokens).toBeGreaterThan(0);
  });

  it('fails the whole call when one request fails, with the provider error', async () => {
    fake.failNext({ status: 429, message: 'Too many requests, please wait before trying again.' });
    const result = await call(texts.slice(0, 6));
    expect(result).toMatchObject({
      ok: false,
      error: { status: 429, upstreamStatus: 429, retryable: true, kind: 'upstream' },
    });
  });

  it('carries what the answered requests were billed for when a later one fails', async () => {
    // the refused text answers last: every other request has been answered by then
    const refused = (request: CapturedRequest) =>
      (request.body as { inputText?: unknown }).inputText === texts[5];
    fake.configure({
      latencyOf: (request) => (refused(request) ? 60 : 0),
      failureOf: (request) =>
        refused(request) ? { status: 400, message: 'Malformed input request' } : undefined,
    });
    const result = await call(texts.slice(0, 6));
    const answered = countWords(texts.slice(0, 5));
    expect(result).toMatchObject({
      ok: false,
      error: {
        status: 400,
        billed: { promptTokens: answered, completionTokens: 0, totalTokens: answered, estimated: false },
      },
    });
  });

  it('lets the requests in flight finish after a failure, and sends no further one', async () => {
    // the first request fails at once; the three sent with it are answered (and billed) later
    const first = (request: CapturedRequest) =>
      (request.body as { inputText?: unknown }).inputText === texts[0];
    fake.configure({
      latencyOf: (request) => (first(request) ? 0 : 40),
      failureOf: (request) =>
        first(request) ? { status: 400, message: 'Malformed input request' } : undefined,
    });
    const before = fake.requests.length;
    const result = await call(texts);
    expect(fake.requests.length - before).toBe(EMBEDDINGS_FANOUT);
    const inFlight = countWords(texts.slice(1, EMBEDDINGS_FANOUT));
    expect(result).toMatchObject({ ok: false, error: { billed: { promptTokens: inFlight } } });
  });

  it('estimates what the answered Cohere requests were billed for when a later one fails', async () => {
    const batches = Array.from({ length: 97 }, (_, i) => `text ${i}`);
    const second = (request: CapturedRequest) => (request.body as { texts?: unknown[] }).texts?.length === 1;
    fake.configure({
      latencyOf: (request) => (second(request) ? 60 : 0),
      failureOf: (request) =>
        second(request) ? { status: 500, message: 'Internal server error' } : undefined,
    });
    const result = await call(batches, { model: COHERE });
    expect(result).toMatchObject({ ok: false, error: { status: 500, billed: { estimated: true } } });
    expect(!result.ok && result.error.billed?.promptTokens).toBeGreaterThanOrEqual(96);
  });

  it('refuses an answer whose vectors do not match the inputs one for one', async () => {
    const short = {
      ...bedrock,
      parseEmbeddingsResponse: () => ({ vectors: [], promptTokens: 1, model: TITAN }),
    };
    const result = await callEmbeddings({
      provider: short,
      credential: { ...credential, baseUrl: fake.origin },
      model: TITAN,
      request: { model: 'client', input: ['a', 'b'] },
    });
    expect(result).toMatchObject({
      ok: false,
      error: {
        kind: 'invalid_response',
        status: 502,
        body: { error: { message: /request 1 of the call answered 0 vectors for its 1 inputs/ } },
      },
    });
  });

  it('holds all the requests to the call’s one timeout', async () => {
    // each request alone answers well within the timeout; three rounds of them do not
    fake.configure({ latencyOf: () => 80 });
    const result = await call(texts.slice(0, EMBEDDINGS_FANOUT * 3), { timeoutMs: 200 });
    expect(result).toMatchObject({ ok: false, error: { kind: 'timeout', status: 504 } });
  });
});
