import type { ChatCompletionRequest, EmbeddingRequest } from '../../types.ts';
import type { AuthStyle, ProviderCredential, ProviderDefinition, ProviderSupports } from '../types.ts';
import {
  buildChatRequest,
  buildEmbeddingsRequest,
  buildImagesRequest,
  buildModelsRequest,
  buildTranscriptionRequest,
  type Endpoint,
  type OpenAICompatibleRequestOptions,
} from './request.ts';
import { mapOpenAICompatibleError, parseChatCompletion, parseEmbeddings, parseModels } from './response.ts';
import { OpenAIStreamTranslator } from './stream.ts';

export interface OpenAICompatibleOptions {
  id: string;
  name: string;
  /** e.g. "https://api.groq.com/openai/v1" (the prefix before /chat/completions); null: from the credential */
  baseUrl: string | null;
  /** default 'bearer' */
  auth?: AuthStyle;
  /** default: chat, streams, embeddings, tools and models on, images and audio off; override per server */
  supports?: Partial<ProviderSupports>;
  /** default true; false for servers that reject `stream_options` (they must report usage on their own) */
  streamUsageOption?: boolean;
  /** top-level request fields the server rejects */
  dropFields?: readonly string[];
  url?: (endpoint: Endpoint, baseUrl: string, model: string, credential: ProviderCredential) => string;
  transformChatBody?: (
    body: Record<string, unknown>,
    request: ChatCompletionRequest,
  ) => Record<string, unknown>;
  transformEmbeddingsBody?: (
    body: Record<string, unknown>,
    request: EmbeddingRequest,
  ) => Record<string, unknown>;
}

/**
 * The one base every OpenAI-compatible provider reuses: a preset is an id, a name and a base URL, plus
 * the few quirks (rejected fields, URL layout, auth header) of the server behind it.
 */
export function defineOpenAICompatible(options: OpenAICompatibleOptions): ProviderDefinition {
  const requestOptions: OpenAICompatibleRequestOptions = {
    providerName: options.name,
    baseUrl: options.baseUrl,
    auth: options.auth ?? 'bearer',
    streamUsageOption: options.streamUsageOption ?? true,
    dropFields: options.dropFields ?? [],
    url: options.url,
    transformChatBody: options.transformChatBody,
    transformEmbeddingsBody: options.transformEmbeddingsBody,
  };
  const supports: ProviderSupports = {
    chat: true,
    stream: true,
    embeddings: true,
    tools: true,
    models: true,
    images: false,
    audio: false,
    ...options.supports,
  };
  const definition: ProviderDefinition = {
    id: options.id,
    name: options.name,
    defaultBaseUrl: options.baseUrl,
    auth: requestOptions.auth,
    supports,
    buildRequest: (request, model, credential) =>
      buildChatRequest(request, model, credential, requestOptions),
    parseResponse: parseChatCompletion,
    createStreamTranslator: (model, emit) => new OpenAIStreamTranslator(model, emit),
    mapError: mapOpenAICompatibleError,
  };
  if (supports.embeddings) {
    definition.buildEmbeddingsRequest = (request, model, credential) =>
      buildEmbeddingsRequest(request, model, credential, requestOptions);
    definition.parseEmbeddingsResponse = parseEmbeddings;
  }
  if (supports.images) {
    definition.buildImagesRequest = (body, model, credential) =>
      buildImagesRequest(body, model, credential, requestOptions);
  }
  if (supports.audio) {
    definition.buildTranscriptionRequest = (form, model, credential) =>
      buildTranscriptionRequest(form, model, credential, requestOptions);
  }
  if (supports.models) {
    definition.buildModelsRequest = (credential) => buildModelsRequest(credential, requestOptions);
    definition.parseModelsResponse = (json) => parseModels(json, options.id);
  }
  return definition;
}
