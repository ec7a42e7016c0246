import { defineOpenAICompatible } from './openai-compatible/index.ts';

/*
 * OpenAI-compatible providers that need nothing but a name and a base URL. Adding one is a few lines
 * here plus one entry in the registry (providers/index.ts).
 */

export const groq = defineOpenAICompatible({
  id: 'groq',
  name: 'Groq',
  baseUrl: 'https://api.groq.com/openai/v1',
  supports: { embeddings: false, audio: true },
});

export const deepseek = defineOpenAICompatible({
  id: 'deepseek',
  name: 'DeepSeek',
  baseUrl: 'https://api.deepseek.com/v1',
  supports: { embeddings: false },
});

export const openrouter = defineOpenAICompatible({
  id: 'openrouter',
  name: 'OpenRouter',
  baseUrl: 'https://openrouter.ai/api/v1',
});

export const ollama = defineOpenAICompatible({
  id: 'ollama',
  name: 'Ollama',
  baseUrl: 'http://127.0.0.1:11434/v1',
  auth: 'none',
});

export const vllm = defineOpenAICompatible({
  id: 'vllm',
  name: 'vLLM',
  baseUrl: 'http://127.0.0.1:8000/v1',
  supports: { audio: true },
});

export const xai = defineOpenAICompatible({
  id: 'xai',
  name: 'xAI',
  baseUrl: 'https://api.x.ai/v1',
  supports: { embeddings: false },
});

export const together = defineOpenAICompatible({
  id: 'together',
  name: 'Together AI',
  baseUrl: 'https://api.together.xyz/v1',
});

export const fireworks = defineOpenAICompatible({
  id: 'fireworks',
  name: 'Fireworks AI',
  baseUrl: 'https://api.fireworks.ai/inference/v1',
});

export const perplexity = defineOpenAICompatible({
  id: 'perplexity',
  name: 'Perplexity',
  baseUrl: 'https://api.perplexity.ai',
  supports: { embeddings: false, models: false },
});
