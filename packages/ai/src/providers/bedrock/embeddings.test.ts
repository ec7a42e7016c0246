import { describe, expect, it } from 'vitest';
import { InvalidResponseError, UnsupportedRequestError } from '../../errors.ts';
import type { EmbeddingRequest } from '../../types.ts';
import { bedrock } from './index.ts';

const credential = {
  apiKey: 'AKIAEXAMPLE000000001:secretExampleKey/0123456789abcdef',
  headers: { 'aws-region': 'eu-central-1' },
};
const HOST = 'https://bedrock-runtime.eu-central-1.amazonaws.com';
const TITAN = 'amazon.titan-embed-text-v2:0';
const COHERE = 'cohere.embed-english-v3';

function build(request: Partial<EmbeddingRequest>, model: string) {
  const built = bedrock.buildEmbeddingsRequests?.(
    { model: 'client', input: 'x', ...request },
    model,
    credential,
  );
  const specs = built ?? [];
  return specs.map((spec) => ({ spec, body: JSON.parse(spec.body ?? '') as Record<string, unknown> }));
}

const parse = (json: unknown, model: string) => bedrock.parseEmbeddingsResponse?.(json, model);

describe('Bedrock embeddings requests', () => {
  it('sends Titan one InvokeModel per text, in order, with the dimensions asked', () => {
    const built = build({ input: ['alpha', 'beta', 'gamma'], dimensions: 256 }, TITAN);
    expect(built.map(({ spec }) => spec.url)).toEqual(
      Array(3).fill(`${HOST}/model/amazon.titan-embed-text-v2%3A0/invoke`),
    );
    expect(built.map(({ body }) => body)).toEqual([
      { inputText: 'alpha', dimensions: 256 },
      { inputText: 'beta', dimensions: 256 },
      { inputText: 'gamma', dimensions: 256 },
    ]);
    expect(built[0]?.spec.headers).toMatchObject({
      'content-type': 'application/json',
      accept: 'application/json',
    });
    expect(built[0]?.spec.headers['aws-region']).toBeUndefined();
  });

  it.each([128, 768, 1536])('refuses %i dimensions for Titan V2', (dimensions) => {
    expect(() => build({ dimensions }, TITAN)).toThrow(UnsupportedRequestError);
    expect(() => build({ dimensions }, TITAN)).toThrow(/256, 512 or 1024 dimensions, not/);
  });

  it('sends Titan V1 the text alone and refuses dimensions for it', () => {
    expect(build({ input: 'one' }, 'amazon.titan-embed-text-v1').map(({ body }) => body)).toEqual([
      { inputText: 'one' },
    ]);
    expect(() => build({ dimensions: 512 }, 'amazon.titan-embed-text-v1')).toThrow(
      /dimensions cannot be set/,
    );
  });

  it('sends Cohere its texts as documents, 96 to a call', () => {
    const texts = Array.from({ length: 100 }, (_, i) => `text ${i}`);
    const built = build({ input: texts }, COHERE);
    expect(built.map(({ spec }) => spec.url)).toEqual(
      Array(2).fill(`${HOST}/model/cohere.embed-english-v3/invoke`),
    );
    expect(built.map(({ body }) => body)).toEqual([
      { texts: texts.slice(0, 96), input_type: 'search_document' },
      { texts: texts.slice(96), input_type: 'search_document' },
    ]);
    expect(() => build({ dimensions: 1024 }, COHERE)).toThrow(/fixed size/);
  });

  it('knows the family inside inference profiles and ARNs', () => {
    expect(build({}, 'us.cohere.embed-multilingual-v3')[0]?.body).toHaveProperty('texts');
    const arn = 'arn:aws:bedrock:eu-central-1::foundation-model/amazon.titan-embed-text-v2:0';
    expect(build({}, arn)[0]?.body).toEqual({ inputText: 'x' });
  });

  it('refuses token arrays and models that are not embedding models, naming them', () => {
    expect(() => build({ input: [[1, 2]] }, TITAN)).toThrow(/text, not token arrays/);
    expect(() => build({}, 'anthropic.claude-3-5-haiku-20241022-v1:0')).toThrow(
      /Titan Text Embeddings and Cohere Embed models; 'anthropic.claude-3-5-haiku-20241022-v1:0' is neither/,
    );
  });
});

describe('Bedrock embeddings texts refused before any InvokeModel', () => {
  it('refuses an empty text for Titan, naming its index', () => {
    for (const model of [TITAN, 'amazon.titan-embed-text-v1']) {
      expect(() => build({ input: ['alpha', '', 'gamma'] }, model)).toThrow(UnsupportedRequestError);
      expect(() => build({ input: ['alpha', '', 'gamma'] }, model)).toThrow(/input\[1\] is empty/);
    }
    expect(() => build({ input: '' }, TITAN)).toThrow(/input\[0\] is empty/);
  });

  it('refuses a Titan V2 text over 50,000 characters and takes one of exactly 50,000', () => {
    expect(() => build({ input: ['a', 'x'.repeat(50_001)] }, TITAN)).toThrow(
      /input\[1\] has 50001 characters; .* at most 50000/,
    );
    expect(build({ input: 'x'.repeat(50_000) }, TITAN)).toHaveLength(1);
  });

  it('refuses a Cohere Embed v3 text over 2,048 characters but sends an empty one', () => {
    expect(() => build({ input: ['a', 'b', 'x'.repeat(2049)] }, COHERE)).toThrow(/input\[2\] has 2049/);
    expect(build({ input: ['', 'x'.repeat(2048)] }, 'us.cohere.embed-multilingual-v3')[0]?.body).toEqual({
      texts: ['', 'x'.repeat(2048)],
      input_type: 'search_document',
    });
  });

  it('tells each request which texts it carries', () => {
    const texts = Array.from({ length: 100 }, (_, i) => `text ${i}`);
    expect(build({ input: texts }, COHERE).map(({ spec }) => spec.texts)).toEqual([
      texts.slice(0, 96),
      texts.slice(96),
    ]);
    expect(build({ input: ['a', 'b'] }, TITAN).map(({ spec }) => spec.texts)).toEqual([['a'], ['b']]);
  });
});

describe('Bedrock embeddings answers', () => {
  it('reads Titan vectors and token counts', () => {
    expect(
      parse(
        { embedding: [0.1, 0.2], inputTextTokenCount: 3, embeddingsByType: { float: [0.1, 0.2] } },
        TITAN,
      ),
    ).toEqual({ vectors: [[0.1, 0.2]], promptTokens: 3, model: TITAN });
    expect(parse({ embeddingsByType: { float: [0.5] } }, TITAN)).toEqual({
      vectors: [[0.5]],
      promptTokens: null,
      model: TITAN,
    });
  });

  it('reads Cohere floats, listed or by type, without token counts', () => {
    const listed = { id: 'x', embeddings: [[1], [2]], response_type: 'embeddings_floats', texts: ['a', 'b'] };
    expect(parse(listed, COHERE)).toEqual({ vectors: [[1], [2]], promptTokens: null, model: COHERE });
    const byType = { embeddings: { float: [[3]] }, response_type: 'embeddings_by_type' };
    expect(parse(byType, COHERE)?.vectors).toEqual([[3]]);
  });

  it('refuses answers without vectors', () => {
    expect(() => parse({ inputTextTokenCount: 3 }, TITAN)).toThrow(InvalidResponseError);
    expect(() => parse({ embeddings: [['a']] }, COHERE)).toThrow(InvalidResponseError);
  });
});
