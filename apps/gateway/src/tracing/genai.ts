import type { SpanAttributes } from './types.ts';

/*
 * OpenTelemetry GenAI semantic conventions for provider calls (inference and embeddings client spans):
 * span name `{gen_ai.operation.name} {gen_ai.request.model}`, kind CLIENT, request parameters when set,
 * usage and the response's id, model and finish reasons. Never prompt or response content.
 */

/** the two well-known operations, and the gateway's names for images, transcription and moderation */
export type GenAiOperation = 'chat' | 'embeddings' | 'image_generation' | 'transcription' | 'moderation';

/** gen_ai.provider.name's well-known values for the gateway's adapters; others keep their adapter id. */
const PROVIDER_NAMES: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  azure: 'azure.ai.openai',
  gemini: 'gcp.gemini',
  mistral: 'mistral_ai',
  groq: 'groq',
  deepseek: 'deepseek',
  cohere: 'cohere',
  vertex: 'gcp.vertex_ai',
  'vertex-anthropic': 'gcp.vertex_ai',
  xai: 'x_ai',
  perplexity: 'perplexity',
};

const genAiProviderName = (adapterId: string): string => PROVIDER_NAMES[adapterId] ?? adapterId;

export const genAiSpanName = (operation: GenAiOperation, model: string): string => `${operation} ${model}`;

/** The sampling parameters a chat request may set (unified request field names). */
export interface GenAiRequestParams {
  max_tokens?: number | null | undefined;
  max_completion_tokens?: number | null | undefined;
  temperature?: number | null | undefined;
  top_p?: number | null | undefined;
}

export function genAiRequestAttributes(
  operation: GenAiOperation,
  adapterId: string,
  model: string,
  params: GenAiRequestParams = {},
): SpanAttributes {
  const provider = genAiProviderName(adapterId);
  const maxTokens = params.max_completion_tokens ?? params.max_tokens;
  return {
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': provider,
    // the name before semantic conventions 1.37, still read by many backends
    'gen_ai.system': provider,
    'gen_ai.request.model': model,
    'gen_ai.request.max_tokens': maxTokens ?? undefined,
    'gen_ai.request.temperature': params.temperature ?? undefined,
    'gen_ai.request.top_p': params.top_p ?? undefined,
  };
}

/** What an attempt's answer tells about itself, once it is complete (streams: at their end). */
export interface GenAiResponse {
  id?: string | undefined;
  model?: string | undefined;
  finishReasons?: readonly string[] | undefined;
  inputTokens?: number | undefined;
  outputTokens?: number | undefined;
}

export function genAiResponseAttributes(response: GenAiResponse): SpanAttributes {
  return {
    'gen_ai.response.id': response.id,
    'gen_ai.response.model': response.model,
    'gen_ai.response.finish_reasons':
      response.finishReasons && response.finishReasons.length > 0 ? [...response.finishReasons] : undefined,
    'gen_ai.usage.input_tokens': response.inputTokens,
    'gen_ai.usage.output_tokens': response.outputTokens,
  };
}

/** error.type of a failed attempt: the upstream status when there is one, else what went wrong. */
export const genAiErrorType = (error: { kind: string; upstreamStatus: number | null }): string =>
  error.upstreamStatus !== null ? String(error.upstreamStatus) : error.kind;
