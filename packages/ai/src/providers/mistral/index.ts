import { defineOpenAICompatible } from '../openai-compatible/index.ts';
import { toMistralChatBody, toMistralEmbeddingsBody } from './request.ts';

/** Mistral: the OpenAI-compatible base with Mistral's field names and strictness (see request.ts). */
export const mistral = defineOpenAICompatible({
  id: 'mistral',
  name: 'Mistral',
  baseUrl: 'https://api.mistral.ai/v1',
  streamUsageOption: false,
  transformChatBody: toMistralChatBody,
  transformEmbeddingsBody: toMistralEmbeddingsBody,
});
