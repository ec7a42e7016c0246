import { z } from 'zod';
import type { ChatCompletionRequest, ChatMessage, ToolChoice, UserContentPart } from '../../types.ts';
import { formatParamPath } from '../../validate.ts';

/*
 * The Anthropic-compatible surface (POST /v1/messages): an Anthropic Messages request is validated here
 * and turned into the unified request, so any provider can serve it; response.ts and stream.ts turn the
 * unified answer back into Anthropic's shapes.
 */

const ZCacheControl = z.looseObject({ type: z.string() }).optional();
const ZTextBlock = z.looseObject({ type: z.literal('text'), text: z.string(), cache_control: ZCacheControl });
const ZImageBlock = z.looseObject({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [
    z.object({ type: z.literal('base64'), media_type: z.string(), data: z.string() }),
    z.object({ type: z.literal('url'), url: z.string().min(1) }),
  ]),
  cache_control: ZCacheControl,
});
const ZToolUseBlock = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
});
const ZToolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [ZTextBlock, ZImageBlock]))]).optional(),
  is_error: z.boolean().optional(),
});
// Earlier turns' reasoning is echoed back by clients; it has no unified equivalent and is dropped.
const ZThinkingBlock = z.looseObject({ type: z.enum(['thinking', 'redacted_thinking']) });

const ZContentBlock = z.discriminatedUnion('type', [
  ZTextBlock,
  ZImageBlock,
  ZToolUseBlock,
  ZToolResultBlock,
  ZThinkingBlock,
]);

const ZAnthropicMessagesRequest = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.int().min(1),
  messages: z
    .array(
      z.object({
        role: z.enum(['user', 'assistant']),
        content: z.union([z.string(), z.array(ZContentBlock)]),
      }),
    )
    .min(1),
  system: z.union([z.string(), z.array(ZTextBlock)]).optional(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.int().min(0).optional(),
  stream: z.boolean().optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
  tools: z
    .array(
      z.looseObject({
        name: z.string().min(1),
        description: z.string().optional(),
        input_schema: z.record(z.string(), z.unknown()),
      }),
    )
    .optional(),
  tool_choice: z
    .discriminatedUnion('type', [
      z.object({ type: z.enum(['auto', 'any']), disable_parallel_tool_use: z.boolean().optional() }),
      z.object({ type: z.literal('none') }),
      z.object({
        type: z.literal('tool'),
        name: z.string().min(1),
        disable_parallel_tool_use: z.boolean().optional(),
      }),
    ])
    .optional(),
});

export type AnthropicMessagesRequest = z.infer<typeof ZAnthropicMessagesRequest>;
type ContentBlock = z.infer<typeof ZContentBlock>;

/** Anthropic's error envelope, which @anthropic-ai/sdk parses into typed exceptions. */
export interface AnthropicErrorBody {
  type: 'error';
  /** `code` and `rule` are the gateway's additions (see anthropicErrorObject) */
  error: { type: string; message: string; code?: string; rule?: string };
}

export type AnthropicValidated =
  | { ok: true; value: AnthropicMessagesRequest }
  | { ok: false; error: AnthropicErrorBody };

const invalid = (message: string): { ok: false; error: AnthropicErrorBody } => ({
  ok: false,
  error: { type: 'error', error: { type: 'invalid_request_error', message } },
});

/** Validates a POST /v1/messages body; errors name the field the way Anthropic does ("messages.0.content"). */
export function parseAnthropicRequest(body: unknown): AnthropicValidated {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return invalid('The request body must be a JSON object.');
  }
  const parsed = ZAnthropicMessagesRequest.safeParse(body);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  if (!issue) return invalid('Invalid request body.');
  const field = formatParamPath(issue.path).replace(/\[(\d+)\]/g, '.$1');
  if (issue.code === 'invalid_type' && issue.input === undefined) return invalid(`${field}: Field required`);
  return invalid(field ? `${field}: ${issue.message}` : issue.message);
}

function imagePart(block: Extract<ContentBlock, { type: 'image' }>): UserContentPart {
  const source = block.source;
  const url = source.type === 'base64' ? `data:${source.media_type};base64,${source.data}` : source.url;
  return { type: 'image_url', image_url: { url } };
}

function toolResultText(block: Extract<ContentBlock, { type: 'tool_result' }>): string {
  const content = block.content;
  let text = '';
  if (typeof content === 'string') text = content;
  else if (content) for (const part of content) if (part.type === 'text') text += part.text;
  return block.is_error ? `Error: ${text}` : text;
}

function userMessages(content: string | readonly ContentBlock[]): ChatMessage[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  // Tool results answer the previous assistant turn, so they must come before the rest of this turn.
  const tools: ChatMessage[] = [];
  const parts: UserContentPart[] = [];
  for (const block of content) {
    if (block.type === 'tool_result') {
      tools.push({ role: 'tool', tool_call_id: block.tool_use_id, content: toolResultText(block) });
    } else if (block.type === 'text') parts.push({ type: 'text', text: block.text });
    else if (block.type === 'image') parts.push(imagePart(block));
  }
  if (parts.length === 0) return tools;
  const onlyText = parts.every((part) => part.type === 'text');
  const userContent = onlyText
    ? parts.map((part) => (part.type === 'text' ? part.text : '')).join('')
    : parts;
  return [...tools, { role: 'user', content: userContent }];
}

function assistantMessage(content: string | readonly ContentBlock[]): ChatMessage {
  if (typeof content === 'string') return { role: 'assistant', content };
  let text = '';
  const toolCalls: NonNullable<Extract<ChatMessage, { role: 'assistant' }>['tool_calls']> = [];
  for (const block of content) {
    if (block.type === 'text') text += block.text;
    else if (block.type === 'tool_use') {
      toolCalls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: JSON.stringify(block.input) },
      });
    }
  }
  return {
    role: 'assistant',
    content: text || (toolCalls.length > 0 ? null : ''),
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
  };
}

function toolChoice(choice: AnthropicMessagesRequest['tool_choice']): ToolChoice | undefined {
  if (!choice) return undefined;
  if (choice.type === 'tool') return { type: 'function', function: { name: choice.name } };
  if (choice.type === 'none') return 'none';
  return choice.type === 'any' ? 'required' : 'auto';
}

/** The Anthropic request as the unified (OpenAI) request that `callProvider` takes. */
export function anthropicToUnified(request: AnthropicMessagesRequest): ChatCompletionRequest {
  const messages: ChatMessage[] = [];
  if (request.system !== undefined) {
    const system =
      typeof request.system === 'string'
        ? request.system
        : request.system.map((block) => block.text).join('\n');
    if (system) messages.push({ role: 'system', content: system });
  }
  for (const message of request.messages) {
    if (message.role === 'user') messages.push(...userMessages(message.content));
    else messages.push(assistantMessage(message.content));
  }
  const unified: ChatCompletionRequest = { model: request.model, messages, max_tokens: request.max_tokens };
  if (request.stop_sequences?.length) unified.stop = request.stop_sequences;
  if (request.temperature !== undefined) unified.temperature = request.temperature;
  if (request.top_p !== undefined) unified.top_p = request.top_p;
  // Not an OpenAI field; OpenAI-compatible servers that know it (vLLM, Ollama) get it passed through.
  if (request.top_k !== undefined) unified.top_k = request.top_k;
  if (request.stream) unified.stream = true;
  if (request.metadata?.user_id) unified.user = request.metadata.user_id;
  if (request.tools?.length) {
    unified.tools = request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description ? { description: tool.description } : {}),
        parameters: tool.input_schema,
      },
    }));
    const choice = toolChoice(request.tool_choice);
    if (choice) unified.tool_choice = choice;
    if (request.tool_choice && 'disable_parallel_tool_use' in request.tool_choice) {
      if (request.tool_choice.disable_parallel_tool_use) unified.parallel_tool_calls = false;
    }
  }
  return unified;
}
