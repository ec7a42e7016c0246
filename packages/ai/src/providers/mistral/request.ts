import { createHash } from 'node:crypto';
import type { ChatCompletionRequest, ChatMessage, EmbeddingRequest, ToolCall } from '../../types.ts';

/*
 * Mistral speaks OpenAI's dialect with a strict schema: unknown fields are a 422 ("extra_forbidden"),
 * `stream_options` included (usage comes in the last chunk regardless), `seed` is `random_seed`,
 * "required" tool choice is "any", and tool-call ids must be exactly 9 letters or digits.
 */

const MISTRAL_CHAT_FIELDS = [
  'model',
  'messages',
  'temperature',
  'top_p',
  'max_tokens',
  'stream',
  'stop',
  'random_seed',
  'response_format',
  'tools',
  'tool_choice',
  'presence_penalty',
  'frequency_penalty',
  'n',
  'parallel_tool_calls',
  'safe_prompt',
  'prediction',
] as const;

/** Ids minted by other providers (call_…, toolu_…) are hashed to 9 hex digits, the same on both ends of a call. */
export function mistralToolCallId(id: string): string {
  return /^[a-zA-Z0-9]{9}$/.test(id) ? id : createHash('sha256').update(id).digest('hex').slice(0, 9);
}

function rewriteToolCalls(calls: readonly ToolCall[]): ToolCall[] {
  return calls.map((call) => ({ ...call, id: mistralToolCallId(call.id) }));
}

function toMistralMessage(message: ChatMessage): Record<string, unknown> {
  switch (message.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: message.content };
    case 'user':
      return { role: 'user', content: message.content };
    case 'assistant': {
      const out: Record<string, unknown> = { role: 'assistant', content: message.content ?? '' };
      if (message.tool_calls?.length) out.tool_calls = rewriteToolCalls(message.tool_calls);
      return out;
    }
    case 'tool':
      return {
        role: 'tool',
        content: message.content,
        tool_call_id: mistralToolCallId(message.tool_call_id),
      };
  }
}

export function toMistralChatBody(
  body: Record<string, unknown>,
  request: ChatCompletionRequest,
): Record<string, unknown> {
  const source: Record<string, unknown> = {
    ...body,
    messages: request.messages.map(toMistralMessage),
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? undefined,
    random_seed: request.seed ?? undefined,
    tool_choice: request.tool_choice === 'required' ? 'any' : request.tool_choice,
    tools: request.tools?.map((tool) => ({
      type: 'function',
      function: {
        name: tool.function.name,
        description: tool.function.description,
        parameters: tool.function.parameters ?? { type: 'object', properties: {} },
      },
    })),
  };
  const out: Record<string, unknown> = {};
  for (const field of MISTRAL_CHAT_FIELDS) {
    const value = source[field];
    if (value !== undefined && value !== null) out[field] = value;
  }
  return out;
}

export function toMistralEmbeddingsBody(
  body: Record<string, unknown>,
  request: EmbeddingRequest,
): Record<string, unknown> {
  const out: Record<string, unknown> = { model: body.model, input: request.input };
  if (request.dimensions !== undefined) out.output_dimension = request.dimensions;
  return out;
}
