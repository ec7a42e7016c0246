import { UnsupportedRequestError } from '../../errors.ts';
import type { Endpoint } from '../openai-compatible/request.ts';
import type { ProviderCredential } from '../types.ts';

/** A GA version that supports `stream_options.include_usage`, tools and `max_completion_tokens`. */
const AZURE_DEFAULT_API_VERSION = '2024-10-21';

const AZURE_PATHS: Record<Exclude<Endpoint, 'models'>, string> = {
  chat: 'chat/completions',
  embeddings: 'embeddings',
  images: 'images/generations',
  transcriptions: 'audio/transcriptions',
};

/**
 * Azure addresses a deployment, not a model: `{endpoint}/openai/deployments/{deployment}/chat/completions
 * ?api-version=…`. The route's model name is the deployment name.
 */
export function azureUrl(
  endpoint: Endpoint,
  baseUrl: string,
  deployment: string,
  credential: ProviderCredential,
) {
  const version = encodeURIComponent(credential.apiVersion ?? AZURE_DEFAULT_API_VERSION);
  if (endpoint === 'models') return `${baseUrl}/openai/models?api-version=${version}`;
  if (!deployment) throw new UnsupportedRequestError('Azure OpenAI needs a deployment name as the model.');
  const path = AZURE_PATHS[endpoint];
  return `${baseUrl}/openai/deployments/${encodeURIComponent(deployment)}/${path}?api-version=${version}`;
}

/** The deployment fixes the model; Azure ignores `model` in the body, so it is not sent. */
export function withoutModel(body: Record<string, unknown>): Record<string, unknown> {
  delete body.model;
  return body;
}
