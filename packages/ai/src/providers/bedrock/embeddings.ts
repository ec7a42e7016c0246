import { InvalidResponseError, UnsupportedRequestError } from '../../errors.ts';
import type { EmbeddingRequest } from '../../types.ts';
import { asNumber, expectRecord, isRecord } from '../shared.ts';
import type { EmbeddingResult, EmbeddingsBatch, ProviderCredential } from '../types.ts';
import { invokeModelUrl, jsonHeaders } from './request.ts';

/*
 * Embeddings on Bedrock go through InvokeModel (`POST /model/{modelId}/invoke`), whose body is each model
 * family's own: Amazon Titan Text Embeddings take one `inputText` per call, Cohere Embed up to 96 `texts`.
 * The family is read from the model id (a foundation model id, a cross-region inference profile such as
 * `us.cohere.embed-english-v3`, or an ARN ending in either).
 */

type EmbeddingFamily = 'titan-v2' | 'titan-v1' | 'cohere';

/** Titan Text Embeddings V2 answers 1024 dimensions unless told 512 or 256. */
const TITAN_DIMENSIONS = new Set([256, 512, 1024]);
/** Cohere Embed on Bedrock takes at most this many texts per InvokeModel call. */
const COHERE_TEXTS_PER_CALL = 96;
/** Titan Text Embeddings V2 takes a non-empty text of at most this many characters. */
const TITAN_V2_MAX_CHARACTERS = 50_000;
/** Cohere Embed v3 on Bedrock takes texts of at most this many characters. */
const COHERE_V3_MAX_CHARACTERS = 2048;

function familyOf(model: string): EmbeddingFamily {
  const name = model.toLowerCase();
  if (name.includes('amazon.titan-embed-text-v2')) return 'titan-v2';
  if (name.includes('amazon.titan-embed-text-v1') || name.includes('amazon.titan-embed-g1-text')) {
    return 'titan-v1';
  }
  if (name.includes('cohere.embed-')) return 'cohere';
  throw new UnsupportedRequestError(
    `Embeddings on Bedrock are offered for Amazon Titan Text Embeddings and Cohere Embed models; '${model.slice(0, 120)}' is neither.`,
    'model',
  );
}

function textsOf(request: EmbeddingRequest): string[] {
  const inputs = typeof request.input === 'string' ? [request.input] : request.input;
  return inputs.map((input) => {
    if (typeof input !== 'string') {
      throw new UnsupportedRequestError('Bedrock embedding models take text, not token arrays.', 'input');
    }
    return input;
  });
}

/**
 * What Bedrock documents as refused for every text of a family: Titan takes no empty text (inputText has
 * a minimum length of 1) and V2 none over 50,000 characters; Cohere Embed v3 takes up to 2,048 characters
 * (an empty text is allowed). Refused here, naming the input, before any InvokeModel is sent: one refused
 * text fails the whole call, and Bedrock bills every InvokeModel of it that it answered.
 */
function checkTexts(texts: readonly string[], family: EmbeddingFamily, model: string): void {
  const cohereV3 = family === 'cohere' && /embed-(english|multilingual)-v3/.test(model.toLowerCase());
  texts.forEach((text, index) => {
    if (family !== 'cohere' && text.length === 0) {
      throw new UnsupportedRequestError(
        `input[${index}] is empty; Amazon Titan Text Embeddings refuse an empty text.`,
        'input',
      );
    }
    if (family === 'titan-v2' && text.length > TITAN_V2_MAX_CHARACTERS) {
      throw new UnsupportedRequestError(
        `input[${index}] has ${text.length} characters; Amazon Titan Text Embeddings V2 take at most ${TITAN_V2_MAX_CHARACTERS}.`,
        'input',
      );
    }
    if (cohereV3 && text.length > COHERE_V3_MAX_CHARACTERS) {
      throw new UnsupportedRequestError(
        `input[${index}] has ${text.length} characters; Cohere Embed v3 on Bedrock takes at most ${COHERE_V3_MAX_CHARACTERS}.`,
        'input',
      );
    }
  });
}

function titanBody(text: string, family: EmbeddingFamily, dimensions: number | undefined) {
  if (family === 'titan-v1') return { inputText: text };
  return { inputText: text, ...(dimensions !== undefined ? { dimensions } : {}) };
}

function checkDimensions(family: EmbeddingFamily, dimensions: number | undefined): void {
  if (dimensions === undefined) return;
  if (family === 'titan-v2' && !TITAN_DIMENSIONS.has(dimensions)) {
    throw new UnsupportedRequestError(
      `Amazon Titan Text Embeddings V2 makes vectors of 256, 512 or 1024 dimensions, not ${dimensions}.`,
      'dimensions',
    );
  }
  if (family === 'titan-v1') {
    throw new UnsupportedRequestError(
      'Amazon Titan Text Embeddings V1 makes 1536-dimension vectors only; dimensions cannot be set.',
      'dimensions',
    );
  }
  if (family === 'cohere') {
    throw new UnsupportedRequestError(
      'Cohere Embed v3 on Bedrock makes vectors of a fixed size; dimensions cannot be set.',
      'dimensions',
    );
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Unsigned InvokeModel requests (the adapter's `authorize` hook signs each): one per text for Titan, one
 * per 96 texts for Cohere. OpenAI's API has no input_type, so Cohere embeds inputs as documents.
 */
export function buildBedrockEmbeddingsRequest(
  request: EmbeddingRequest,
  model: string,
  credential: ProviderCredential,
): EmbeddingsBatch[] {
  const family = familyOf(model);
  checkDimensions(family, request.dimensions);
  const texts = textsOf(request);
  checkTexts(texts, family, model);
  const url = invokeModelUrl(credential, model);
  const headers = jsonHeaders(credential);
  const batch = (body: object, batchTexts: string[]): EmbeddingsBatch => ({
    method: 'POST',
    url,
    headers,
    body: JSON.stringify(body),
    texts: batchTexts,
  });
  return family === 'cohere'
    ? chunks(texts, COHERE_TEXTS_PER_CALL).map((part) =>
        batch({ texts: part, input_type: 'search_document' }, part),
      )
    : texts.map((text) => batch(titanBody(text, family, request.dimensions), [text]));
}

const isVector = (value: unknown): value is number[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'number');

function parseTitan(body: Record<string, unknown>, model: string): EmbeddingResult {
  const byType = isRecord(body.embeddingsByType) ? body.embeddingsByType.float : undefined;
  const vector = isVector(body.embedding) ? body.embedding : byType;
  if (!isVector(vector)) throw new InvalidResponseError('Titan embeddings answer has no embedding');
  return { vectors: [vector], promptTokens: asNumber(body.inputTextTokenCount) ?? null, model };
}

/** Cohere answers `embeddings` as a list of float vectors, or by type (`{float: […]}`) when types were asked. */
function parseCohere(body: Record<string, unknown>, model: string): EmbeddingResult {
  const vectors = isRecord(body.embeddings) ? body.embeddings.float : body.embeddings;
  if (!Array.isArray(vectors) || !vectors.every(isVector)) {
    throw new InvalidResponseError('Cohere embeddings answer has no float embeddings');
  }
  // Cohere on Bedrock reports no token counts: the gateway estimates them.
  return { vectors, promptTokens: null, model };
}

/** One InvokeModel answer, read by the model family that wrote it. */
export function parseBedrockEmbeddings(json: unknown, model: string): EmbeddingResult {
  const body = expectRecord(json, 'Bedrock embeddings answer');
  return familyOf(model) === 'cohere' ? parseCohere(body, model) : parseTitan(body, model);
}
