import {
  extractErrorFields,
  InvalidResponseError,
  mapUpstreamError,
  type ProviderError,
} from '../../errors.ts';
import type {
  AssistantOutputMessage,
  ChatCompletion,
  ChatCompletionChoice,
  CompletionUsage,
  FinishReason,
  ModelList,
  ToolCall,
} from '../../types.ts';
import { nowSeconds } from '../../types.ts';
import { asNumber, asString, expectRecord, isRecord, randomId } from '../shared.ts';
import type { EmbeddingResult, HeaderMap } from '../types.ts';

const FINISH_REASONS = new Set<string>(['stop', 'length', 'tool_calls', 'content_filter', 'function_call']);

/** Compatible servers invent finish reasons ("eos", "model_length"); map the known spirit, default stop. */
export function normalizeFinishReason(value: unknown): FinishReason | null {
  if (value == null) return null;
  if (typeof value !== 'string') return 'stop';
  if (FINISH_REASONS.has(value)) return value as FinishReason;
  if (value === 'model_length' || value === 'max_tokens') return 'length';
  if (value === 'tool_call') return 'tool_calls';
  return 'stop';
}

export function normalizeUsage(value: unknown): CompletionUsage | null {
  if (!isRecord(value)) return null;
  const prompt = asNumber(value.prompt_tokens);
  const completion = asNumber(value.completion_tokens);
  if (prompt === undefined || completion === undefined) return null;
  const usage: CompletionUsage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: asNumber(value.total_tokens) ?? prompt + completion,
  };
  const promptDetails = value.prompt_tokens_details;
  if (isRecord(promptDetails) && asNumber(promptDetails.cached_tokens) !== undefined) {
    usage.prompt_tokens_details = { cached_tokens: promptDetails.cached_tokens as number };
  }
  const completionDetails = value.completion_tokens_details;
  if (isRecord(completionDetails) && asNumber(completionDetails.reasoning_tokens) !== undefined) {
    usage.completion_tokens_details = { reasoning_tokens: completionDetails.reasoning_tokens as number };
  }
  return usage;
}

function normalizeToolCalls(value: unknown): ToolCall[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.map((raw): ToolCall => {
    const call = expectRecord(raw, 'tool call');
    const fn = expectRecord(call.function, 'tool call function');
    const args = fn.arguments;
    return {
      id: asString(call.id) ?? randomId('call_'),
      type: 'function',
      function: {
        name: asString(fn.name) ?? '',
        arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
      },
    };
  });
}

/**
 * OpenAI says `finish_reason: "stop"` for a natural end and for a stop sequence alike, so which of the
 * caller's sequences ended the text cannot be known from it (the sequence is not in the text either).
 * vLLM adds `stop_reason`: the matched stop string (or a stop token's id, or null for a natural end); only
 * a string there says a stop sequence ended the choice.
 */
export function stopSequenceOf(choice: Record<string, unknown>): { stop_sequence?: string } {
  const reason = choice.stop_reason;
  return choice.finish_reason === 'stop' && typeof reason === 'string' && reason
    ? { stop_sequence: reason }
    : {};
}

function normalizeChoice(raw: unknown, position: number): ChatCompletionChoice {
  const choice = expectRecord(raw, 'choice');
  const message = isRecord(choice.message) ? choice.message : {};
  const content = message.content;
  const out: AssistantOutputMessage = {
    role: 'assistant',
    content: typeof content === 'string' ? content : null,
  };
  if (typeof message.refusal === 'string') out.refusal = message.refusal;
  const toolCalls = normalizeToolCalls(message.tool_calls);
  if (toolCalls) out.tool_calls = toolCalls;
  return {
    index: asNumber(choice.index) ?? position,
    message: out,
    finish_reason: normalizeFinishReason(choice.finish_reason) ?? 'stop',
    logprobs: choice.logprobs ?? null,
    ...stopSequenceOf(choice),
  };
}

/** A clean OpenAI chat.completion from any compatible server's answer (extra vendor fields dropped). */
export function parseChatCompletion(json: unknown, model: string): ChatCompletion {
  const body = expectRecord(json, 'chat completion');
  if (!Array.isArray(body.choices)) throw new InvalidResponseError('chat completion has no choices array');
  const completion: ChatCompletion = {
    id: asString(body.id) || randomId('chatcmpl-'),
    object: 'chat.completion',
    created: asNumber(body.created) || nowSeconds(),
    model: asString(body.model) || model,
    choices: body.choices.map(normalizeChoice),
  };
  const usage = normalizeUsage(body.usage);
  if (usage) completion.usage = usage;
  if (typeof body.system_fingerprint === 'string') completion.system_fingerprint = body.system_fingerprint;
  return completion;
}

function decodeBase64Vector(value: string): number[] {
  const bytes = Buffer.from(value, 'base64');
  const floats = new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4));
  return Array.from(floats);
}

export function parseEmbeddings(json: unknown, model: string): EmbeddingResult {
  const body = expectRecord(json, 'embeddings response');
  if (!Array.isArray(body.data)) throw new InvalidResponseError('embeddings response has no data array');
  const rows = body.data.map((raw, position) => {
    const row = expectRecord(raw, 'embedding');
    const embedding = row.embedding;
    const vector =
      typeof embedding === 'string'
        ? decodeBase64Vector(embedding)
        : Array.isArray(embedding) && embedding.every((v) => typeof v === 'number')
          ? (embedding as number[])
          : null;
    if (!vector) throw new InvalidResponseError('embedding is neither a number array nor base64');
    return { index: asNumber(row.index) ?? position, vector };
  });
  rows.sort((a, b) => a.index - b.index);
  const usage = isRecord(body.usage) ? body.usage : {};
  return {
    vectors: rows.map((row) => row.vector),
    promptTokens: asNumber(usage.prompt_tokens) ?? null,
    model: asString(body.model) || model,
  };
}

export function parseModels(json: unknown, ownedBy: string): ModelList {
  const body = expectRecord(json, 'model list');
  if (!Array.isArray(body.data)) throw new InvalidResponseError('model list has no data array');
  return {
    object: 'list',
    data: body.data.map((raw) => {
      const model = expectRecord(raw, 'model');
      return {
        id: asString(model.id) ?? '',
        object: 'model',
        created: asNumber(model.created) ?? 0,
        owned_by: asString(model.owned_by) ?? ownedBy,
      };
    }),
  };
}

export function mapOpenAICompatibleError(status: number, body: string, headers: HeaderMap): ProviderError {
  return mapUpstreamError(status, extractErrorFields(body), headers);
}
