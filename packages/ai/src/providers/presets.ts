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
