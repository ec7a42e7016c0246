import {
  extractErrorFields,
  InvalidResponseError,
  mapUpstreamError,
  type ProviderError,
} from '../../errors.ts';
import type { ChatCompletion, CompletionUsage, FinishReason, ModelList, ToolCall } from '../../types.ts';
import { nowSeconds } from '../../types.ts';
import { asNumber, asString, expectRecord, isRecord, randomId, usageFrom } from '../shared.ts';
import type { EmbeddingResult, HeaderMap } from '../types.ts';

/**
 * Cohere reports `billed_units` (what it charges for) and `tokens` (what the model saw, including its
 * own prompt template); the bill follows billed_units, tokens only when those are missing.
 */
export function usageFromCohere(usage: unknown): CompletionUsage | null {
  if (!isRecord(usage)) return null;
  for (const counts of [usage.billed_units, usage.tokens]) {
    if (!isRecord(counts)) continue;
    const input = asNumber(counts.input_tokens);
    const output = asNumber(counts.output_tokens);
    if (input !== undefined || output !== undefined) return usageFrom(input ?? 0, output ?? 0);
  }
  return null;
}

export function finishReasonFromCohere(reason: unknown, madeToolCalls: boolean): FinishReason {
  if (reason === 'MAX_TOKENS') return 'length';
  if (reason === 'TOOL_CALL' || madeToolCalls) return 'tool_calls';
  if (reason === 'ERROR_TOXIC') return 'content_filter';
  return 'stop';
}

export function toolCallOf(raw: unknown): ToolCall | null {
  if (!isRecord(raw) || !isRecord(raw.function)) return null;
  const args = raw.function.arguments;
  return {
    id: asString(raw.id) ?? randomId('call_'),
    type: 'function',
    function: {
      name: asString(raw.function.name) ?? '',
      arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
    },
  };
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) if (isRecord(part) && typeof part.text === 'string') text += part.text;
  return text;
}

export function parseCohereResponse(json: unknown, model: string): ChatCompletion {
  const body = expectRecord(json, 'Cohere response');
  if (!isRecord(body.message)) throw new InvalidResponseError('Cohere response has no message');
  const message = body.message;
  const calls = (Array.isArray(message.tool_calls) ? message.tool_calls : [])
    .map(toolCallOf)
    .filter((call): call is ToolCall => call !== null);
  const text = textOf(message.content);
  const completion: ChatCompletion = {
    id: asString(body.id) ?? randomId('chatcmpl-'),
    object: 'chat.completion',
    created: nowSeconds(),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          // with tool calls, Cohere's text is its tool plan
          content: calls.length > 0 ? text || asString(message.tool_plan) || null : text,
          ...(calls.length > 0 ? { tool_calls: calls } : {}),
        },
        finish_reason: finishReasonFromCohere(body.finish_reason, calls.length > 0),
        logprobs: null,
      },
    ],
  };
  const usage = usageFromCohere(body.usage);
  if (usage) completion.usage = usage;
  return completion;
}

export function parseCohereEmbeddings(json: unknown, model: string): EmbeddingResult {
  const body = expectRecord(json, 'Cohere embeddings');
  const embeddings = isRecord(body.embeddings) ? body.embeddings.float : body.embeddings;
  if (!Array.isArray(embeddings) || !embeddings.every(Array.isArray)) {
    throw new InvalidResponseError('Cohere embeddings response has no float embeddings');
  }
  const billed = isRecord(body.meta) && isRecord(body.meta.billed_units) ? body.meta.billed_units : {};
  return { vectors: embeddings as number[][], promptTokens: asNumber(billed.input_tokens) ?? null, model };
}

/** Cohere's `{message}` error bodies (an `id` beside it); 401 is a refused key, 429 a rate limit. */
export function mapCohereError(status: number, body: string, headers: HeaderMap): ProviderError {
  return mapUpstreamError(status, extractErrorFields(body), headers);
}

export function parseCohereModels(json: unknown): ModelList {
  const body = expectRecord(json, 'Cohere model list');
  const models = Array.isArray(body.models) ? body.models : [];
  return {
    object: 'list',
    data: models.flatMap((raw) => {
      const id = isRecord(raw) ? asString(raw.name) : undefined;
      return id ? [{ id, object: 'model' as const, created: 0, owned_by: 'cohere' }] : [];
    }),
  };
}
