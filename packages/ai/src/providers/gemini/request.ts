import { UnsupportedRequestError } from '../../errors.ts';
import type {
  ChatCompletionRequest,
  ChatMessage,
  EmbeddingRequest,
  ToolChoice,
  ToolDefinition,
  UserContentPart,
} from '../../types.ts';
import {
  authHeaders,
  contentText,
  isRecord,
  parseDataUrl,
  parseToolArguments,
  resolveBaseUrl,
} from '../shared.ts';
import type { ProviderCredential, ProviderHttpRequest } from '../types.ts';

export const GEMINI_BASE_URL = 'https://generativelanguage.googleapis.com';
const API_VERSION = 'v1beta';

type GeminiPart = Record<string, unknown>;
interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

/** Accepts "gemini-2.0-flash" and "models/gemini-2.0-flash". */
const modelPath = (model: string): string =>
  `models/${encodeURIComponent(model.startsWith('models/') ? model.slice(7) : model)}`;

function geminiUrl(credential: ProviderCredential, path: string, query: Record<string, string> = {}): string {
  const base = resolveBaseUrl(GEMINI_BASE_URL, credential, 'Google Gemini');
  const search = new URLSearchParams(query).toString();
  return `${base}/${API_VERSION}/${path}${search ? `?${search}` : ''}`;
}

function geminiHeaders(credential: ProviderCredential, json: boolean): Record<string, string> {
  return {
    ...(json ? { 'content-type': 'application/json' } : {}),
    ...credential.headers,
    ...authHeaders('x-goog-api-key', credential.apiKey),
  };
}

const MIME_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  pdf: 'application/pdf',
};

function userPart(part: UserContentPart): GeminiPart {
  if (part.type === 'text') return { text: part.text };
  if (part.type === 'input_audio') {
    return { inlineData: { mimeType: `audio/${part.input_audio.format}`, data: part.input_audio.data } };
  }
  if (part.type === 'file') {
    throw new UnsupportedRequestError('File parts are not supported for Gemini models.', 'messages');
  }
  const url = part.image_url.url;
  const inline = parseDataUrl(url);
  if (inline) return { inlineData: { mimeType: inline.mediaType, data: inline.data } };
  const extension = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase() ?? '';
  return { fileData: { fileUri: url, mimeType: MIME_BY_EXTENSION[extension] ?? 'image/jpeg' } };
}

const userParts = (content: string | readonly UserContentPart[]): GeminiPart[] =>
  typeof content === 'string' ? [{ text: content }] : content.map(userPart);

/** Tool results must be objects for Gemini; JSON objects pass as they are, anything else is wrapped. */
function toolResultObject(content: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(content);
    if (isRecord(value)) return value;
  } catch {
    // plain text result
  }
  return { result: content };
}

/**
 * OpenAI messages → Gemini contents. Gemini names tool results by function name, not call id, so the
 * names are looked up from the assistant turns that made the calls.
 */
function toGeminiContents(messages: readonly ChatMessage[]): {
  systemInstruction: { parts: GeminiPart[] } | undefined;
  contents: GeminiContent[];
} {
  const system: string[] = [];
  const contents: GeminiContent[] = [];
  const toolNames = new Map<string, string>();
  const append = (role: 'user' | 'model', parts: GeminiPart[]) => {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  for (const message of messages) {
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(contentText(message.content));
        break;
      case 'user':
        append('user', userParts(message.content));
        break;
      case 'assistant': {
        const parts: GeminiPart[] = [];
        const text = contentText(message.content);
        if (text) parts.push({ text });
        for (const call of message.tool_calls ?? []) {
          toolNames.set(call.id, call.function.name);
          const args = parseToolArguments(call.function.arguments, call.function.name);
          parts.push({ functionCall: { name: call.function.name, args } });
        }
        append('model', parts);
        break;
      }
      case 'tool':
        append('user', [
          {
            functionResponse: {
              name: toolNames.get(message.tool_call_id) ?? message.tool_call_id,
              response: toolResultObject(contentText(message.content)),
            },
          },
        ]);
        break;
    }
  }
  const systemText = system.filter(Boolean).join('\n\n');
  return { systemInstruction: systemText ? { parts: [{ text: systemText }] } : undefined, contents };
}

// Gemini's `parameters` is an OpenAPI-schema subset that rejects these JSON-Schema keywords.
const UNSUPPORTED_SCHEMA_KEYS = new Set(['$schema', '$id', '$comment', 'additionalProperties', 'strict']);

function sanitizeSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(sanitizeSchema);
  if (!isRecord(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (UNSUPPORTED_SCHEMA_KEYS.has(key)) continue;
    // Property names are data, not keywords: keep every one of them.
    out[key] =
      key === 'properties' && isRecord(value)
        ? Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, sanitizeSchema(sub)]))
        : sanitizeSchema(value);
  }
  return out;
}

function toolConfig(choice: ToolChoice | undefined): Record<string, unknown> | undefined {
  if (choice === undefined) return undefined;
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
}

const functionDeclaration = (tool: ToolDefinition) => ({
  name: tool.function.name,
  ...(tool.function.description ? { description: tool.function.description } : {}),
  ...(tool.function.parameters ? { parameters: sanitizeSchema(tool.function.parameters) } : {}),
});

export function toGeminiBody(request: ChatCompletionRequest): Record<string, unknown> {
  const { systemInstruction, contents } = toGeminiContents(request.messages);
  const generationConfig: Record<string, unknown> = {};
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens != null) generationConfig.maxOutputTokens = maxTokens;
  if (request.temperature != null) generationConfig.temperature = request.temperature;
  if (request.top_p != null) generationConfig.topP = request.top_p;
  if (request.n != null) generationConfig.candidateCount = request.n;
  if (request.seed != null) generationConfig.seed = request.seed;
  if (request.presence_penalty != null) generationConfig.presencePenalty = request.presence_penalty;
  if (request.frequency_penalty != null) generationConfig.frequencyPenalty = request.frequency_penalty;
  if (request.stop != null) {
    generationConfig.stopSequences = typeof request.stop === 'string' ? [request.stop] : request.stop;
  }
  const format = request.response_format;
  if (format?.type === 'json_object') generationConfig.responseMimeType = 'application/json';
  if (format?.type === 'json_schema') {
    generationConfig.responseMimeType = 'application/json';
    if (format.json_schema.schema)
      generationConfig.responseSchema = sanitizeSchema(format.json_schema.schema);
  }
  const body: Record<string, unknown> = { contents };
  if (systemInstruction) body.systemInstruction = systemInstruction;
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  if (request.tools?.length) {
    body.tools = [{ functionDeclarations: request.tools.map(functionDeclaration) }];
    const config = toolConfig(request.tool_choice);
    if (config) body.toolConfig = config;
  }
  return body;
}

export function buildGeminiRequest(
  request: ChatCompletionRequest,
  model: string,
  credential: ProviderCredential,
): ProviderHttpRequest {
  const url = request.stream
    ? geminiUrl(credential, `${modelPath(model)}:streamGenerateContent`, { alt: 'sse' })
    : geminiUrl(credential, `${modelPath(model)}:generateContent`);
  const headers = geminiHeaders(credential, true);
  headers.accept = request.stream ? 'text/event-stream' : 'application/json';
  return { method: 'POST', url, headers, body: JSON.stringify(toGeminiBody(request)) };
}

/** Every input goes through batchEmbedContents, so one and many inputs share one shape. */
export function buildGeminiEmbeddingsRequest(
  request: EmbeddingRequest,
  model: string,
  credential: ProviderCredential,
): ProviderHttpRequest {
  const inputs = typeof request.input === 'string' ? [request.input] : request.input;
  const texts = inputs.map((input) => {
    if (typeof input !== 'string') {
      throw new UnsupportedRequestError('Gemini embeddings take text, not token arrays.', 'input');
    }
    return input;
  });
  const name = modelPath(model);
  return {
    method: 'POST',
    url: geminiUrl(credential, `${name}:batchEmbedContents`),
    headers: geminiHeaders(credential, true),
    body: JSON.stringify({
      requests: texts.map((text) => ({
        model: name,
        content: { parts: [{ text }] },
        ...(request.dimensions ? { outputDimensionality: request.dimensions } : {}),
      })),
    }),
  };
}

export function buildGeminiModelsRequest(credential: ProviderCredential): ProviderHttpRequest {
  return {
    method: 'GET',
    url: geminiUrl(credential, 'models', { pageSize: '1000' }),
    headers: geminiHeaders(credential, false),
  };
}
