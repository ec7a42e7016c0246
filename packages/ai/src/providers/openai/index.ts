import { defineOpenAICompatible } from '../openai-compatible/index.ts';

/**
 * OpenAI deprecated `max_tokens` in chat completions and its reasoning models refuse it; every current
 * chat model takes `max_completion_tokens`. A cap given (or set by the gateway's budget reservation) as
 * `max_tokens` is sent under the new name.
 */
export function withMaxCompletionTokens(body: Record<string, unknown>): Record<string, unknown> {
  if (body.max_tokens === undefined || body.max_tokens === null) return body;
  const { max_tokens, ...rest } = body;
  return { ...rest, max_completion_tokens: rest.max_completion_tokens ?? max_tokens };
}

/** OpenAI itself: the base as is. */
export const openai = defineOpenAICompatible({
  id: 'openai',
  name: 'OpenAI',
  baseUrl: 'https://api.openai.com/v1',
  transformChatBody: withMaxCompletionTokens,
  supports: { images: true, audio: true },
});
