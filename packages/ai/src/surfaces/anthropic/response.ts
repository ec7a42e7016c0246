import type { AiCallError } from '../../errors.ts';
import { isRecord } from '../../providers/shared.ts';
import type { ChatCompletion, ChatCompletionChoice, FinishReason, TokenUsage } from '../../types.ts';
import type { AnthropicErrorBody } from './request.ts';

export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';

/**
 * Anthropic's stop reason for a unified finish. A stop sequence is only reported when the provider said
 * which of the caller's sequences ended the text (`stopSequence`): OpenAI's "stop" covers a natural end
 * too, and guessing would tell the caller a sequence matched when none did.
 */
export function stopReasonFromFinish(
  reason: FinishReason | null,
  stopSequence?: string | null,
): AnthropicStopReason {
  if (stopSequence != null && (reason === 'stop' || reason === null)) return 'stop_sequence';
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

type AnthropicContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicContentBlock[];
  stop_reason: AnthropicStopReason;
  stop_sequence: string | null;
  usage: { input_tokens: number; output_tokens: number; cache_read_input_tokens?: number };
}

/** Tool arguments a model produced are usually JSON objects; anything else is kept under a key, not lost. */
function toolInput(argumentsText: string): Record<string, unknown> {
  if (!argumentsText.trim()) return {};
  try {
    const value: unknown = JSON.parse(argumentsText);
    return isRecord(value) ? value : { value };
  } catch {
    return { arguments: argumentsText };
  }
}

export const anthropicMessageId = (id: string): string => (id.startsWith('msg_') ? id : `msg_${id}`);

export function anthropicUsage(usage: TokenUsage): AnthropicMessage['usage'] {
  // Anthropic's input_tokens excludes cache reads, OpenAI's prompt_tokens includes them.
  const cached = usage.cachedPromptTokens ?? 0;
  return {
    input_tokens: usage.promptTokens - cached,
    output_tokens: usage.completionTokens,
    ...(cached ? { cache_read_input_tokens: cached } : {}),
  };
}

/** The stop sequence that ended a choice, when the provider said (see ChatCompletionChoice). */
const matchedStopSequence = (choice: Pick<ChatCompletionChoice, 'stop_sequence'> | undefined) =>
  choice?.stop_sequence ?? null;

/** A unified completion as the Anthropic Message a /v1/messages client expects (first choice). */
export function unifiedToAnthropicMessage(completion: ChatCompletion, usage: TokenUsage): AnthropicMessage {
  const choice = completion.choices[0];
  const content: AnthropicContentBlock[] = [];
  const text = choice?.message.content;
  if (text) content.push({ type: 'text', text });
  for (const call of choice?.message.tool_calls ?? []) {
    content.push({
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: toolInput(call.function.arguments),
    });
  }
  return {
    id: anthropicMessageId(completion.id),
    type: 'message',
    role: 'assistant',
    model: completion.model,
    content,
    stop_reason: stopReasonFromFinish(choice?.finish_reason ?? null, matchedStopSequence(choice)),
    stop_sequence: matchedStopSequence(choice),
    usage: anthropicUsage(usage),
  };
}

function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
    case 422:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    case 504:
      return 'timeout_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/**
 * The `error` object of Anthropic's envelope for a unified failure. Anthropic's has no `code`; the
 * gateway's stable code (e.g. upstream_credentials_rejected) is added beside type and message so callers
 * can tell its failures apart, as they can on the OpenAI surface.
 */
export function anthropicErrorObject(status: number, body: AiCallError['body']): AnthropicErrorBody['error'] {
  const { code, rule } = body.error;
  return {
    type: anthropicErrorType(status),
    message: body.error.message,
    ...(code ? { code } : {}),
    ...(rule ? { rule } : {}),
  };
}

/** A call failure in Anthropic's error shape, with the status to send it with. */
export function toAnthropicError(error: AiCallError): { status: number; body: AnthropicErrorBody } {
  return {
    status: error.status,
    body: { type: 'error', error: anthropicErrorObject(error.status, error.body) },
  };
}
