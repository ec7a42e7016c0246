import { withMaxCompletionTokens } from '../openai/index.ts';
import { defineOpenAICompatible } from '../openai-compatible/index.ts';
import { azureUrl, withoutModel } from './request.ts';

/**
 * Azure OpenAI: OpenAI's wire format behind deployment URLs and an `api-key` header. The credential's
 * baseUrl is the resource endpoint (https://{resource}.openai.azure.com), apiVersion its api-version.
 * Responses and streams are OpenAI's (plus content-filter annotations the base drops).
 */
export const azure = defineOpenAICompatible({
  id: 'azure',
  name: 'Azure OpenAI',
  baseUrl: null,
  auth: 'api-key',
  // /openai/models lists the resource's base models, not its deployments, so it would mislead.
  supports: { models: false, images: true, audio: true },
  url: azureUrl,
  // Azure serves OpenAI's models, reasoning ones included: the output cap goes as max_completion_tokens.
  transformChatBody: (body) => withoutModel(withMaxCompletionTokens(body)),
  transformEmbeddingsBody: withoutModel,
});
