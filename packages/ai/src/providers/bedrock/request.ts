import { UnsupportedRequestError } from '../../errors.ts';
import type { ChatCompletionRequest, ChatMessage, ToolChoice, UserContentPart } from '../../types.ts';
import { contentText, parseDataUrl, parseToolArguments } from '../shared.ts';
import type { ProviderCredential, ProviderHttpRequest } from '../types.ts';
import { BEDROCK_REGION_HEADER, requireRegion } from './credential.ts';

/*
 * The unified request → Bedrock's Converse API (one request shape for every model family on Bedrock):
 * `system` blocks, alternating user/assistant `messages` of content blocks (text, image bytes, toolUse,
 * toolResult), `inferenceConfig` and `toolConfig`.
 */

type Block = Record<string, unknown>;
interface ConverseMessage {
  role: 'user' | 'assistant';
  content: Block[];
}

const IMAGE_FORMATS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/** Bedrock takes image bytes inline (base64 in JSON); it cannot fetch a URL. */
function imageBlock(url: string): Block {
  const inline = parseDataUrl(url);
  if (!inline) {
    throw new UnsupportedRequestError(
      'Bedrock models take images as data: URLs (base64); they cannot fetch an image URL.',
      'messages',
    );
  }
  const format = IMAGE_FORMATS[inline.mediaType.toLowerCase()];
  if (!format) {
    throw new UnsupportedRequestError(
      `Bedrock models take PNG, JPEG, GIF or WebP images, not '${inline.mediaType.slice(0, 60)}'.`,
      'messages',
    );
  }
  return { image: { format, source: { bytes: inline.data } } };
}

function userBlocks(content: string | readonly UserContentPart[]): Block[] {
  if (typeof content === 'string') return content ? [{ text: content }] : [];
  const blocks: Block[] = [];
  for (const part of content) {
    if (part.type === 'text') {
      if (part.text) blocks.push({ text: part.text });
    } else if (part.type === 'image_url') blocks.push(imageBlock(part.image_url.url));
    else
      throw new UnsupportedRequestError(`Bedrock models do not accept '${part.type}' content.`, 'messages');
  }
  return blocks;
}

function assistantBlocks(message: Extract<ChatMessage, { role: 'assistant' }>): Block[] {
  const blocks: Block[] = [];
  const text = contentText(message.content);
  // Bedrock rejects blank text blocks.
  if (text) blocks.push({ text });
  for (const call of message.tool_calls ?? []) {
    blocks.push({
      toolUse: {
        toolUseId: call.id,
        name: call.function.name,
        input: parseToolArguments(call.function.arguments, call.function.name),
      },
    });
  }
  return blocks;
}

/** System prompts become `system`, tool results `toolResult` blocks of a user turn; same-role turns merge. */
function toConverseMessages(messages: readonly ChatMessage[]): {
  system: Block[];
  messages: ConverseMessage[];
} {
  const system: Block[] = [];
  const turns: ConverseMessage[] = [];
  const append = (role: 'user' | 'assistant', blocks: Block[]) => {
    if (blocks.length === 0) return;
    const last = turns[turns.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };
  for (const message of messages) {
    switch (message.role) {
      case 'system':
      case 'developer': {
        const text = contentText(message.content);
        if (text) system.push({ text });
        break;
      }
      case 'user':
        append('user', userBlocks(message.content));
        break;
      case 'assistant':
        append('assistant', assistantBlocks(message));
        break;
      case 'tool': {
        const text = contentText(message.content);
        append('user', [
          { toolResult: { toolUseId: message.tool_call_id, content: text ? [{ text }] : [] } },
        ]);
        break;
      }
    }
  }
  return { system, messages: turns };
}

const usesTools = (messages: readonly ConverseMessage[]): boolean =>
  messages.some((m) => m.content.some((block) => 'toolUse' in block || 'toolResult' in block));

function toolConfig(request: ChatCompletionRequest, messages: readonly ConverseMessage[]) {
  const tools = request.tools ?? [];
  if (tools.length === 0) return undefined;
  const choice: ToolChoice | undefined = request.tool_choice;
  if (choice === 'none') {
    // Converse has no "none"; leaving the tools out says the same, unless the history needs them declared.
    if (!usesTools(messages)) return undefined;
    throw new UnsupportedRequestError(
      "Bedrock cannot be told not to call tools while the conversation holds tool calls; drop tool_choice 'none' or the tools.",
      'tool_choice',
    );
  }
  const config: Record<string, unknown> = {
    tools: tools.map((tool) => ({
      toolSpec: {
        name: tool.function.name,
        ...(tool.function.description ? { description: tool.function.description } : {}),
        inputSchema: { json: tool.function.parameters ?? { type: 'object', properties: {} } },
      },
    })),
  };
  if (choice === 'auto') config.toolChoice = { auto: {} };
  else if (choice === 'required') config.toolChoice = { any: {} };
  else if (choice) config.toolChoice = { tool: { name: choice.function.name } };
  return config;
}

function toConverseBody(request: ChatCompletionRequest): Record<string, unknown> {
  if (request.n != null && request.n > 1) {
    throw new UnsupportedRequestError('Bedrock models return one choice; n must be 1.', 'n');
  }
  const format = request.response_format?.type;
  if (format === 'json_object' || format === 'json_schema') {
    throw new UnsupportedRequestError(
      `The Bedrock adapter does not offer response_format '${format}'; describe the JSON in the prompt or use a tool.`,
      'response_format',
    );
  }
  const { system, messages } = toConverseMessages(request.messages);
  const body: Record<string, unknown> = { messages };
  if (system.length > 0) body.system = system;
  const inference: Record<string, unknown> = {};
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens != null) inference.maxTokens = maxTokens;
  // OpenAI's temperature runs 0..2; the models on Bedrock take 0..1.
  if (request.temperature != null) inference.temperature = Math.min(request.temperature, 1);
  if (request.top_p != null) inference.topP = request.top_p;
  if (request.stop != null) {
    inference.stopSequences = typeof request.stop === 'string' ? [request.stop] : request.stop;
  }
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference;
  const tools = toolConfig(request, messages);
  if (tools) body.toolConfig = tools;
  return body;
}

/** Model ids hold ':' and ARNs '/': one path segment, percent-encoded the way the AWS SDKs do it. */
const encodeModelId = (model: string): string =>
  encodeURIComponent(model).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const bedrockBaseUrl = (credential: ProviderCredential): string => {
  const base = credential.baseUrl ?? `https://bedrock-runtime.${requireRegion(credential)}.amazonaws.com`;
  return base.endsWith('/') ? base.slice(0, -1) : base;
};

/**
 * The tenant's extra headers, lower-cased, less the region setting (not a header) and what the signature
 * owns (host, authorization, x-amz-*), which a stray copy in another case would contradict.
 */
function extraHeaders(credential: ProviderCredential): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(credential.headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === BEDROCK_REGION_HEADER || lower === 'host' || lower === 'authorization') continue;
    if (lower.startsWith('x-amz-')) continue;
    headers[lower] = value;
  }
  return headers;
}

/** JSON in and out, the tenant's extra headers beside. */
export const jsonHeaders = (credential: ProviderCredential, stream = false): Record<string, string> => ({
  ...extraHeaders(credential),
  'content-type': 'application/json',
  accept: stream ? 'application/vnd.amazon.eventstream' : 'application/json',
});

const modelUrl = (credential: ProviderCredential, model: string, operation: string): string =>
  `${bedrockBaseUrl(credential)}/model/${encodeModelId(model)}/${operation}`;

/** InvokeModel: the model family's own body, for what Converse does not cover (embeddings). */
export const invokeModelUrl = (credential: ProviderCredential, model: string): string =>
  modelUrl(credential, model, 'invoke');

/** Unsigned: the adapter's `authorize` hook adds SigV4 right before sending. */
export function buildBedrockRequest(
  request: ChatCompletionRequest,
  model: string,
  credential: ProviderCredential,
): ProviderHttpRequest {
  const body = JSON.stringify(toConverseBody(request));
  const operation = request.stream ? 'converse-stream' : 'converse';
  return {
    method: 'POST',
    url: modelUrl(credential, model, operation),
    headers: jsonHeaders(credential, request.stream === true),
    body,
  };
}
