import { mapAnthropicError, parseAnthropicMessage } from '../anthropic/response.ts';
import { AnthropicStreamTranslator } from '../anthropic/stream.ts';
import { mapGeminiError, parseGeminiResponse } from '../gemini/response.ts';
import { GeminiStreamTranslator } from '../gemini/stream.ts';
import type { ProviderDefinition } from '../types.ts';
import { buildVertexEmbeddingsRequest, parseVertexEmbeddings } from './embeddings.ts';
import {
  authorizeVertex,
  buildVertexAnthropicRequest,
  buildVertexGeminiRequest,
  unauthorizedVertex,
} from './request.ts';

/*
 * Google Vertex AI. The credential's secret is a service-account JSON key (OAuth bearer tokens are
 * minted from it per call, cached), its apiVersion column the region. The wire formats are the Gemini
 * API's and Anthropic's, so translation is theirs; only URLs and auth differ.
 */

/** Gemini models on Vertex AI (publishers/google), and Google's text embedding models through `:predict`. */
export const vertex: ProviderDefinition = {
  id: 'vertex',
  name: 'Google Vertex AI (Gemini)',
  defaultBaseUrl: 'https://aiplatform.googleapis.com',
  auth: 'bearer',
  supports: {
    chat: true,
    stream: true,
    embeddings: true,
    tools: true,
    models: false,
    images: false,
    audio: false,
  },
  buildRequest: buildVertexGeminiRequest,
  parseResponse: parseGeminiResponse,
  createStreamTranslator: (model, emit) => new GeminiStreamTranslator(model, emit),
  mapError: mapGeminiError,
  buildEmbeddingsRequests: buildVertexEmbeddingsRequest,
  parseEmbeddingsResponse: parseVertexEmbeddings,
  authorize: authorizeVertex,
  unauthorized: unauthorizedVertex,
};

/**
 * Claude models on Vertex AI (publishers/anthropic). Errors come in Anthropic's shape from the model
 * and Google's from Vertex itself (quota, auth); the Anthropic mapper reads both.
 */
export const vertexAnthropic: ProviderDefinition = {
  id: 'vertex-anthropic',
  name: 'Anthropic on Vertex AI',
  defaultBaseUrl: 'https://aiplatform.googleapis.com',
  auth: 'bearer',
  supports: {
    chat: true,
    stream: true,
    embeddings: false,
    tools: true,
    models: false,
    images: false,
    audio: false,
  },
  buildRequest: buildVertexAnthropicRequest,
  parseResponse: parseAnthropicMessage,
  createStreamTranslator: (model, emit, request) => new AnthropicStreamTranslator(model, emit, request),
  mapError: mapAnthropicError,
  authorize: authorizeVertex,
  unauthorized: unauthorizedVertex,
};
