import type { ProviderDefinition } from '../types.ts';
import {
  buildCohereEmbeddingsRequest,
  buildCohereModelsRequest,
  buildCohereRequest,
  COHERE_BASE_URL,
} from './request.ts';
import { mapCohereError, parseCohereEmbeddings, parseCohereModels, parseCohereResponse } from './response.ts';
import { CohereStreamTranslator } from './stream.ts';

/** Cohere's v2 API: Chat (`/v2/chat`, typed SSE events), Embed (`/v2/embed`), models; bearer key. */
export const cohere: ProviderDefinition = {
  id: 'cohere',
  name: 'Cohere',
  defaultBaseUrl: COHERE_BASE_URL,
  auth: 'bearer',
  supports: {
    chat: true,
    stream: true,
    embeddings: true,
    tools: true,
    models: true,
    images: false,
    audio: false,
  },
  buildRequest: buildCohereRequest,
  parseResponse: parseCohereResponse,
  createStreamTranslator: (model, emit) => new CohereStreamTranslator(model, emit),
  mapError: mapCohereError,
  buildEmbeddingsRequest: buildCohereEmbeddingsRequest,
  parseEmbeddingsResponse: parseCohereEmbeddings,
  buildModelsRequest: buildCohereModelsRequest,
  parseModelsResponse: parseCohereModels,
};
