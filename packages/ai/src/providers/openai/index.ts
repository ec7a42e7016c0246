import { defineOpenAICompatible } from '../openai-compatible/index.ts';

/** OpenAI itself: the base as is. */
export const openai = defineOpenAICompatible({
  id: 'openai',
  name: 'OpenAI',
  baseUrl: 'https://api.openai.com/v1',
  supports: { images: true, audio: true },
});
