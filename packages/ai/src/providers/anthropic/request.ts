import { UnsupportedRequestError } from '../../errors.ts';
import type {
  ChatCompletionRequest,
  ChatMessage,
  TextPart,
  ToolChoice,
  UserContentPart,
} from '../../types.ts';
import { authHeaders, contentText, parseDataUrl, parseToolArguments, resolveBaseUrl } from '../shared.ts';
import type { ProviderCredential, ProviderHttpRequest } from '../types.ts';
import { applyResponseFormat } from './structured.ts';

export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
const ANTHROPIC_VERSION = '2023-06-01';
/** Anthropic requires max_tokens; OpenAI callers often omit it. */
const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

type AnthropicBlock = Record<string, unknown>;
interface AnthropicMessageParam {
  role: 'user' | 'assistant';
  content: AnthropicBlock[];
}

function imageBlock(url: string): AnthropicBlock {
  const inline = parseDataUrl(url);
  return inline
    ? { type: 'image', source: { type: 'base64', media_type: inline.mediaType, data: inline.data } }
    : { type: 'image', source: { type: 'url', url } };
}

function userBlocks(content: string | readonly UserContentPart[]): AnthropicBlock[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  const blocks: AnthropicBlock[] = [];
  for (const part of content) {
    if (part.type === 'text') {
      if (part.text) blocks.push({ type: 'text', text: part.text });
    } else if (part.type === 'image_url') blocks.push(imageBlock(part.image_url.url));
    else
      throw new UnsupportedRequestError(`Anthropic models do not accept '${part.type}' content.`, 'messages');
  }
  return blocks;
}

function assistantBlocks(message: Extract<ChatMessage, { role: 'assistant' }>): AnthropicBlock[] {
  const blocks: AnthropicBlock[] = [];
  const text = contentText(message.content);
  // Anthropic rejects empty text blocks.
  if (text) blocks.push({ type: 'text', text });
  for (const call of message.tool_calls ?? []) {
    blocks.push({
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: parseToolArguments(call.function.arguments, call.function.name),
    });
  }
  return blocks;
}

const textOf = (content: string | readonly TextPart[]): string => contentText(content);

/**
 * OpenAI's flat message list → Anthropic's alternating turns: system messages become the top-level
 * system prompt, tool results become `tool_result` blocks of the next user turn, consecutive turns of one
 * role are merged.
 */
function toAnthropicMessages(messages: readonly ChatMessage[]): {
  system: string | undefined;
  messages: AnthropicMessageParam[];
} {
  const systemParts: string[] = [];
  const turns: AnthropicMessageParam[] = [];
  const append = (role: 'user' | 'assistant', blocks: AnthropicBlock[]) => {
    if (blocks.length === 0) return;
    const last = turns[turns.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };
  for (const message of messages) {
    switch (message.role) {
      case 'system':
      case 'developer':
        systemParts.push(textOf(message.content));
        break;
      case 'user':
        append('user', userBlocks(message.content));
        break;
      case 'assistant':
        append('assistant', assistantBlocks(message));
        break;
      case 'tool':
        append('user', [
          { type: 'tool_result', tool_use_id: message.tool_call_id, content: textOf(message.content) },
        ]);
        break;
    }
  }
  const system = systemParts.filter(Boolean).join('\n\n');
  return { system: system || undefined, messages: turns };
}

function toolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined) {
  let out: Record<string, unknown> | undefined;
  if (choice === 'auto') out = { type: 'auto' };
  else if (choice === 'required') out = { type: 'any' };
  else if (choice === 'none') out = { type: 'none' };
  else if (choice) out = { type: 'tool', name: choice.function.name };
  if (parallel === false) {
    out ??= { type: 'auto' };
    if (out.type !== 'none') out.disable_parallel_tool_use = true;
  }
  return out;
}

export function toAnthropicBody(request: ChatCompletionRequest, model: string): Record<string, unknown> {
  if (request.n != null && request.n > 1) {
    throw new UnsupportedRequestError('Anthropic models return one choice; n must be 1.', 'n');
  }
  const { system, messages } = toAnthropicMessages(request.messages);
  const body: Record<string, unknown> = {
    model,
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    messages,
  };
  if (system) body.system = system;
  if (request.stop != null)
    body.stop_sequences = typeof request.stop === 'string' ? [request.stop] : request.stop;
  // OpenAI's temperature runs 0..2, Anthropic's 0..1.
  if (request.temperature != null) body.temperature = Math.min(request.temperature, 1);
  if (request.top_p != null) body.top_p = request.top_p;
  if (request.stream) body.stream = true;
  if (request.user) body.metadata = { user_id: request.user };
  if (request.tools?.length) {
    body.tools = request.tools.map((tool) => ({
      name: tool.function.name,
      ...(tool.function.description ? { description: tool.function.description } : {}),
      input_schema: tool.function.parameters ?? { type: 'object', properties: {} },
    }));
  }
  const choice = toolChoice(request.tool_choice, request.parallel_tool_calls);
  if (choice && request.tools?.length) body.tool_choice = choice;
  applyResponseFormat(body, request);
  return body;
}

export function anthropicHeaders(credential: ProviderCredential): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json',
    'anthropic-version': ANTHROPIC_VERSION,
    ...credential.headers,
    ...authHeaders('x-api-key', credential.apiKey),
  };
}

export function buildAnthropicRequest(
  request: ChatCompletionRequest,
  model: string,
  credential: ProviderCredential,
): ProviderHttpRequest {
  const headers = anthropicHeaders(credential);
  if (request.stream) headers.accept = 'text/event-stream';
  return {
    method: 'POST',
    url: `${resolveBaseUrl(ANTHROPIC_BASE_URL, credential, 'Anthropic')}/v1/messages`,
    headers,
    body: JSON.stringify(toAnthropicBody(request, model)),
  };
}
