import { randomBytes } from 'node:crypto';
import { InvalidResponseError, UnsupportedRequestError } from '../errors.ts';
import type {
  ChatCompletionChunk,
  ChunkDelta,
  CompletionUsage,
  FinishReason,
  TextPart,
  UserContentPart,
} from '../types.ts';
import { nowSeconds } from '../types.ts';
import type { AuthStyle, ChunkSink, ProviderCredential } from './types.ts';

export function authHeaders(style: AuthStyle, apiKey: string): Record<string, string> {
  switch (style) {
    case 'bearer':
      return apiKey ? { authorization: `Bearer ${apiKey}` } : {};
    case 'api-key':
      return { 'api-key': apiKey };
    case 'x-api-key':
      return { 'x-api-key': apiKey };
    case 'x-goog-api-key':
      return { 'x-goog-api-key': apiKey };
    case 'aws-sigv4':
    case 'none':
      return {};
  }
}

export function resolveBaseUrl(
  defaultBaseUrl: string | null,
  credential: ProviderCredential,
  providerName: string,
): string {
  const base = credential.baseUrl ?? defaultBaseUrl;
  if (!base) throw new UnsupportedRequestError(`${providerName} needs a base URL in its credential.`);
  return base.endsWith('/') ? base.slice(0, -1) : base;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function expectRecord(value: unknown, what: string): Record<string, unknown> {
  if (!isRecord(value)) throw new InvalidResponseError(`${what} is not a JSON object`);
  return value;
}

export const asNumber = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

export const asString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

/** Plain text of message content that is a string or an array of parts (non-text parts skipped). */
export function contentText(content: string | readonly (TextPart | UserContentPart)[] | null | undefined) {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  let text = '';
  for (const part of content) if (part.type === 'text') text += part.text;
  return text;
}

/** `data:image/png;base64,AAAA` → its media type and payload; null for ordinary URLs. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | null {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return match ? { mediaType: match[1] ?? 'application/octet-stream', data: match[2] ?? '' } : null;
}

/** Tool arguments arrive as JSON text; providers that want objects get {} for blank input. */
export function parseToolArguments(text: string, toolName: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (isRecord(value)) return value;
  } catch {
    // reported below
  }
  throw new UnsupportedRequestError(
    `The arguments of the call to tool '${toolName}' are not a JSON object.`,
    'messages',
  );
}

export const randomId = (prefix: string): string => `${prefix}${randomBytes(12).toString('base64url')}`;

export function usageFrom(prompt: number, completion: number, cached?: number): CompletionUsage {
  const usage: CompletionUsage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
  if (cached) usage.prompt_tokens_details = { cached_tokens: cached };
  return usage;
}

/** Builds unified chunks sharing one id/created/model, the way OpenAI numbers a stream. */
export class ChunkEmitter {
  constructor(
    private readonly emit: ChunkSink,
    public id: string,
    public model: string,
    public created: number = nowSeconds(),
  ) {}

  delta(
    delta: ChunkDelta,
    finishReason: FinishReason | null = null,
    index = 0,
    stop: { stop_sequence?: string } = {},
  ): void {
    const chunk: ChatCompletionChunk = {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index, delta, finish_reason: finishReason, logprobs: null, ...stop }],
    };
    this.emit(chunk);
  }

  usage(usage: CompletionUsage): void {
    this.emit({
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [],
      usage,
    });
  }
}
