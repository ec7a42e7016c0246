import { InvalidResponseError, mapUpstreamError, type ProviderError } from '../../errors.ts';
import type {
  ChatCompletion,
  ChatCompletionChoice,
  CompletionUsage,
  FinishReason,
  ModelList,
  ToolCall,
} from '../../types.ts';
import { nowSeconds } from '../../types.ts';
import { asNumber, asString, expectRecord, isRecord, randomId, usageFrom } from '../shared.ts';
import type { EmbeddingResult, HeaderMap } from '../types.ts';

const CONTENT_FILTER_REASONS = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'LANGUAGE',
]);

/** STOP covers a natural end and a stop sequence alike, without naming the sequence: none is reported. */
export function finishReasonFromGemini(reason: unknown, madeToolCalls: boolean): FinishReason | null {
  if (reason == null || reason === 'FINISH_REASON_UNSPECIFIED') return null;
  if (reason === 'MAX_TOKENS') return 'length';
  if (typeof reason === 'string' && CONTENT_FILTER_REASONS.has(reason)) return 'content_filter';
  return madeToolCalls ? 'tool_calls' : 'stop';
}

/** Thinking tokens are billed as output, so they count as completion tokens. */
export function usageFromGemini(metadata: unknown): CompletionUsage | null {
  if (!isRecord(metadata)) return null;
  const prompt = asNumber(metadata.promptTokenCount);
  if (prompt === undefined) return null;
  const completion =
    (asNumber(metadata.candidatesTokenCount) ?? 0) + (asNumber(metadata.thoughtsTokenCount) ?? 0);
  return usageFrom(prompt, completion, asNumber(metadata.cachedContentTokenCount));
}

/** Text and function calls of one candidate; `thought` parts (reasoning summaries) are not output. */
export function candidateParts(candidate: Record<string, unknown>): { text: string; calls: ToolCall[] } {
  const content = isRecord(candidate.content) ? candidate.content : {};
  const parts = Array.isArray(content.parts) ? content.parts : [];
  let text = '';
  const calls: ToolCall[] = [];
  for (const part of parts) {
    if (!isRecord(part) || part.thought === true) continue;
    if (typeof part.text === 'string') text += part.text;
    else if (isRecord(part.functionCall)) {
      const call = part.functionCall;
      calls.push({
        id: asString(call.id) ?? randomId('call_'),
        type: 'function',
        function: { name: asString(call.name) ?? '', arguments: JSON.stringify(call.args ?? {}) },
      });
    }
  }
  return { text, calls };
}

export function parseGeminiResponse(json: unknown, model: string): ChatCompletion {
  const body = expectRecord(json, 'Gemini response');
  const candidates = Array.isArray(body.candidates) ? body.candidates : [];
  const choices: ChatCompletionChoice[] = candidates.map((raw, position) => {
    const candidate = expectRecord(raw, 'candidate');
    const { text, calls } = candidateParts(candidate);
    return {
      index: asNumber(candidate.index) ?? position,
      message: {
        role: 'assistant',
        content: text || (calls.length > 0 ? null : ''),
        ...(calls.length > 0 ? { tool_calls: calls } : {}),
      },
      finish_reason: finishReasonFromGemini(candidate.finishReason, calls.length > 0) ?? 'stop',
      logprobs: null,
    };
  });
  if (choices.length === 0) {
    // A prompt blocked by safety filters comes back with promptFeedback and no candidates.
    if (!isRecord(body.promptFeedback)) throw new InvalidResponseError('Gemini response has no candidates');
    choices.push({
      index: 0,
      message: { role: 'assistant', content: '' },
      finish_reason: 'content_filter',
      logprobs: null,
    });
  }
  const completion: ChatCompletion = {
    id: asString(body.responseId) ?? randomId('chatcmpl-'),
    object: 'chat.completion',
    created: nowSeconds(),
    model: asString(body.modelVersion) ?? model,
    choices,
  };
  const usage = usageFromGemini(body.usageMetadata);
  if (usage) completion.usage = usage;
  return completion;
}

export function parseGeminiEmbeddings(json: unknown, model: string): EmbeddingResult {
  const body = expectRecord(json, 'Gemini embeddings');
  const rows = Array.isArray(body.embeddings)
    ? body.embeddings
    : isRecord(body.embedding)
      ? [body.embedding]
      : null;
  if (!rows) throw new InvalidResponseError('Gemini embeddings response has no embeddings');
  return {
    vectors: rows.map((row) => {
      const values = isRecord(row) ? row.values : undefined;
      if (!Array.isArray(values)) throw new InvalidResponseError('Gemini embedding has no values');
      return values as number[];
    }),
    promptTokens: null,
    model,
  };
}

export function parseGeminiModels(json: unknown): ModelList {
  const body = expectRecord(json, 'Gemini model list');
  const models = Array.isArray(body.models) ? body.models : [];
  return {
    object: 'list',
    data: models.map((raw) => {
      const name = asString(expectRecord(raw, 'model').name) ?? '';
      return {
        id: name.startsWith('models/') ? name.slice(7) : name,
        object: 'model',
        created: 0,
        owned_by: 'google',
      };
    }),
  };
}

/** Google's RetryInfo ("retryDelay": "37s") stands in for a Retry-After header on 429s. */
function retryDelayMs(error: Record<string, unknown>): number | null {
  const details = Array.isArray(error.details) ? error.details : [];
  for (const detail of details) {
    if (!isRecord(detail) || typeof detail.retryDelay !== 'string') continue;
    const seconds = Number.parseFloat(detail.retryDelay);
    if (Number.isFinite(seconds)) return Math.ceil(seconds * 1000);
  }
  return null;
}

/** Google answers an unknown or revoked API key with 400 INVALID_ARGUMENT and this ErrorInfo reason. */
const KEY_REJECTED_REASONS = new Set([
  'API_KEY_INVALID',
  'API_KEY_SERVICE_BLOCKED',
  'API_KEY_HTTP_REFERRER_BLOCKED',
]);

function keyRejected(error: Record<string, unknown>): boolean {
  if (error.status === 'UNAUTHENTICATED' || error.status === 'PERMISSION_DENIED') return true;
  const details = Array.isArray(error.details) ? error.details : [];
  return details.some((detail) => isRecord(detail) && KEY_REJECTED_REASONS.has(String(detail.reason)));
}

/** Google's `{error:{code, message, status, details}}`. */
export function mapGeminiError(status: number, body: string, headers: HeaderMap): ProviderError {
  let error: Record<string, unknown> = {};
  try {
    const json: unknown = JSON.parse(body);
    if (Array.isArray(json) && isRecord(json[0])) error = isRecord(json[0].error) ? json[0].error : {};
    else if (isRecord(json) && isRecord(json.error)) error = json.error;
  } catch {
    // not JSON: the status alone decides
  }
  const message =
    asString(error.message) ?? (body.trim().slice(0, 500) || `The provider answered HTTP ${status}`);
  const mapped = mapUpstreamError(status, { message }, headers, { credentialRejected: keyRejected(error) });
  mapped.retryAfterMs ??= retryDelayMs(error);
  return mapped;
}
