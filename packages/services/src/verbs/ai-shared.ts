import { badRequest } from '@portcullis/core/errors';
import type { z } from 'zod';

/**
 * Helpers shared by the AI verbs (credentials, prices, API configs, plan limits, call log).
 * Documents are validated here, not only at the tRPC edge, so every caller gets field-level errors
 * keyed by the dotted path inside the document (`routes.0.targets.1.model`).
 */

/** First message per dotted path of a zod error; an issue at the root is keyed by `fallback`. */
function zodFieldErrors(error: z.ZodError, fallback = 'form'): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.') || fallback;
    if (!(field in fields)) fields[field] = issue.message;
  }
  return fields;
}

/** Parses `input` or throws BAD_REQUEST whose `fields` name each offending path. */
export function parseOrBadRequest<S extends z.ZodType>(
  schema: S,
  input: unknown,
  message = 'Check the highlighted fields',
): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw badRequest(message, zodFieldErrors(parsed.error));
}

/** The provider ids the gateway has adapters for (packages/ai's registry; a unit test keeps them equal). */
export interface AiProviderInfo {
  id: string;
  name: string;
  /** the credential must name its endpoint (Azure resource, self-hosted server) */
  needsBaseUrl: boolean;
  /** Azure's api-version query parameter */
  needsApiVersion: boolean;
  /** the server takes no key (Ollama) */
  secretOptional: boolean;
  /**
   * what the secret is: an API key, or a Google service-account JSON key (Vertex AI), checked on save;
   * with a service account the apiVersion field holds the region
   */
  secretKind: 'api-key' | 'service-account';
}

const provider = (
  id: string,
  name: string,
  extra: Partial<Omit<AiProviderInfo, 'id' | 'name'>> = {},
): AiProviderInfo => ({
  id,
  name,
  needsBaseUrl: false,
  needsApiVersion: false,
  secretOptional: false,
  secretKind: 'api-key',
  ...extra,
});

export const AI_PROVIDERS: readonly AiProviderInfo[] = [
  provider('openai', 'OpenAI'),
  provider('azure', 'Azure OpenAI', { needsBaseUrl: true, needsApiVersion: true }),
  provider('anthropic', 'Anthropic'),
  provider('gemini', 'Google Gemini'),
  provider('bedrock', 'Amazon Bedrock'),
  provider('vertex', 'Google Vertex AI (Gemini)', { needsApiVersion: true, secretKind: 'service-account' }),
  provider('vertex-anthropic', 'Anthropic on Vertex AI', {
    needsApiVersion: true,
    secretKind: 'service-account',
  }),
  provider('mistral', 'Mistral'),
  provider('cohere', 'Cohere'),
  provider('groq', 'Groq'),
  provider('deepseek', 'DeepSeek'),
  provider('openrouter', 'OpenRouter'),
  provider('xai', 'xAI'),
  provider('together', 'Together AI'),
  provider('fireworks', 'Fireworks AI'),
  provider('perplexity', 'Perplexity'),
  provider('ollama', 'Ollama', { secretOptional: true }),
  provider('vllm', 'vLLM'),
  provider('openai-compatible', 'OpenAI-compatible (any other server)', { needsBaseUrl: true }),
];

export const aiProvider = (id: string): AiProviderInfo | undefined => AI_PROVIDERS.find((p) => p.id === id);

/** micro-USD (1e-6) as an exact decimal string without trailing zeros: 1234500n → "1.2345". */
export function microsToUsd(micros: bigint): string {
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  const whole = abs / 1_000_000n;
  const fraction = (abs % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
