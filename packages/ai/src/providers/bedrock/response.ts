import {
  extractErrorFields,
  InvalidResponseError,
  mapUpstreamError,
  type ProviderError,
} from '../../errors.ts';
import type {
  ChatCompletion,
  ChatCompletionChoice,
  CompletionUsage,
  FinishReason,
  ToolCall,
} from '../../types.ts';
import { nowSeconds } from '../../types.ts';
import { asNumber, asString, expectRecord, isRecord, randomId, usageFrom } from '../shared.ts';
import type { HeaderMap } from '../types.ts';

/*
 * Converse answers → chat.completion, and Bedrock's errors (REST-JSON: the exception name in the
 * `x-amzn-ErrorType` header or the body's `__type`, the text in `message`) → the gateway's error shape.
 */

export function finishReasonOf(stopReason: unknown): FinishReason {
  switch (stopReason) {
    case 'tool_use':
      return 'tool_calls';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    default:
      // end_turn, stop_sequence
      return 'stop';
  }
}

/** Anthropic models on Bedrock name the matched stop sequence in additionalModelResponseFields. */
export function stopSequenceOf(stopReason: unknown, additional: unknown): { stop_sequence?: string } {
  if (stopReason !== 'stop_sequence' || !isRecord(additional)) return {};
  const matched = additional.stop_sequence;
  return typeof matched === 'string' ? { stop_sequence: matched } : {};
}

/** Bedrock counts cache reads and writes apart from inputTokens; OpenAI's prompt_tokens includes them. */
export function usageFromBedrock(usage: Record<string, unknown>): CompletionUsage {
  const cacheRead = asNumber(usage.cacheReadInputTokens) ?? 0;
  const cacheWrite = asNumber(usage.cacheWriteInputTokens) ?? 0;
  const input = (asNumber(usage.inputTokens) ?? 0) + cacheRead + cacheWrite;
  return usageFrom(input, asNumber(usage.outputTokens) ?? 0, cacheRead);
}

export function parseConverseResponse(json: unknown, model: string): ChatCompletion {
  const body = expectRecord(json, 'Bedrock Converse answer');
  const output = isRecord(body.output) ? body.output : {};
  const message = isRecord(output.message) ? output.message : null;
  if (!message || !Array.isArray(message.content)) {
    throw new InvalidResponseError('Bedrock Converse answer has no output message');
  }
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of message.content) {
    if (!isRecord(block)) continue;
    if (typeof block.text === 'string') text += block.text;
    else if (isRecord(block.toolUse)) {
      const use = block.toolUse;
      toolCalls.push({
        id: asString(use.toolUseId) ?? randomId('tooluse_'),
        type: 'function',
        function: { name: asString(use.name) ?? '', arguments: JSON.stringify(use.input ?? {}) },
      });
    }
    // reasoningContent, citations and guard content have no place in a chat completion.
  }
  const choice: ChatCompletionChoice = {
    index: 0,
    message: {
      role: 'assistant',
      content: text || (toolCalls.length > 0 ? null : ''),
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    },
    finish_reason: finishReasonOf(body.stopReason),
    logprobs: null,
    ...stopSequenceOf(body.stopReason, body.additionalModelResponseFields),
  };
  const completion: ChatCompletion = {
    id: randomId('chatcmpl-'),
    object: 'chat.completion',
    created: nowSeconds(),
    model,
    choices: [choice],
  };
  if (isRecord(body.usage)) completion.usage = usageFromBedrock(body.usage);
  return completion;
}

/** `ThrottlingException:http://internal.amazon.com/coral/…` or `com.amazon.coral#ThrottlingException` → the name. */
function exceptionName(raw: string | undefined): string {
  if (!raw) return '';
  let name = raw.split(':')[0] ?? '';
  const hash = name.lastIndexOf('#');
  if (hash !== -1) name = name.slice(hash + 1);
  return name.trim();
}

const firstHeader = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * Statuses where Bedrock's own differ from what the gateway should answer: a model still loading is a
 * provider outage (503, try elsewhere), a model failing (424) a bad gateway, a quota hit a 429.
 */
const STATUS_BY_EXCEPTION: Record<string, number> = {
  ModelNotReadyException: 503,
  ModelErrorException: 502,
  ModelStreamErrorException: 502,
  ServiceQuotaExceededException: 429,
  ModelTimeoutException: 504,
};

/** The status each exception has on the wire (stream exceptions carry none of their own). */
export const STATUS_BY_STREAM_EXCEPTION: Record<string, number> = {
  internalServerException: 500,
  modelStreamErrorException: 424,
  validationException: 400,
  throttlingException: 429,
  serviceUnavailableException: 503,
};

/** Maps one Bedrock exception (by name and the status it came with) to the gateway's error. */
export function mapBedrockException(
  status: number,
  name: string,
  message: string | undefined,
  headers: HeaderMap,
): ProviderError {
  const override = STATUS_BY_EXCEPTION[name];
  const mapped = mapUpstreamError(override ?? status, message ? { message } : null, headers);
  if (name && mapped.body.error.code !== 'upstream_credentials_rejected' && override) {
    mapped.body.error.code = name
      .replace(/Exception$/, '')
      .replace(/[A-Z]/g, (c, i) => (i === 0 ? c.toLowerCase() : `_${c.toLowerCase()}`));
  }
  return mapped;
}

export function mapBedrockError(status: number, body: string, headers: HeaderMap): ProviderError {
  const extracted = extractErrorFields(body);
  let bodyType: string | undefined;
  let message = extracted?.message;
  try {
    const json: unknown = JSON.parse(body);
    if (isRecord(json)) {
      bodyType = asString(json.__type) ?? asString(json.code);
      // some AWS front ends spell it "Message"
      message ??= asString(json.Message);
    }
  } catch {
    // a non-JSON body: the header and status decide
  }
  const name = exceptionName(firstHeader(headers['x-amzn-errortype']) ?? bodyType);
  return mapBedrockException(status, name, message, headers);
}
