import { resolveBaseUrl } from '../shared.ts';
import type { ProviderDefinition } from '../types.ts';
import { ANTHROPIC_BASE_URL, anthropicHeaders, buildAnthropicRequest } from './request.ts';
import { mapAnthropicError, parseAnthropicMessage, parseAnthropicModels } from './response.ts';
import { AnthropicStreamTranslator } from './stream.ts';

/** Anthropic's Messages API. No embeddings endpoint exists. */
export const anthropic: ProviderDefinition = {
  id: 'anthropic',
  name: 'Anthropic',
  defaultBaseUrl: ANTHROPIC_BASE_URL,
  auth: 'x-api-key',
  supports: {
    chat: true,
    stream: true,
    embeddings: false,
    tools: true,
    models: true,
    images: false,
    audio: false,
  },
  buildRequest: buildAnthropicRequest,
  parseResponse: parseAnthropicMessage,
  createStreamTranslator: (model, emit, request) => new AnthropicStreamTranslator(model, emit, request),
  mapError: mapAnthropicError,
  buildModelsRequest: (credential) => {
    const headers = anthropicHeaders(credential);
    delete headers['content-type'];
    return {
      method: 'GET',
      url: `${resolveBaseUrl(ANTHROPIC_BASE_URL, credential, 'Anthropic')}/v1/models?limit=1000`,
      headers,
    };
  },
  parseModelsResponse: parseAnthropicModels,
};
