import type { ProviderDefinition } from '../types.ts';
import {
  buildGeminiEmbeddingsRequest,
  buildGeminiModelsRequest,
  buildGeminiRequest,
  GEMINI_BASE_URL,
} from './request.ts';
import { mapGeminiError, parseGeminiEmbeddings, parseGeminiModels, parseGeminiResponse } from './response.ts';
import { GeminiStreamTranslator } from './stream.ts';

/** Google's Gemini API (generativelanguage, v1beta): generateContent, streamGenerateContent?alt=sse, batchEmbedContents. */
export const gemini: ProviderDefinition = {
  id: 'gemini',
  name: 'Google Gemini',
  defaultBaseUrl: GEMINI_BASE_URL,
  auth: 'x-goog-api-key',
  supports: {
    chat: true,
    stream: true,
    embeddings: true,
    tools: true,
    models: true,
    images: false,
    audio: false,
  },
  buildRequest: buildGeminiRequest,
  parseResponse: parseGeminiResponse,
  createStreamTranslator: (model, emit) => new GeminiStreamTranslator(model, emit),
  mapError: mapGeminiError,
  buildEmbeddingsRequest: buildGeminiEmbeddingsRequest,
  parseEmbeddingsResponse: parseGeminiEmbeddings,
  buildModelsRequest: buildGeminiModelsRequest,
  parseModelsResponse: parseGeminiModels,
};
