import type { ProviderDefinition } from '../types.ts';
import { buildBedrockEmbeddingsRequest, parseBedrockEmbeddings } from './embeddings.ts';
import { EventStreamDecoder } from './eventstream.ts';
import { buildBedrockRequest } from './request.ts';
import { mapBedrockError, parseConverseResponse } from './response.ts';
import { signBedrockRequest } from './sign.ts';
import { BedrockStreamTranslator } from './stream.ts';

/**
 * Amazon Bedrock's Converse and ConverseStream APIs, and InvokeModel for embeddings, SigV4-signed (service
 * `bedrock`) with the credential's access keys and region. The default endpoint is
 * bedrock-runtime.{region}.amazonaws.com; the URL here is a placeholder the request builder fills from the
 * credential's region.
 */
export const bedrock: ProviderDefinition = {
  id: 'bedrock',
  name: 'Amazon Bedrock',
  defaultBaseUrl: 'https://bedrock-runtime.{region}.amazonaws.com',
  auth: 'aws-sigv4',
  supports: {
    chat: true,
    stream: true,
    embeddings: true,
    tools: true,
    models: false,
    images: false,
    audio: false,
  },
  buildRequest: buildBedrockRequest,
  parseResponse: parseConverseResponse,
  createStreamTranslator: (model, emit) => new BedrockStreamTranslator(model, emit),
  createStreamDecoder: (onEvent) => new EventStreamDecoder(onEvent),
  mapError: mapBedrockError,
  buildEmbeddingsRequests: buildBedrockEmbeddingsRequest,
  parseEmbeddingsResponse: parseBedrockEmbeddings,
  authorize: signBedrockRequest,
};
