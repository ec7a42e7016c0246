import { InvalidResponseError, UnsupportedRequestError } from '../../errors.ts';
import type { EmbeddingRequest } from '../../types.ts';
import { asNumber, expectRecord, isRecord } from '../shared.ts';
import type { EmbeddingResult, EmbeddingsBatch, ProviderCredential } from '../types.ts';
import { jsonHeaders, modelUrl } from './request.ts';

/*
 * Vertex AI's text embedding models (text-embedding-005, text-multilingual-embedding-002,
 * gemini-embedding-001) through `publishers/google/models/{model}:predict`: `instances` of `{content}`,
 * `parameters.outputDimensionality`, and `predictions[].embeddings.{values, statistics.token_count}` back.
 */

/** Vertex takes at most 250 texts per predict call. */
const TEXTS_PER_CALL = 250;

/** gemini-embedding models take a single instance per request. */
const textsPerCall = (model: string): number => (/^gemini-embedding/.test(model) ? 1 : TEXTS_PER_CALL);

/**
 * The texts to embed. Vertex AI refuses an instance whose content is empty (INVALID_ARGUMENT, "The text
 * content is empty"), which fails the whole call after the other predict requests were answered and
 * billed: refused here, naming the input, before any is sent.
 */
function textsOf(request: EmbeddingRequest): string[] {
  const inputs = typeof request.input === 'string' ? [request.input] : request.input;
  return inputs.map((input, index) => {
    if (typeof input !== 'string') {
      throw new UnsupportedRequestError('Vertex AI embedding models take text, not token arrays.', 'input');
    }
    if (input.length === 0) {
      throw new UnsupportedRequestError(
        `input[${index}] is empty; Vertex AI embedding models refuse an empty text.`,
        'input',
      );
    }
    return input;
  });
}

/** One predict request per batch of texts the model accepts at once; bearer tokens are added by `authorize`. */
export function buildVertexEmbeddingsRequest(
  request: EmbeddingRequest,
  model: string,
  credential: ProviderCredential,
): EmbeddingsBatch[] {
  const name = model.startsWith('models/') ? model.slice(7) : model;
  const texts = textsOf(request);
  const url = modelUrl(credential, 'google', name, 'predict');
  const headers = jsonHeaders(credential, false);
  const parameters = request.dimensions ? { outputDimensionality: request.dimensions } : undefined;
  const size = textsPerCall(name);
  const requests: EmbeddingsBatch[] = [];
  for (let i = 0; i < texts.length; i += size) {
    const batch = texts.slice(i, i + size);
    const instances = batch.map((content) => ({ content }));
    requests.push({
      method: 'POST',
      url,
      headers,
      body: JSON.stringify(parameters ? { instances, parameters } : { instances }),
      texts: batch,
    });
  }
  return requests;
}

/** The vectors in order; tokens are the predictions' token counts summed (null if any is missing). */
export function parseVertexEmbeddings(json: unknown, model: string): EmbeddingResult {
  const body = expectRecord(json, 'Vertex AI embeddings answer');
  if (!Array.isArray(body.predictions)) {
    throw new InvalidResponseError('Vertex AI embeddings answer has no predictions');
  }
  let tokens: number | null = 0;
  const vectors = body.predictions.map((prediction) => {
    const embeddings = isRecord(prediction) && isRecord(prediction.embeddings) ? prediction.embeddings : {};
    const values = embeddings.values;
    if (!Array.isArray(values) || !values.every((value) => typeof value === 'number')) {
      throw new InvalidResponseError('Vertex AI embedding prediction has no values');
    }
    const count = isRecord(embeddings.statistics) ? asNumber(embeddings.statistics.token_count) : undefined;
    tokens = count === undefined || tokens === null ? null : tokens + count;
    return values as number[];
  });
  return { vectors, promptTokens: tokens, model };
}
