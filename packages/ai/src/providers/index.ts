import { anthropic } from './anthropic/index.ts';
import { azure } from './azure/index.ts';
import { bedrock } from './bedrock/index.ts';
import { cohere } from './cohere/index.ts';
import { gemini } from './gemini/index.ts';
import { mistral } from './mistral/index.ts';
import { openai } from './openai/index.ts';
import { defineOpenAICompatible } from './openai-compatible/index.ts';
import { deepseek, fireworks, groq, ollama, openrouter, perplexity, together, vllm, xai } from './presets.ts';
import type { ProviderDefinition } from './types.ts';
import { vertex, vertexAnthropic } from './vertex/index.ts';

export type * from './types.ts';

/** Any other OpenAI-compatible server: the credential's baseUrl says where it is. */
export const openaiCompatible = defineOpenAICompatible({
  id: 'openai-compatible',
  name: 'OpenAI-compatible',
  baseUrl: null,
  // whatever the server lacks answers 404, which the caller sees as the provider's error
  supports: { images: true, audio: true },
});

const registry = new Map<string, ProviderDefinition>(
  [
    openai,
    azure,
    anthropic,
    gemini,
    bedrock,
    vertex,
    vertexAnthropic,
    mistral,
    cohere,
    groq,
    deepseek,
    openrouter,
    xai,
    together,
    fireworks,
    perplexity,
    ollama,
    vllm,
    openaiCompatible,
  ].map((provider) => [provider.id, provider]),
);

/** The adapter for a ProviderCredential's provider id, or undefined when none is registered. */
export const getProvider = (id: string): ProviderDefinition | undefined => registry.get(id);

export const listProviders = (): ProviderDefinition[] => [...registry.values()];

/** Adds (or replaces) an adapter, e.g. a preset built with defineOpenAICompatible at startup. */
export function registerProvider(provider: ProviderDefinition): void {
  registry.set(provider.id, provider);
}
