import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BEDROCK_FAKE_REGION, BEDROCK_TEST_SECRET } from '../../../test/fakes/llm/bedrock.ts';
import { type FakeLlm, startFakeLlm } from '../../../test/fakes/llm/server.ts';
import { callEmbeddings } from './embeddings.ts';
import { bedrock } from './providers/bedrock/index.ts';
import type { EmbeddingResult } from './providers/types.ts';

/*
 * A split embeddings call against a careless provider: one request answers a vector short and another
 * one over. The totals agree with the inputs, but every vector after the short answer belongs to the
 * text before it; each request must answer one vector per text it was sent.
 */

const COHERE = 'cohere.embed-multilingual-v3';

let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm({ flavor: 'bedrock', apiKey: BEDROCK_TEST_SECRET });
});
afterAll(async () => {
  await fake?.close();
});

describe('a split embeddings call whose requests answer the wrong number of vectors', () => {
  it('refuses the answer even when the total matches the inputs', async () => {
    const parse = bedrock.parseEmbeddingsResponse as (json: unknown, model: string) => EmbeddingResult;
    const careless = {
      ...bedrock,
      // the full batch of 96 answers 95 vectors, the batch of one answers two
      parseEmbeddingsResponse: (json: unknown, model: string): EmbeddingResult => {
        const result = parse(json, model);
        const vectors =
          result.vectors.length > 1 ? result.vectors.slice(0, -1) : [...result.vectors, ...result.vectors];
        return { ...result, vectors };
      },
    };
    const input = Array.from({ length: 97 }, (_, i) => `text ${i}`);
    const result = await callEmbeddings({
      provider: careless,
      credential: {
        apiKey: BEDROCK_TEST_SECRET,
        baseUrl: fake.origin,
        headers: { 'aws-region': BEDROCK_FAKE_REGION },
      },
      model: COHERE,
      request: { model: 'client', input, encoding_format: 'float' },
    });
    expect(result).toMatchObject({ ok: false, error: { kind: 'invalid_response', status: 502 } });
  });
});
