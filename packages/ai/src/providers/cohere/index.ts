import type { ProviderDefinition } from '../types.ts';
import { buildCohereEmbeddingsRequest, buildCohereRequest, COHERE_BASE_URL } from './request.ts';
import { mapCohereError, parseCohereEmbeddings, parseCohereResponse } from './response.ts';
import { CohereStreamTranslator } from './stream.ts';

/** Cohere's v2 API: Chat (`/v2/chat`, typed SSE events) and Embed (`/v2/embed`), bearer key. */
export const cohere: ProviderDefinition = {
  id: 'cohere',
  name: 'Cohere',
  defaultBaseUrl: COHERE_BASE_URL,
  auth: 'bearer',
  supports: { chat: true, stream: true, embeddings: true, tools: true, models: false },
  buildRequest: buildCohereRequest,
  parseResponse: parseCohereResponse,
  createStreamTranslator: (model, emit) => new CohereStreamTranslator(model, emit),
  mapError: mapCohereError,
  buildEmbeddingsRequest: buildCohereEmbeddingsRequest,
  parseEmbeddingsResponse: parseCohereEmbeddings,
};
