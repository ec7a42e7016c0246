import { FormData } from 'undici';
import type { ChatCompletionRequest, EmbeddingRequest } from '../../types.ts';
import { authHeaders, resolveBaseUrl } from '../shared.ts';
import type { AuthStyle, ProviderCredential, ProviderHttpRequest } from '../types.ts';

export type Endpoint = 'chat' | 'embeddings' | 'models' | 'images' | 'transcriptions';

export interface OpenAICompatibleRequestOptions {
  providerName: string;
  baseUrl: string | null;
  auth: AuthStyle;
  /**
   * Whether the provider accepts `stream_options`. When it does, usage is always requested upstream (the
   * gateway meters every stream); the client only sees the usage chunk if it asked for one.
   */
  streamUsageOption: boolean;
  /** top-level request fields this provider rejects */
  dropFields: readonly string[];
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

const DEFAULT_PATHS: Record<Endpoint, string> = {
  chat: '/chat/completions',
  embeddings: '/embeddings',
  models: '/models',
  images: '/images/generations',
  transcriptions: '/audio/transcriptions',
};

function endpointUrl(
  options: OpenAICompatibleRequestOptions,
  endpoint: Endpoint,
  model: string,
  credential: ProviderCredential,
): string {
  const base = resolveBaseUrl(options.baseUrl, credential, options.providerName);
  return options.url ? options.url(endpoint, base, model, credential) : base + DEFAULT_PATHS[endpoint];
}

function headers(options: OpenAICompatibleRequestOptions, credential: ProviderCredential, json: boolean) {
  return {
    ...(json ? { 'content-type': 'application/json' } : {}),
    accept: 'application/json',
    ...credential.headers,
    ...authHeaders(options.auth, credential.apiKey),
  };
}

function buildChatBody(
  request: ChatCompletionRequest,
  model: string,
  options: OpenAICompatibleRequestOptions,
): Record<string, unknown> {
  const body: Record<string, unknown> = { ...request, model };
  // One output cap, the one the gateway reserved (max_completion_tokens wins, as everywhere): servers
  // differ in which of the two they honour, so a second, larger one could let an answer run past it.
  const cap = request.max_completion_tokens ?? request.max_tokens;
  delete body.max_completion_tokens;
  delete body.max_tokens;
  if (cap !== null && cap !== undefined) body.max_tokens = cap;
  if (request.stream && options.streamUsageOption) {
    body.stream_options = { ...request.stream_options, include_usage: true };
  } else delete body.stream_options;
  for (const field of options.dropFields) delete body[field];
  return options.transformChatBody ? options.transformChatBody(body, request) : body;
}

export function buildChatRequest(
  request: ChatCompletionRequest,
  model: string,
  credential: ProviderCredential,
  options: OpenAICompatibleRequestOptions,
): ProviderHttpRequest {
  const requestHeaders = headers(options, credential, true);
  if (request.stream) requestHeaders.accept = 'text/event-stream';
  return {
    method: 'POST',
    url: endpointUrl(options, 'chat', model, credential),
    headers: requestHeaders,
    body: JSON.stringify(buildChatBody(request, model, options)),
  };
}

/** Vectors are always requested as floats; base64 for the client is encoded by the gateway side. */
export function buildEmbeddingsRequest(
  request: EmbeddingRequest,
  model: string,
  credential: ProviderCredential,
  options: OpenAICompatibleRequestOptions,
): ProviderHttpRequest {
  const body: Record<string, unknown> = { ...request, model, encoding_format: 'float' };
  return {
    method: 'POST',
    url: endpointUrl(options, 'embeddings', model, credential),
    headers: headers(options, credential, true),
    body: JSON.stringify(
      options.transformEmbeddingsBody ? options.transformEmbeddingsBody(body, request) : body,
    ),
  };
}

export function buildModelsRequest(
  credential: ProviderCredential,
  options: OpenAICompatibleRequestOptions,
): ProviderHttpRequest {
  return {
    method: 'GET',
    url: endpointUrl(options, 'models', '', credential),
    headers: headers(options, credential, false),
  };
}

export function buildImagesRequest(
  body: Record<string, unknown>,
  model: string,
  credential: ProviderCredential,
  options: OpenAICompatibleRequestOptions,
): ProviderHttpRequest {
  return {
    method: 'POST',
    url: endpointUrl(options, 'images', model, credential),
    headers: headers(options, credential, true),
    body: JSON.stringify({ ...body, model }),
  };
}

/** The form as the caller sent it but for `model`; undici writes the multipart body and its boundary. */
export function buildTranscriptionRequest(
  form: FormData,
  model: string,
  credential: ProviderCredential,
  options: OpenAICompatibleRequestOptions,
): ProviderHttpRequest {
  const upstream = new FormData();
  for (const [name, value] of form) if (name !== 'model') upstream.append(name, value);
  upstream.set('model', model);
  return {
    method: 'POST',
    url: endpointUrl(options, 'transcriptions', model, credential),
    headers: headers(options, credential, false),
    form: upstream,
  };
}
