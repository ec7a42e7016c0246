import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidResponseError, UnsupportedRequestError } from '../../errors.ts';
import type { EmbeddingRequest } from '../../types.ts';
import { vertex, vertexAnthropic } from './index.ts';

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const credential = {
  apiKey: JSON.stringify({
    type: 'service_account',
    project_id: 'acme-prod-42',
    private_key: privateKey,
    client_email: 'gw@acme-prod-42.iam.gserviceaccount.com',
    token_uri: 'https://oauth2.googleapis.com/token',
  }),
  apiVersion: 'us-central1',
};
const PREDICT =
  'https://us-central1-aiplatform.googleapis.com/v1/projects/acme-prod-42/locations/us-central1/publishers/google/models';

function build(request: Partial<EmbeddingRequest>, model: string) {
  const built = vertex.buildEmbeddingsRequests?.(
    { model: 'client', input: 'x', ...request },
    model,
    credential,
  );
  const specs = built ?? [];
  return specs.map((spec) => ({ spec, body: JSON.parse(spec.body ?? '') as Record<string, unknown> }));
}

describe('Vertex AI embeddings', () => {
  it('predicts on the regional host with the texts as instances and the dimensions as a parameter', () => {
    const [only, ...rest] = build({ input: ['a', 'b'], dimensions: 256 }, 'text-embedding-005');
    expect(rest).toEqual([]);
    expect(only?.spec.url).toBe(`${PREDICT}/text-embedding-005:predict`);
    expect(only?.body).toEqual({
      instances: [{ content: 'a' }, { content: 'b' }],
      parameters: { outputDimensionality: 256 },
    });
    expect(build({}, 'text-embedding-005')[0]?.body).toEqual({ instances: [{ content: 'x' }] });
  });

  it('splits at 250 texts, and sends gemini-embedding models one text per request', () => {
    const texts = Array.from({ length: 260 }, (_, i) => `t${i}`);
    expect(
      build({ input: texts }, 'text-embedding-005').map(({ body }) => (body.instances as []).length),
    ).toEqual([250, 10]);
    const gemini = build({ input: ['a', 'b', 'c'] }, 'gemini-embedding-001');
    expect(gemini.map(({ body }) => body.instances)).toEqual([
      [{ content: 'a' }],
      [{ content: 'b' }],
      [{ content: 'c' }],
    ]);
  });

  it('refuses an empty text before any predict request, naming its index', () => {
    const texts = Array.from({ length: 300 }, (_, i) => (i === 260 ? '' : `t${i}`));
    expect(() => build({ input: texts }, 'text-embedding-005')).toThrow(UnsupportedRequestError);
    expect(() => build({ input: texts }, 'text-embedding-005')).toThrow(/input\[260\] is empty/);
  });

  it('tells each request which texts it carries', () => {
    const texts = Array.from({ length: 260 }, (_, i) => `t${i}`);
    expect(build({ input: texts }, 'text-embedding-005').map(({ spec }) => spec.texts)).toEqual([
      texts.slice(0, 250),
      texts.slice(250),
    ]);
  });

  it('refuses token arrays', () => {
    expect(() => build({ input: [[1, 2]] }, 'text-embedding-005')).toThrow(/text, not token arrays/);
  });

  it('reads vectors in order and sums their token counts', () => {
    const prediction = (values: number[], tokenCount?: number) => ({
      embeddings: {
        values,
        statistics: { truncated: false, ...(tokenCount ? { token_count: tokenCount } : {}) },
      },
    });
    const answer = { predictions: [prediction([1, 2], 3), prediction([3, 4], 5)] };
    expect(vertex.parseEmbeddingsResponse?.(answer, 'm')).toEqual({
      vectors: [
        [1, 2],
        [3, 4],
      ],
      promptTokens: 8,
      model: 'm',
    });
    const uncounted = { predictions: [prediction([1], 3), prediction([2])] };
    expect(vertex.parseEmbeddingsResponse?.(uncounted, 'm')?.promptTokens).toBeNull();
    expect(() => vertex.parseEmbeddingsResponse?.({ predictions: [{}] }, 'm')).toThrow(InvalidResponseError);
    expect(() => vertex.parseEmbeddingsResponse?.({}, 'm')).toThrow(/no predictions/);
  });

  it('is not offered for Claude on Vertex', () => {
    expect(vertexAnthropic.supports.embeddings).toBe(false);
    expect(vertexAnthropic.buildEmbeddingsRequests).toBeUndefined();
  });
});
