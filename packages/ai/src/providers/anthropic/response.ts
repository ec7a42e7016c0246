import {
  extractErrorFields,
  InvalidResponseError,
  mapUpstreamError,
  type ProviderError,
} from '../../errors.ts';
import type {
  ChatCompletion,
  ChatCompletionChoice,
  ChatCompletionRequest,
  CompletionUsage,
  FinishReason,
  ModelList,
  ToolCall,
} from '../../types.ts';
import { nowSeconds } from '../../types.ts';
import { asNumber, asString, expectRecord, isRecord, randomId, usageFrom } from '../shared.ts';
import type { HeaderMap } from '../types.ts';
import { formatToolName } from './structured.ts';

function finishReasonFromStop(stopReason: unknown): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      // end_turn, stop_sequence, pause_turn
      return 'stop';
  }
}

/** Anthropic counts cache reads and writes apart from input_tokens; OpenAI's prompt_tokens includes them. */
export function usageFromAnthropic(usage: Record<string, unknown>): CompletionUsage {
  const cacheRead = asNumber(usage.cache_read_input_tokens) ?? 0;
  const cacheWrite = asNumber(usage.cache_creation_input_tokens) ?? 0;
  const input = (asNumber(usage.input_tokens) ?? 0) + cacheRead + cacheWrite;
  return usageFrom(input, asNumber(usage.output_tokens) ?? 0, cacheRead);
}

/**
 * The stop sequence Anthropic reports (`stop_reason: "stop_sequence"` with the matched `stop_sequence`),
 * as the unified choice's extension field.
 */
export function stopSequenceField(stopReason: unknown, stopSequence: unknown): { stop_sequence?: string } {
  return stopReason === 'stop_sequence' && typeof stopSequence === 'string'
    ? { stop_sequence: stopSequence }
    : {};
}

/**
 * A format tool (structured.ts) ends the message with stop_reason "tool_use", but for the caller it was
 * an ordinary answer: only calls of the caller's tools make it "tool_calls".
 */
export function finishReasonOf(stopReason: unknown, callerToolCalls: number): FinishReason {
  const reason = finishReasonFromStop(stopReason);
  return reason === 'tool_calls' && callerToolCalls === 0 ? 'stop' : reason;
}

export function parseAnthropicMessage(
  json: unknown,
  model: string,
  request?: ChatCompletionRequest,
): ChatCompletion {
  const body = expectRecord(json, 'Anthropic message');
  if (!Array.isArray(body.content)) throw new InvalidResponseError('Anthropic message has no content array');
  const formatTool = formatToolName(request);
  let text = '';
  let formatted: string | null = null;
  const toolCalls: ToolCall[] = [];
  for (const raw of body.content) {
    if (!isRecord(raw)) continue;
    if (raw.type === 'text' && typeof raw.text === 'string') text += raw.text;
    else if (raw.type === 'tool_use' && formatTool !== null && raw.name === formatTool) {
      formatted = JSON.stringify(raw.input ?? {});
    } else if (raw.type === 'tool_use') {
      toolCalls.push({
        id: asString(raw.id) ?? randomId('toolu_'),
        type: 'function',
        function: { name: asString(raw.name) ?? '', arguments: JSON.stringify(raw.input ?? {}) },
      });
    }
  }
  // The structured answer is the content; text beside it would make it unparseable.
  const content = formatted ?? text;
  const choice: ChatCompletionChoice = {
    index: 0,
    message: {
      role: 'assistant',
      content: content || (toolCalls.length > 0 ? null : ''),
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    },
    finish_reason: finishReasonOf(body.stop_reason, toolCalls.length),
    logprobs: null,
    ...stopSequenceField(body.stop_reason, body.stop_sequence),
  };
  const completion: ChatCompletion = {
    id: asString(body.id) ?? randomId('msg_'),
    object: 'chat.completion',
    created: nowSeconds(),
    model: asString(body.model) ?? model,
    choices: [choice],
  };
  if (isRecord(body.usage)) completion.usage = usageFromAnthropic(body.usage);
  return completion;
}

/** Anthropic's `{type:"error", error:{type, message}}`; 529 overloaded is retryable and becomes a 503. */
export function mapAnthropicError(status: number, body: string, headers: HeaderMap): ProviderError {
  const extracted = extractErrorFields(body);
  const mapped = mapUpstreamError(status, extracted, headers);
  if (status === 529) mapped.body.error.code = 'overloaded';
  return mapped;
}

/** In-stream `error` events carry only the type; give them the status the same error would have had. */
export const STATUS_BY_ANTHROPIC_ERROR: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

export function parseAnthropicModels(json: unknown): ModelList {
  const body = expectRecord(json, 'Anthropic model list');
  if (!Array.isArray(body.data)) throw new InvalidResponseError('Anthropic model list has no data array');
  return {
    object: 'list',
    data: body.data.map((raw) => {
      const model = expectRecord(raw, 'model');
      const created = Date.parse(asString(model.created_at) ?? '');
      return {
        id: asString(model.id) ?? '',
        object: 'model',
        created: Number.isNaN(created) ? 0 : Math.floor(created / 1000),
        owned_by: 'anthropic',
      };
    }),
  };
}
